// The one reader of helm --set paths (`a.b[0].c`, `annotations.cert-manager\.io/issuer`), used where a
// stack is loaded (to refuse a path that reaches a prototype or can never be valid, naming the field),
// where sensitive values are nested into a values file, and where helm's argv is built. Reading the path
// the same way everywhere is the point: a check that reads `\__proto__.x` differently from the code that
// writes it (helm's backslash escapes the next character, whatever it is) lets the path through. Pure.

/** A path's parts: map keys, and list indexes as numbers. */
export type SetPath = readonly (string | number)[];

/** Names that reach a prototype when used as a property key. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** helm's own limit on a --set list index (strvals' MaxIndex). */
const MAX_INDEX = 65_536;

/** A set path that can never be valid: the message says why, without the value it belongs to. */
export class SetPathError extends Error {
  constructor(readonly key: string, readonly reason: string) {
    super(`the key '${key}' ${reason}`);
    this.name = 'SetPathError';
  }
}

/**
 * Splits a helm --set style key into path segments as helm's strvals parser reads it: `.` separates,
 * `[n]` indexes a list, and a backslash makes the next character literal (`a\.b` is one key, `\_` is `_`).
 * Throws a SetPathError for an empty key, a bad list index, or a segment that reaches a prototype.
 */
export function parseSetPath(key: string): (string | number)[] {
  if (key.includes('\u0000')) throw new SetPathError(key.replaceAll('\u0000', '\\0'), 'contains a NUL character, which no argv can carry');
  const segments: (string | number)[] = [];
  let current = '';
  for (let i = 0; i < key.length; i++) {
    const ch = key[i]!;
    if (ch === '\\' && i + 1 < key.length) {
      current += key[++i];
    } else if (ch === '.') {
      if (current) segments.push(current);
      current = '';
    } else if (ch === '[') {
      const end = key.indexOf(']', i);
      const digits = end < 0 ? '' : key.slice(i + 1, end);
      if (!/^\d+$/.test(digits) || Number(digits) > MAX_INDEX) throw new SetPathError(key, `has an invalid list index (expected [0] to [${MAX_INDEX}])`);
      if (current) segments.push(current);
      current = '';
      segments.push(Number(digits));
      i = end;
    } else {
      current += ch;
    }
  }
  if (current) segments.push(current);
  if (segments.length === 0) throw new SetPathError(key, 'is empty');
  const bad = segments.find((segment) => typeof segment === 'string' && PROTOTYPE_KEYS.has(segment));
  if (bad !== undefined) throw new SetPathError(key, `has the segment '${String(bad)}', which would reach a JavaScript prototype`);
  return segments;
}

/** Characters that mean something in a --set key (separators, index brackets, the escape itself). */
const KEY_SYNTAX = /[\\.[\],=]/g;

/**
 * The path written back as a --set key that helm reads as exactly these segments: every character with
 * a meaning to helm's key parser is escaped, so a `,` or `=` inside a key cannot start another
 * assignment. `formatSetPath(parseSetPath(k))` is what reaches helm's argv.
 */
export function formatSetPath(path: SetPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += `${out ? '.' : ''}${segment.replace(KEY_SYNTAX, (ch) => `\\${ch}`)}`;
  }
  return out;
}
