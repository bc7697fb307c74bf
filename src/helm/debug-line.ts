// `--debug`: one line per helm process, with its argv as a shell would take it, how long it ran and how it
// ended. The line goes through the call's masker: sensitive values travel on stdin, never on argv (see
// values-files.ts), so masking here is the second line of defence, not the first. Pure.
import type { Masker } from '../secrets/masker.js';

/** Where --debug lines go (the CLI: stderr). Injected into the helm client; no global switch. */
export type HelmDebugLogger = (line: string) => void;

export interface HelmCallRecord {
  binary: string;
  argv: readonly string[];
  durationMs: number;
  exitCode: number | undefined;
  cancelled: boolean;
  timedOut: boolean;
}

/** An argument as a POSIX shell would read it back: bare when safe, else single-quoted. */
export function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function outcome(call: HelmCallRecord): string {
  if (call.cancelled) return 'cancelled';
  if (call.timedOut) return 'timed out';
  return `exit ${call.exitCode ?? '?'}`;
}

export function formatHelmCall(call: HelmCallRecord, masker: Pick<Masker, 'mask'>): string {
  const command = [call.binary, ...call.argv].map(shellQuote).join(' ');
  return masker.mask(`helmcycle debug: ${command} (${Math.round(call.durationMs)} ms, ${outcome(call)})`);
}
