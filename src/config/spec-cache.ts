// The chart specs already validated in this process, by their content. A run checks each chart's spec
// several times (the stack's load, then plan's and apply's spec of the chart under the run's settings,
// the guard and the digest), and zod costs about a millisecond a spec: with 1,000 charts that was a
// second of a plan that changes nothing. Only plain data is remembered (strings, finite numbers, booleans,
// null, plain objects and arrays): a spec holding anything else (undefined, a function, a class, -0, NaN)
// is checked every time, because its JSON would not say exactly what zod saw. Each answer is a copy, so
// a caller that changes its spec changes no other caller's.
import type { ChartSpec } from './chart-spec.js';

/** Enough for the largest stacks; past it the cache starts again rather than grow without bound. */
const LIMIT = 4096;
const specs = new Map<string, ChartSpec>();

function isPlain(value: unknown, depth: number): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    if (Object.keys(value).length !== value.length) return false; // holes, or extra properties
    return value.every((item) => isPlain(item, depth + 1));
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  // Every own property must be enumerable data (a getter or a hidden key is not what JSON shows).
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
    if (!descriptor.enumerable || !('value' in descriptor) || key === '__proto__') return false;
    if (!isPlain(descriptor.value, depth + 1)) return false;
  }
  return true;
}

/** The key of a spec input whose JSON says exactly what it holds; undefined for any other. Pure. */
export function specKey(input: unknown): string | undefined {
  return isPlain(input, 0) ? JSON.stringify(input) : undefined;
}

/** A copy of the spec validated for this input before, if any. */
export function knownSpec(key: string | undefined): ChartSpec | undefined {
  const spec = key === undefined ? undefined : specs.get(key);
  return spec ? structuredClone(spec) : undefined;
}

/** Remembers a spec validated for this input (a copy: the caller keeps its own). */
export function rememberSpec(key: string | undefined, spec: ChartSpec): void {
  if (key === undefined) return;
  if (specs.size >= LIMIT) specs.clear();
  specs.set(key, structuredClone(spec));
}
