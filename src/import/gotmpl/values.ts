// The values a helmfile template works on, and the two the import adds. `Unrenderable` is what the
// import cannot evaluate (an unknown function, `exec`, a missing key, `.Release` in the state): it flows
// through every function unchanged, so the output shows exactly where it landed, and a condition on it
// stops the document. `EnvValue` is `env "X"` / `requiredEnv "X"`: never read at import time (the
// importer's own secrets would land in the stack), it becomes a `ref+env://X` reference where it is a
// whole value. Printing, truth and type names follow Go's text/template. Pure.

export class Unrenderable {
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {}
}

export class EnvValue {
  constructor(
    readonly name: string,
    readonly required: boolean,
    readonly line = 0,
  ) {}
}

/** A condition the import cannot decide: the whole document cannot be rendered. */
export class RenderFailure extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(reason);
  }
}

export type Special = Unrenderable | EnvValue;
export const isSpecial = (v: unknown): v is Special => v instanceof Unrenderable || v instanceof EnvValue;

export const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !isSpecial(v);

/** Go's truth: false, 0, nil, "", and an empty list or map are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** Go's fmt %v of a value, as text/template prints it; `special` gives the text of an import value. */
export function display(v: unknown, special: (s: Special) => string): string {
  if (isSpecial(v)) return special(v);
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => display(x, special)).join(' ')}]`;
  if (isMap(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${display(v[k], special)}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** The first import value among `args`, which a function passes on instead of computing. */
export function firstSpecial(args: readonly unknown[]): Special | undefined {
  return args.find(isSpecial);
}
