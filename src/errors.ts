// One error family for everything a user can see. Each error has a stable `code`, says which chart
// and phase it concerns where that is known, and carries a `hint`: what to do next.

export type ErrorCode =
  | 'SPEC_INVALID'
  | 'STACK_INVALID'
  | 'USAGE_INVALID'
  | 'PREREQUISITE_FAILED'
  | 'HELM_COMMAND_FAILED'
  | 'HELM_RELEASE_NOT_FOUND'
  | 'HELM_RELEASE_LOCKED'
  | 'HELM_TIMEOUT'
  | 'HELM_ROLLED_BACK'
  | 'HELM_RENDER_FAILED'
  | 'CHART_TEST_FAILED'
  | 'CANCELLED'
  | 'KUBE_REQUEST_FAILED'
  | 'VALIDATION_FAILED'
  | 'READINESS_FAILED'
  | 'DEPLOY_FAILED'
  | 'PHASE_FAILED'
  | 'OWNERSHIP_CONFLICT'
  | 'CRD_IN_USE'
  | 'CRD_NOT_ESTABLISHED'
  | 'CRD_INVALID_RESOURCES'
  | 'UNUSED_VALUES'
  | 'CRD_MIGRATION_BLOCKED'
  | 'BACKUP_FAILED'
  | 'JOB_FAILED'
  | 'CHECK_TIMEOUT'
  | 'RELEASE_LEASE_HELD'
  | 'RELEASE_LEASE_LOST'
  | 'RELEASE_MOVED'
  | 'SCAFFOLD_REFUSED'
  | 'PLAN_STALE'
  | 'CONFIRMATION_REQUIRED'
  | 'ENVIRONMENT_INVALID'
  | 'CHART_DEPENDENCIES_FAILED'
  | 'TRANSFORM_FAILED'
  | 'CHART_DIGEST_MISMATCH'
  | 'CHART_PROVENANCE_FAILED'
  | 'SOURCE_FAILED';

export interface ErrorDetails {
  cause?: unknown;
  chart?: string;
  phase?: string;
  hint?: string;
}

export class HelmcycleError extends Error {
  readonly code: ErrorCode;
  readonly chart: string | undefined;
  readonly phase: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.chart = details.chart;
    this.phase = details.phase;
    this.hint = details.hint;
  }
}

export interface SpecIssue {
  /** Dotted path of the field inside the chart spec, e.g. `upgradeRetry.attempts`. */
  field: string;
  message: string;
}

/** How many issues an input error lists, and how long one field or message may be, before it is cut. */
export const INPUT_ERROR_LIMITS = { issues: 20, field: 200, message: 300 } as const;

/** A text cut to `max` characters, saying how much was left out. Pure. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * The issue lines of an input error. A file with 50,000 bad keys must still give an error a person can
 * read: the list stops after INPUT_ERROR_LIMITS.issues and each line is cut (the full list stays on `issues`).
 */
function issueLines(issues: readonly SpecIssue[]): string[] {
  const shown = issues.slice(0, INPUT_ERROR_LIMITS.issues).map((i) => `  - ${clip(i.field, INPUT_ERROR_LIMITS.field)}: ${clip(i.message, INPUT_ERROR_LIMITS.message)}`);
  const more = issues.length - shown.length;
  return more > 0 ? [...shown, `  … and ${more} more issue(s)`] : shown;
}

/** Bad input: the spec (or the file it came from) is wrong. Nothing was changed in the cluster. */
export class SpecError extends HelmcycleError {
  readonly issues: readonly SpecIssue[];
  readonly file: string | undefined;

  constructor(chart: string, issues: readonly SpecIssue[], file?: string) {
    const where = file ? `${file}: ` : '';
    super('SPEC_INVALID', `${where}chart '${clip(chart, INPUT_ERROR_LIMITS.field)}' has an invalid spec:\n${issueLines(issues).join('\n')}`, {
      chart,
      hint: 'fix the fields listed above; nothing was changed in the cluster',
    });
    this.issues = issues;
    this.file = file;
  }
}

/** Bad input in a stack: a file that cannot be read or parsed, a cycle, an unknown need or environment. */
export class StackConfigError extends HelmcycleError {
  readonly file: string | undefined;
  readonly issues: readonly SpecIssue[];

  constructor(message: string, options: { file?: string; chart?: string; issues?: readonly SpecIssue[] } = {}) {
    const where = options.file ? `${options.file}: ` : '';
    const lines = issueLines(options.issues ?? []).map((line) => `\n${line}`).join('');
    super('STACK_INVALID', `${where}${message}${lines}`, {
      ...(options.chart ? { chart: options.chart } : {}),
      hint: 'fix the stack configuration; nothing was changed in the cluster',
    });
    this.file = options.file;
    this.issues = options.issues ?? [];
  }
}

