// `plan --detailed-exitcode`, as Terraform's: 0 nothing to do, 2 changes pending, 1 an error or a
// failure the plan predicts. Every error is 1 under this flag, bad input included: 2 must mean only
// "changes", or a CI gate would read a typo in the config as a pending change. Pure, but for the
// promise wrapper.
import type { ChartPlan } from '../stack/plan.js';
import { DetailedPlanError, EXIT } from './exit-codes.js';
import { failsOn, type FailOn } from '../upgrade/api-check.js';

/** The flag, as written on the command line. */
export const DETAILED_EXITCODE_FLAG = '--detailed-exitcode';

/** Plan actions that change nothing in the cluster. */
const NO_CHANGE: ReadonlySet<ChartPlan['action']> = new Set(['skip', 'none']);

/** 1 when any chart has a predicted failure, else 2 when any chart would change, else 0. */
export function detailedPlanExitCode(plans: readonly Pick<ChartPlan, 'action' | 'predictions'>[]): number {
  if (plans.some((p) => p.predictions.length > 0)) return EXIT.chartFailed;
  if (plans.some((p) => !NO_CHANGE.has(p.action))) return EXIT.planChanges;
  return EXIT.ok;
}

/**
 * `plan --fail-on removed|deprecated`: 6 when some chart's rendered or stored manifest has an API at or
 * above that level, whatever --detailed-exitcode would say (the gate is what the flag asked for); else `code`.
 */
export function failOnExitCode(plans: readonly Pick<ChartPlan, 'apiFindings'>[], failOn: FailOn | undefined, code: number): number {
  return failsOn(plans.flatMap((p) => p.apiFindings ?? []), failOn) ? EXIT.apiFindings : code;
}

/** The plan's own promise, its errors made DetailedPlanErrors when the flag is on. */
export function withDetailedErrors(run: Promise<number>, detailed: boolean): Promise<number> {
  return detailed ? run.catch((error: unknown) => Promise.reject(new DetailedPlanError(error))) : run;
}

/** A command line that commander refused: 1 when it asked for detailed exit codes (2 would read as "changes"), else 2. */
export function usageErrorCode(argv: readonly string[]): number {
  return argv.includes(DETAILED_EXITCODE_FLAG) ? EXIT.chartFailed : EXIT.badInput;
}
