// Typed errors for helm failures, and the pure function that tells them apart from helm's stderr.
import { HelmcycleError, type ErrorCode } from '../errors.js';

export interface HelmFailure {
  /** The argv helm ran with (never holds secrets; see argv.ts). */
  argv: readonly string[];
  exitCode: number | undefined;
  /** The last lines of stderr, with known secrets masked. */
  stderrTail: string;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
}

/** Any failed helm command. Subclasses narrow it down; `failure` keeps what is needed to debug it. */
export class HelmCommandError extends HelmcycleError {
  readonly failure: HelmFailure;

  constructor(code: ErrorCode, message: string, failure: HelmFailure, hint?: string) {
    super(code, message, { hint });
    this.failure = failure;
  }

  /** The command, for messages: `helm upgrade --install web ...`. */
  get command(): string {
    return ['helm', ...this.failure.argv].join(' ');
  }
}

export class ReleaseNotFoundError extends HelmCommandError {}
export class ReleaseLockedError extends HelmCommandError {}
export class HelmTimeoutError extends HelmCommandError {}
export class RolledBackError extends HelmCommandError {}
export class RenderError extends HelmCommandError {}
export class HelmCancelledError extends HelmCommandError {}
/** `helm test` ran and a test pod failed; `pods` are the failed pods helm names. */
export class ChartTestFailedError extends HelmCommandError {
  readonly pods: readonly string[];
  constructor(message: string, failure: HelmFailure, pods: readonly string[]) {
    super('CHART_TEST_FAILED', message, failure, "the chart's test hooks failed; see the test pods in the diagnostics");
    this.pods = pods;
  }
}

/** The pods a failed `helm test` names ("pod web-test-connection failed"). Pure. */
export function failedTestPods(stderr: string): string[] {
  return [...new Set([...stderr.matchAll(/\bpod ([a-z0-9][a-z0-9.-]*) failed\b/g)].map((m) => m[1]!))];
}

/** A failed `helm test` as ChartTestFailedError when helm names a failed pod; the error unchanged otherwise. */
export function asChartTestFailure(error: HelmCommandError): HelmCommandError {
  const pods = failedTestPods(error.failure.stderrTail);
  if (pods.length === 0 || error.failure.cancelled) return error;
  return new ChartTestFailedError(`helm test: ${pods.length} test pod(s) failed: ${pods.join(', ')}`, error.failure, pods);
}

type ErrorClass = new (code: ErrorCode, message: string, failure: HelmFailure, hint?: string) => HelmCommandError;

interface Rule {
  pattern: RegExp;
  type: ErrorClass;
  code: ErrorCode;
  hint: string;
}

// Order matters: an atomic upgrade that timed out says both "timed out" and "rolled back"; what the
// user must know first is that it was rolled back.
const RULES: readonly Rule[] = [
  {
    pattern: /another operation \(install\/upgrade\/rollback\) is in progress/i,
    type: ReleaseLockedError,
    code: 'HELM_RELEASE_LOCKED',
    hint: 'the release is locked by an unfinished operation; helmcycle recovers stuck releases in preExec, or run helm rollback',
  },
  {
    pattern: /has been rolled back due to|rolled back due to (atomic|rollback-on-failure)/i,
    type: RolledBackError,
    code: 'HELM_ROLLED_BACK',
    hint: 'the deploy failed and was rolled back to the previous revision; see the diagnostics for why',
  },
  {
    pattern: /(timed out waiting for the condition|context deadline exceeded|\btimeout\b.*exceeded)/i,
    type: HelmTimeoutError,
    code: 'HELM_TIMEOUT',
    hint: 'the resources did not become ready before the timeout; see the diagnostics, or raise timeoutSeconds',
  },
  {
    pattern:
      /(parse error|template: |execution error at|YAML parse error|error converting YAML to JSON|values don't meet the specifications of the schema|unable to build kubernetes objects|error validating data|cannot patch .* with kind|unable to decode)/i,
    type: RenderError,
    code: 'HELM_RENDER_FAILED',
    hint: 'the chart did not render with these values; check the values named above',
  },
  {
    pattern: /release: not found|release not found|has no deployed releases/i,
    type: ReleaseNotFoundError,
    code: 'HELM_RELEASE_NOT_FOUND',
    hint: 'no such release in this namespace',
  },
];

/** How many lines of helm's error a message keeps (a schema error lists one line per bad key). */
const MAX_SUMMARY_LINES = 40;

/**
 * What helm means to say: its "Error:" line and every line after it. Helm's message often goes on past
 * the first line: a values-schema error names each bad key on a line of its own ("- at '/image':
 * additional properties 'tga' not allowed"), and without those lines the error names no key at all.
 * Warnings helm writes before "Error:" are left out.
 */
export function errorSummary(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const start = lines.findIndex((l) => l.trimStart().startsWith('Error:'));
  if (start === -1) return lines.at(-1)?.trim() ?? 'helm failed without a message';
  const kept = lines.slice(start, start + MAX_SUMMARY_LINES);
  const more = lines.length - start - kept.length;
  kept[0] = kept[0]!.trimStart().replace(/^Error:\s*/, '');
  return [...kept, ...(more > 0 ? [`… (${more} more line(s) of helm's error)`] : [])].join('\n');
}

export function classifyHelmFailure(stderr: string, failure: HelmFailure): HelmCommandError {
  const subcommand = failure.argv.slice(0, 2).filter((a) => !a.startsWith('-')).join(' ');
  if (failure.cancelled) {
    return new HelmCancelledError('CANCELLED', `helm ${subcommand} was cancelled`, failure, 'run again to finish; helmcycle recovers a release left pending');
  }
  const summary = errorSummary(stderr);
  const message = `helm ${subcommand} failed: ${summary}`;
  for (const rule of RULES) {
    if (rule.pattern.test(stderr)) return new rule.type(rule.code, message, failure, rule.hint);
  }
  return new HelmCommandError('HELM_COMMAND_FAILED', `${message} (exit code ${failure.exitCode ?? 'none'})`, failure);
}

/** Masks every known secret in a text (stderr can echo values back). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}

/** The last `lines` lines of a text. */
export function tail(text: string, lines = 20): string {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-lines).join('\n');
}
