// The CLI's exit codes, and which one an outcome maps to. Pure.
import { CancelledError, causeChain, findCause, hasErrorCode, isInputError } from '../errors.js';

/**
 * 0 success; 1 a chart failed; 2 bad input (nothing changed); 4 every chart that failed was refused
 * because another run holds its release's lease past --lock-timeout (nothing of those charts changed:
 * retrying later is safe); 130 interrupted.
 */
export const EXIT = { ok: 0, chartFailed: 1, badInput: 2, locked: 4, interrupted: 130 } as const;

/** A failure that is only "another run holds the release": its chart changed nothing. */
export function isLeaseRefusal(error: unknown): boolean {
  for (const item of causeChain(error)) if (hasErrorCode(item, 'RELEASE_LEASE_HELD')) return true;
  return false;
}

export function exitCodeForError(error: unknown, interrupted: boolean): number {
  if (interrupted || findCause(error, CancelledError)) return EXIT.interrupted;
  if (isInputError(error)) return EXIT.badInput;
  if (isLeaseRefusal(error)) return EXIT.locked;
  return EXIT.chartFailed;
}
