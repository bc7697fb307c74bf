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

/** The first line helm wrote after "Error:", which is what it means to say. */
export function errorSummary(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const errorLine = lines.find((l) => l.startsWith('Error:'));
  return (errorLine ?? lines.at(-1) ?? 'helm failed without a message').replace(/^Error:\s*/, '');
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
