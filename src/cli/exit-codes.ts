// The CLI's exit codes, and which one an outcome maps to. Pure.
import { CancelledError, causeChain, findCause, hasErrorCode, HelmcycleError, isHelmcycleError, isInputError } from '../errors.js';
import type { ChartStatus } from '../stack/inspect.js';

/**
 * 0 success; 1 a chart failed; 2 bad input (nothing changed); 3 (status) none degraded but some not
 * installed; 4 (apply, destroy) every chart that failed was refused because another run holds its
 * release's lease past --lock-timeout (nothing of those charts changed: retrying later is safe); 5
 * (apply FILE) the saved plan is stale: the config or the cluster moved since it was made (nothing of
 * the refused charts changed: plan again); 6 (plan --fail-on) an API removed, or with `--fail-on deprecated`
 * deprecated, at the Kubernetes version checked (src/upgrade/; nothing changed); 130 interrupted. `plan --detailed-exitcode` answers 2 for
 * "changes pending" (planChanges) and 1 for any error (plan-exit.ts).
 */
export const EXIT = { ok: 0, chartFailed: 1, badInput: 2, planChanges: 2, notInstalled: 3, locked: 4, stalePlan: 5, apiFindings: 6, interrupted: 130 } as const;

/**
 * An error of a plan run with --detailed-exitcode: the same message and hint, and exit code 1 whatever
 * the cause (exitCodeForError looks for it). Ctrl-C stays 130.
 */
export class DetailedPlanError extends HelmcycleError {
  constructor(cause: unknown) {
    super(isHelmcycleError(cause) ? cause.code : 'PHASE_FAILED', cause instanceof Error ? cause.message : String(cause), {
      cause,
      ...(isHelmcycleError(cause) && cause.hint ? { hint: cause.hint } : {}),
      ...(isHelmcycleError(cause) && cause.chart ? { chart: cause.chart } : {}),
    });
  }
}

/** A failure that is only "another run holds the release": its chart changed nothing. */
export function isLeaseRefusal(error: unknown): boolean {
  for (const item of causeChain(error)) if (hasErrorCode(item, 'RELEASE_LEASE_HELD')) return true;
  return false;
}

/**
 * `helmcycle status`: 0 every chart installed and ready; 1 some installed release is degraded (not
 * deployed, or workloads not ready), whatever else is true, because that is what needs a person; 3 no
 * chart is degraded but some are simply not installed. Why a code of its own: "not installed yet" is
 * drift that `apply` fixes, not a failure, and a script must tell it from both (as `terraform plan
 * -detailed-exitcode` tells "changes pending" from an error); helm and kubectl answer a missing release
 * or object with 1, which could not be told from a broken one. 2 stays bad input, as for every command.
 */
export function statusExitCode(statuses: readonly Pick<ChartStatus, 'health'>[]): number {
  if (statuses.some((s) => s.health === 'degraded')) return EXIT.chartFailed;
  if (statuses.some((s) => s.health === 'not-installed')) return EXIT.notInstalled;
  return EXIT.ok;
}

/** A chart refused because the saved plan it was applied from no longer holds: it changed nothing. */
export function isStalePlan(error: unknown): boolean {
  for (const item of causeChain(error)) if (hasErrorCode(item, 'PLAN_STALE')) return true;
  return false;
}

/** An apply or destroy where some chart failed: 4 or 5 when every failure only refused (nothing of those charts changed), else 1. */
export function failedRunExitCode(errors: readonly unknown[]): number {
  if (errors.length > 0 && errors.every(isLeaseRefusal)) return EXIT.locked;
  if (errors.length > 0 && errors.every(isStalePlan)) return EXIT.stalePlan;
  return EXIT.chartFailed;
}

export function exitCodeForError(error: unknown, interrupted: boolean): number {
  if (interrupted || findCause(error, CancelledError)) return EXIT.interrupted;
  if (error instanceof DetailedPlanError) return EXIT.chartFailed;
  if (isInputError(error) || hasErrorCode(error, 'CONFIRMATION_REQUIRED')) return EXIT.badInput;
  if (isStalePlan(error)) return EXIT.stalePlan;
  if (isLeaseRefusal(error)) return EXIT.locked;
  return EXIT.chartFailed;
}