/** `helmcycle init` would not write: the file exists (init never overwrites one) or the options are wrong. */
export class ScaffoldError extends HelmcycleError {
  constructor(message: string, hint: string) {
    super('SCAFFOLD_REFUSED', message, { hint });
  }
}

/** Bad use of the command line (an option that does not fit the command, or cannot be honoured). Nothing ran. */
export class UsageError extends HelmcycleError {
  constructor(message: string, hint: string) {
    super('USAGE_INVALID', message, { hint });
  }
}

/**
 * The environment a command runs in is wrong: a kubeconfig, context, API server or helm binary (see
 * cli/environment-check.ts). Found before any chart runs, so it is bad input: nothing was changed.
 */
export class EnvironmentError extends HelmcycleError {
  /** What is wrong: 'kubeconfig', 'context', 'server', 'credentials' or 'helm', one per problem. */
  readonly subjects: readonly string[];
  constructor(message: string, hint: string, subjects: readonly string[]) {
    super('ENVIRONMENT_INVALID', message, { hint });
    this.subjects = subjects;
  }
}

/** An input error of any kind (exit code 2 in the CLI). */
export function isInputError(error: unknown): boolean {
  return error instanceof SpecError || error instanceof StackConfigError || error instanceof ScaffoldError || error instanceof UsageError || error instanceof EnvironmentError;
}

export class PrerequisiteError extends HelmcycleError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('PREREQUISITE_FAILED', message, { phase: 'checkPrerequisites', ...details });
  }
}

export class KubeRequestError extends HelmcycleError {
  readonly statusCode: number | undefined;
  constructor(message: string, statusCode: number | undefined, details: ErrorDetails = {}) {
    super('KUBE_REQUEST_FAILED', message, details);
    this.statusCode = statusCode;
  }
}

/** The API server refused the caller (403): an RBAC answer, not an outage. */
export function isForbidden(error: unknown): boolean {
  return error instanceof KubeRequestError && error.statusCode === 403;
}

export interface FailedCheck {
  name: string;
  message: string;
  /** The object a health check judged (validate's wait), when the check is about one. */
  object?: { apiVersion?: string; kind: string; name: string; namespace?: string | undefined } | undefined;
}

/** What a fail-fast wait found: the workload, the pod that shows it, and why waiting would not help. */
export interface HopelessFinding {
  kind: string;
  name: string;
  namespace: string;
  pod: string | undefined;
  reason: string;
}

/**
 * helm's wait was ended early: a workload of the release failed in a way waiting does not heal. The
 * helm error it caused (the release marked failed, or rolled back under atomic) is the cause.
 */
export class ReadinessFailedError extends HelmcycleError {
  readonly finding: HopelessFinding;
  constructor(chart: string, finding: HopelessFinding, details: ErrorDetails = {}) {
    super('READINESS_FAILED', `chart '${chart}': ${finding.kind}/${finding.name} will not become ready: ${finding.reason}; helm's wait was ended early`, {
      chart,
      phase: 'exec',
      hint: 'fix what the pod reports (its logs are in the diagnostics); failFast: false waits out the timeout instead',
      ...details,
    });
    this.finding = finding;
  }
}

export class ValidationError extends HelmcycleError {
  readonly failures: readonly FailedCheck[];
  constructor(chart: string, failures: readonly FailedCheck[], details: ErrorDetails = {}) {
    const lines = failures.map((f) => `  - ${f.name}: ${f.message}`).join('\n');
    super('VALIDATION_FAILED', `chart '${chart}' did not validate:\n${lines}`, {
      chart,
      phase: 'validate',
      hint: 'the release was deployed, but the checks above failed; see the diagnostics',
      ...details,
    });
    this.failures = failures;
  }
}

export class CancelledError extends HelmcycleError {
  constructor(message = 'cancelled', details: ErrorDetails = {}) {
    super('CANCELLED', message, details);
  }
}

/** A phase of a chart's lifecycle failed; wraps the cause with the chart and phase. */
export class PhaseError extends HelmcycleError {
  constructor(chart: string, phase: string, cause: unknown, hint?: string) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const causeHint = isHelmcycleError(cause) ? cause.hint : undefined;
    super('PHASE_FAILED', `chart '${chart}' failed in ${phase}: ${reason}`, {
      chart,
      phase,
      cause,
      hint: hint ?? causeHint,
    });
  }
}

export function isHelmcycleError(value: unknown): value is HelmcycleError {
  return value instanceof HelmcycleError;
}

export function hasErrorCode(value: unknown, code: ErrorCode): value is HelmcycleError {
  return isHelmcycleError(value) && value.code === code;
}

/** Walks an error's `cause` chain, outermost first. */
export function* causeChain(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && !seen.has(current)) {
    seen.add(current);
    yield current;
    current = current instanceof Error ? current.cause : undefined;
  }
}

/** The first error of a type in the cause chain, if any. */
export function findCause<T>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (const item of causeChain(error)) if (item instanceof type) return item;
  return undefined;
}
