// The CLI's exit codes, and which one an outcome maps to. Pure.
import { CancelledError, findCause, isInputError } from '../errors.js';
import type { ChartStatus } from '../stack/inspect.js';

export const EXIT = { ok: 0, chartFailed: 1, badInput: 2, notInstalled: 3, interrupted: 130 } as const;

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

export function exitCodeForError(error: unknown, interrupted: boolean): number {
  if (interrupted || findCause(error, CancelledError)) return EXIT.interrupted;
  if (isInputError(error)) return EXIT.badInput;
  return EXIT.chartFailed;
}
