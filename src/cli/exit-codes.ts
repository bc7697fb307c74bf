// The CLI's exit codes, and which one an outcome maps to. Pure.
import { CancelledError, findCause, isInputError } from '../errors.js';

export const EXIT = { ok: 0, chartFailed: 1, badInput: 2, interrupted: 130 } as const;

export function exitCodeForError(error: unknown, interrupted: boolean): number {
  if (interrupted || findCause(error, CancelledError)) return EXIT.interrupted;
  if (isInputError(error)) return EXIT.badInput;
  return EXIT.chartFailed;
}
