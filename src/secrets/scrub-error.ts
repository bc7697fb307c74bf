// Masks an error before it leaves the library: the message, the stack and every string field of each
// error in its cause chain (helm's stderr tail, a hint, diagnostics), so that whatever a caller prints
// (`error.message`, `error.cause.failure.stderrTail`, `util.inspect(error)`) holds no secret. Errors
// are changed in place because they are thrown onward as they are; plain data they hold is replaced by
// masked copies, never changed where it is shared.
import type { Masker } from './masker.js';

const MAX_CHAIN = 20;

function maskField(holder: Record<string, unknown>, key: string, masker: Masker): void {
  const value = holder[key];
  let masked: unknown;
  if (typeof value === 'string') masked = masker.mask(value);
  else if (typeof value === 'object' && value !== null && !(value instanceof Error)) masked = masker.maskDeep(value);
  else return;
  if (masked === value) return;
  try {
    holder[key] = masked;
  } catch {
    // A read-only field: define it over (an own, configurable property).
    try {
      Object.defineProperty(holder, key, { value: masked, configurable: true, enumerable: true, writable: false });
    } catch {
      // Frozen: nothing more can be done here; the message and stack are masked regardless.
    }
  }
}

export function scrubError<E>(error: E, masker: Masker): E {
  if (masker.empty) return error;
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CHAIN && current instanceof Error && !seen.has(current); depth++) {
    seen.add(current);
    const holder = current as unknown as Record<string, unknown>;
    current.message = masker.mask(current.message);
    if (current.stack) current.stack = masker.mask(current.stack);
    for (const key of Object.keys(holder)) if (key !== 'cause') maskField(holder, key, masker);
    if (current instanceof AggregateError) current.errors.forEach((inner: unknown) => scrubError(inner, masker));
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}

/** A shallow copy of `object` whose named fields (those present) are masked copies. */
export function maskFields<T extends object>(object: T, keys: readonly (keyof T)[], masker: Masker): T {
  if (masker.empty) return object;
  const copy = { ...object };
  for (const key of keys) if (copy[key] !== undefined) copy[key] = masker.maskDeep(copy[key]);
  return copy;
}
