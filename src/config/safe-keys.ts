// Keys that must never become a path into a prototype. A stack file is data, but helmcycle turns some
// of its keys into property writes: `set: {"a.b": 1}` is nested into {a: {b: 1}}, and defaults are laid
// over charts key by key. A key named `__proto__` (or a dotted path through `constructor.prototype`)
// would then write into Object.prototype, and every later options object, execa's among them, would
// inherit what the file put there. These checks refuse such keys at load time, naming the field. Pure.
import type { SpecIssue } from '../errors.js';
import { parseSetPath, SetPathError } from './set-path.js';

export { PROTOTYPE_KEYS } from './set-path.js';

/** Fields whose keys are helm --set paths (dotted, with [i] indexes). */
export const SET_PATH_FIELDS: readonly string[] = ['set', 'setString', 'setJson', 'setSensitive'];

/** The deepest a stack file's values may nest; beyond it is a mistake or an attack, never a chart's values. */
const MAX_DEPTH = 64;
/** How many issues one error lists before it says how many more there are. */
export const MAX_ISSUES = 20;

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldOf(path: readonly (string | number)[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${key}` : key;
  return out || '(root)';
}

/**
 * Every own key named `__proto__` in a parsed document, at any depth (YAML and JSON parsers keep it as an
 * own property; spreading or assigning it later is where it turns into a prototype write).
 */
export function prototypeKeyIssues(value: unknown, path: (string | number)[] = []): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const visit = (node: unknown, at: (string | number)[]): void => {
    if (issues.length >= MAX_ISSUES) return;
    if (at.length > MAX_DEPTH) {
      issues.push({ field: fieldOf(at), message: `nested deeper than ${MAX_DEPTH} levels` });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, [...at, index]));
      return;
    }
    if (!isPlainRecord(node)) return;
    for (const key of Object.keys(node)) {
      if (key === '__proto__') {
        issues.push({ field: fieldOf([...at, key]), message: "the key '__proto__' is not allowed (it would write into a JavaScript prototype)" });
        continue;
      }
      visit(node[key], [...at, key]);
    }
  };
  visit(value, path);
  return issues;
}

/**
 * Set-path keys (`a.b[0].c`) that reach a prototype or can never be valid, read by the same parser that
 * nests sensitive values and writes helm's argv (set-path.ts), so no key reads one way here and another there.
 */
export function setPathIssues(spec: unknown, prefix: (string | number)[] = []): SpecIssue[] {
  if (!isPlainRecord(spec)) return [];
  const issues: SpecIssue[] = [];
  for (const field of SET_PATH_FIELDS) {
    if (!Object.hasOwn(spec, field)) continue;
    const map = spec[field];
    if (!isPlainRecord(map)) continue;
    for (const key of Object.keys(map)) {
      try {
        parseSetPath(key);
      } catch (error) {
        if (!(error instanceof SetPathError)) throw error;
        // A NUL inside a message would cut it short in a terminal: shown as \0.
        issues.push({ field: `${fieldOf([...prefix, field])}["${key.replaceAll('\u0000', '\\0')}"]`, message: error.reason });
      }
    }
  }
  return issues;
}

/** Both checks over one chart's spec (or a defaults or override layer). */
export function unsafeKeyIssues(spec: unknown, prefix: (string | number)[] = []): SpecIssue[] {
  return [...prototypeKeyIssues(spec, prefix), ...setPathIssues(spec, prefix)].slice(0, MAX_ISSUES);
}
