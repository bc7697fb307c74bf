// Unknown keys in a stack or chart config, said the way a person fixes them: one issue per key, with the
// nearest valid key at that place when one is close ("namspace: unknown key, did you mean 'namespace'?").
// Zod reports an unknown key without the keys it expected, so they are read from the schema itself at the
// issue's path. Pure.
import type { z } from 'zod';
import type { SpecIssue } from '../errors.js';

/**
 * The last row of the edit table between `a` and `b` (insert, delete, substitute, swap two neighbours:
 * optimal string alignment, so `namsepace` is one edit from `namespace`, as a typing slip is): entry j is
 * the edits from `a` to the first j characters of `b`.
 */
function editRow(a: string, b: string): number[] {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]!;
}

/** Keys longer than this are not mistyped field names: no suggestion is looked for. */
const MAX_SUGGESTED_KEY_LENGTH = 64;
/** Suggestions looked for in one error: an error lists 20 issues (errors.ts), a file may hold 50,000 bad keys. */
const MAX_SUGGESTIONS = 50;

/** Edits between two strings. */
export function editDistance(a: string, b: string): number {
  return editRow(a, b)[b.length]!;
}

/**
 * The valid key a mistyped one most likely meant, or undefined when none is close. Case is ignored
 * (`Namespace`, `valuesfiles`); "close" grows with the key's length (1 edit for short keys, up to 3), so a
 * short unrelated key is not "corrected" into another. A key that is a (mistyped) start of a longer one
 * (`timout` for `timeoutSeconds`) is suggested only when no key is close as a whole.
 */
export function nearestKey(key: string, candidates: readonly string[]): string | undefined {
  // No valid key is this long, and the table would be as long as the key.
  if (key.length > MAX_SUGGESTED_KEY_LENGTH) return undefined;
  const wanted = key.toLowerCase();
  const allowed = Math.min(3, Math.max(1, Math.floor(key.length / 3)));
  let best: { key: string; rank: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === key) continue;
    const row = editRow(wanted, candidate.toLowerCase());
    const whole = row[row.length - 1]!;
    // Prefixes count only for keys long enough to say something (4+), and rank after every whole match.
    const prefix = key.length >= 4 ? Math.min(...row.slice(key.length - 1)) : Infinity;
    const rank = whole <= allowed ? whole : prefix <= allowed ? 10 + prefix : Infinity;
    if (rank < (best?.rank ?? Infinity)) best = { key: candidate, rank };
  }
  return best?.key;
}

/** Zod's own description of a schema (v4 keeps it on `_zod.def`); only the parts walked here. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
  options?: readonly z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The object schemas a value at `path` inside `schema` is checked by (several for a union). */
function objectsAt(schema: z.ZodType | undefined, path: readonly PropertyKey[], depth = 0): z.ZodType[] {
  if (!schema || depth > 64) return [];
  const def = defOf(schema);
  const wrapped = def.innerType ?? def.in ?? def.getter?.();
  if (wrapped) return objectsAt(wrapped, path, depth + 1);
  if (def.type === 'union') return (def.options ?? []).flatMap((option) => objectsAt(option, path, depth + 1));
  if (def.type === 'intersection') return [...objectsAt(def.left, path, depth + 1), ...objectsAt(def.right, path, depth + 1)];
  if (path.length === 0) return def.type === 'object' ? [schema] : [];
  const [head, ...rest] = path;
  if (def.type === 'object') return typeof head === 'string' && def.shape && Object.hasOwn(def.shape, head) ? objectsAt(def.shape[head], rest, depth + 1) : [];
  if (def.type === 'array') return objectsAt(def.element, rest, depth + 1);
  if (def.type === 'record') return objectsAt(def.valueType, rest, depth + 1);
  return [];
}

/** The keys an object at `path` inside `schema` may have, in the schema's order. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((object) => Object.keys(defOf(object).shape ?? {})))];
}

/** How a path is written for a user (config/parse.ts formatFieldPath). */
export type FieldFormat = (path: readonly PropertyKey[]) => string;

/** The issue for one unknown key at `path`, with the nearest valid key when one is close. */
export function unknownKeyIssue(key: string, path: readonly PropertyKey[], known: readonly string[], formatField: FieldFormat): SpecIssue {
  const suggestion = known.length > 0 ? nearestKey(key, known) : undefined;
  return { field: formatField([...path, key]), message: suggestion ? `unknown key, did you mean '${suggestion}'?` : 'unknown key' };
}

/**
 * A zod error's issues as SpecIssues, each unknown key its own issue with a suggestion from `schema`.
 * `alsoKnownAtRoot` are keys valid at the top level though the schema does not list them (a chart
 * definition's `needs`, `lifecycle`, ..., split off before the spec is checked).
 */
export function specIssuesOf(error: z.ZodError, schema: z.ZodType, formatField: FieldFormat, alsoKnownAtRoot: readonly string[] = []): SpecIssue[] {
  let suggested = 0;
  return error.issues.flatMap((issue): SpecIssue[] => {
    if (issue.code !== 'unrecognized_keys') return [{ field: formatField(issue.path), message: issue.message }];
    const known = [...knownKeysAt(schema, issue.path), ...(issue.path.length === 0 ? alsoKnownAtRoot : [])];
    return issue.keys.map((key) => unknownKeyIssue(key, issue.path, suggested++ < MAX_SUGGESTIONS ? known : [], formatField));
  });
}
