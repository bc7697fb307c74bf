// One helm process, without a shell. Cancelling the AbortSignal sends SIGTERM (helm then marks an
// interrupted upgrade failed rather than leaving it pending) and SIGKILL after a grace period; an
// interrupt sends SIGTERM only. Each process is tracked (children.ts) so that an exit that cannot wait
// still stops it. A command that fails transiently is run again when that is safe (repeatable.ts).
import { execa } from 'execa';
import { retryTransient } from '../retry/retry.js';
import { transientReason } from '../retry/transient.js';
import { createMasker, type Masker } from '../secrets/masker.js';
import { flagValue, withFlags } from './argv.js';
import { trackChild } from './children.js';
import { formatHelmCall, type HelmDebugLogger } from './debug-line.js';
import { classifyHelmFailure, HelmCommandError, tail } from './errors.js';
import { repeatableAfter } from './repeatable.js';
import type { CallOptions } from './types.js';

/** How a client runs helm (see CliHelmClientOptions). */
export interface HelmProcessSettings {
  binary: string;
  kubeconfig?: string | undefined;
  kubeContext?: string | undefined;
  killGraceMs?: number | undefined;
  env?: Record<string, string> | undefined;
  cwd?: string | undefined;
  transientRetryBudgetMs?: number | undefined;
  debug?: HelmDebugLogger | undefined;
}

export interface HelmProcessOptions extends CallOptions {
  stdin?: string | undefined;
  /** Values to mask in anything helm prints (its stderr ends up in errors). */
  secrets?: readonly string[];
  /** How long transient failures may be retried; the client's default when absent. */
  retryBudgetMs?: number;
  /** Environment for this command only (a post-render session's plugin folder). */
  env?: Record<string, string>;
}

const DEFAULT_RETRY_BUDGET_MS = 30_000;

function globalArgs(settings: HelmProcessSettings): string[] {
  return [
    ...(settings.kubeconfig ? [flagValue('kubeconfig', settings.kubeconfig)] : []),
    ...(settings.kubeContext ? [flagValue('kube-context', settings.kubeContext)] : []),
  ];
}

/** Runs helm; throws a typed HelmCommandError on failure, after retrying a transient one when that is safe. */
export function runHelm(settings: HelmProcessSettings, args: string[], options: HelmProcessOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const masker = createMasker(options.secrets ?? []);
  return retryTransient(() => runOnce(settings, args, options, masker), {
    transient: (error) =>
      error instanceof HelmCommandError && !error.failure.cancelled && !options.interrupt?.aborted && repeatableAfter(args, error.failure.stderrTail)
        ? transientReason(error.failure.stderrTail)
        : undefined,
    budgetMs: options.retryBudgetMs ?? settings.transientRetryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS,
    signal: options.signal,
  });
}

async function runOnce(settings: HelmProcessSettings, args: string[], options: HelmProcessOptions, masker: Masker): Promise<{ stdout: string; stderr: string }> {
  // Before the end-of-flags marker, where helm reads them as flags (argv-shape.ts).
  const fullArgv = withFlags(args, globalArgs(settings));
  const subprocess = execa(settings.binary, fullArgv, {
    // Pinned, not left to defaults: an options object inherits from Object.prototype, so a polluted
    // prototype could otherwise switch a shell on and run an argument as shell code.
    shell: false,
    detached: false,
    windowsVerbatimArguments: false,
    extendEnv: true,
    reject: false,
    cancelSignal: options.signal,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: settings.killGraceMs ?? 10_000,
    input: options.stdin ?? '',
    cwd: settings.cwd,
    // HELM_NO_PLUGINS keeps the user's plugins out; Helm 4 still runs a post-renderer plugin it is named.
    env: { HELM_NO_PLUGINS: '1', ...settings.env, ...options.env },
    stripFinalNewline: false,
  });
  trackChild({ pid: subprocess.pid, kill: (signal) => subprocess.kill(signal), exited: subprocess });
  // Straight to the process, not through execa's kill: that would follow up with SIGKILL, and helm
  // killed while it rolls back leaves the release pending-rollback.
  const interrupt = () => {
    try {
      if (subprocess.pid !== undefined) process.kill(subprocess.pid, 'SIGTERM');
    } catch {
      // exited already
    }
  };
  if (options.interrupt?.aborted) interrupt();
  options.interrupt?.addEventListener('abort', interrupt, { once: true });
  const result = await subprocess.finally(() => options.interrupt?.removeEventListener('abort', interrupt));
  const cancelled = result.isCanceled || options.signal?.aborted === true;
  settings.debug?.(formatHelmCall({ binary: settings.binary, argv: fullArgv, durationMs: result.durationMs, exitCode: result.exitCode, cancelled, timedOut: result.timedOut }, masker));
  // stderr is kept for what helm reports there on success (a pulled chart's digest), masked like the rest.
  if (!result.failed) return { stdout: String(result.stdout), stderr: masker.mask(String(result.stderr ?? '')) };
  // Masked before anything reads it: helm echoes values back (a template's fail, a schema error).
  const stderr = masker.mask(String(result.stderr ?? ''));
  const fallback = masker.mask(String(result.message ?? ''));
  const failure = {
    argv: fullArgv,
    exitCode: result.exitCode,
    stderrTail: tail(stderr || fallback),
    durationMs: result.durationMs,
    timedOut: result.timedOut,
    cancelled,
  };
  throw classifyHelmFailure(stderr || fallback, failure);
}
