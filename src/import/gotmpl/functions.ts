// The template functions the import evaluates: Go's builtins (eq, and, index, printf, …), the sprig
// functions helmfiles use most, and helmfile's own (get, getOrNil, requiredEnv, env, readFile, toYaml).
// `env`/`requiredEnv` give an EnvValue (a run-time reference, never the importer's environment);
// `readFile` reads through the caller's function, which keeps it inside the helmfile's folder. `exec`
// and every function not here give an Unrenderable: a command is never run, a value never guessed.
// A function given an Unrenderable returns it; given an EnvValue, only the few that keep the value
// whole (quote, toString, …) take it. Pure but for the readFile the caller passes.
import { Buffer } from 'node:buffer';
import { parse as parseYaml, stringify } from 'yaml';
import { display, EnvValue, firstSpecial, isMap, isSpecial, truth, Unrenderable, type Special } from './values.js';

export interface CallContext {
  line: number;
  /** A file's text, by its path as the helmfile names it (relative to the helmfile's folder). */
  readFile?: ((path: string, line: number) => string) | undefined;
  /** How an import value is written into text (a placeholder the import replaces after parsing). */
  special: (s: Special) => string;
}

type Fn = (args: unknown[], c: CallContext) => unknown;

const str = (v: unknown, c: CallContext) => display(v, c.special);
const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : typeof v === 'boolean' ? Number(v) : 0);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);
const equal = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a === b : JSON.stringify(a) === JSON.stringify(b));

function lookupPath(path: string, obj: unknown): { found: boolean; value?: unknown } {
  let node = obj;
  for (const key of path.split('.').filter(Boolean)) {
    if (!isMap(node) || !Object.hasOwn(node, key)) return { found: false };
    node = node[key];
  }
  return { found: true, value: node };
}

function toYaml(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  return stringify(v, { lineWidth: 0 }).replace(/\n$/, '');
}

function printf(args: unknown[], c: CallContext): string {
  const [format, ...rest] = args;
  let n = 0;
  return String(format).replace(/%([-+ 0#]*\d*(?:\.\d+)?)([%sdvqftxX])/g, (all, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const v = rest[n++];
    if (verb === 'q') return JSON.stringify(str(v, c));
    if (verb === 'd') return String(Math.trunc(num(v)));
    if (verb === 'f') return num(v).toFixed(/\.(\d+)/.exec(all)?.[1] ? Number(/\.(\d+)/.exec(all)![1]) : 6);
    if (verb === 'x' || verb === 'X') return typeof v === 'number' ? v.toString(16) : Buffer.from(str(v, c)).toString('hex');
    return str(v, c);
  });
}

const indent = (n: unknown, s: unknown, c: CallContext) => {
  const pad = ' '.repeat(Math.max(0, Math.min(num(n), 1000)));
  return pad + str(s, c).replace(/\n/g, `\n${pad}`);
};

const FUNCTIONS: Record<string, Fn> = {
  // Go builtins
  eq: ([a, ...bs]) => bs.some((b) => equal(a, b)),
  ne: ([a, b]) => !equal(a, b),
  lt: ([a, b]) => (typeof a === 'string' ? String(a) < String(b) : num(a) < num(b)),
  le: ([a, b]) => (typeof a === 'string' ? String(a) <= String(b) : num(a) <= num(b)),
  gt: ([a, b]) => (typeof a === 'string' ? String(a) > String(b) : num(a) > num(b)),
  ge: ([a, b]) => (typeof a === 'string' ? String(a) >= String(b) : num(a) >= num(b)),
  not: ([a]) => !truth(a),
  len: ([a]) => (Array.isArray(a) || typeof a === 'string' ? a.length : isMap(a) ? Object.keys(a).length : 0),
  index: ([a, ...keys]) => keys.reduce((node: unknown, k) => (Array.isArray(node) ? node[num(k)] : isMap(node) && Object.hasOwn(node, String(k)) ? node[String(k)] : null), a),
  print: (args, c) => args.map((a) => str(a, c)).join(''),
  println: (args, c) => `${args.map((a) => str(a, c)).join(' ')}\n`,
  printf,
  // sprig: defaults and types
  default: ([d, v]) => (truth(v) ? v : d),
  empty: ([v]) => !truth(v),
  coalesce: (args) => args.find(truth) ?? null,
  ternary: ([a, b, cond]) => (truth(cond) ? a : b),
  required: ([message, v], c) => (v === null || v === undefined || v === '' ? new Unrenderable(`required: ${str(message, c)}`, c.line) : v),
  fail: ([message], c) => new Unrenderable(`fail: ${str(message, c)}`, c.line),
  toString: ((args: unknown[], c: CallContext) => str(args[0], c)) as Fn,
  int: ([v]) => Math.trunc(num(v)),
  int64: ([v]) => Math.trunc(num(v)),
  atoi: ([v]) => Math.trunc(num(v)),
  float64: ([v]) => num(v),
  toYaml: ([v]) => toYaml(v),
  toJson: ([v]) => JSON.stringify(v ?? null),
  fromYaml: ([v], c) => {
    try {
      return (JSON.parse(JSON.stringify(parseYaml(str(v, c), { maxAliasCount: 100 }))) as unknown) ?? {};
    } catch {
      return new Unrenderable('fromYaml of text that is not YAML', c.line);
    }
  },
  // sprig: strings
  quote: (args, c) => args.filter((a) => a !== null && a !== undefined).map((a) => JSON.stringify(str(a, c))).join(' '),
  squote: (args, c) => args.filter((a) => a !== null && a !== undefined).map((a) => `'${str(a, c)}'`).join(' '),
  upper: ([s], c) => str(s, c).toUpperCase(),
  lower: ([s], c) => str(s, c).toLowerCase(),
  title: ([s], c) => str(s, c).replace(/\b\w/g, (m) => m.toUpperCase()),
  trim: ([s], c) => str(s, c).trim(),
  trimSuffix: ([suffix, s], c) => (str(s, c).endsWith(str(suffix, c)) ? str(s, c).slice(0, str(s, c).length - str(suffix, c).length) : str(s, c)),
  trimPrefix: ([prefix, s], c) => (str(s, c).startsWith(str(prefix, c)) ? str(s, c).slice(str(prefix, c).length) : str(s, c)),
  replace: ([from, to, s], c) => str(s, c).split(str(from, c)).join(str(to, c)),
  contains: ([sub, s], c) => str(s, c).includes(str(sub, c)),
  hasPrefix: ([prefix, s], c) => str(s, c).startsWith(str(prefix, c)),
  hasSuffix: ([suffix, s], c) => str(s, c).endsWith(str(suffix, c)),
  trunc: ([n, s], c) => (num(n) >= 0 ? str(s, c).slice(0, num(n)) : str(s, c).slice(num(n))),
  repeat: ([n, s], c) => str(s, c).repeat(Math.max(0, Math.min(num(n), 10_000))),
  cat: (args, c) => args.filter((a) => a !== null && a !== undefined).map((a) => str(a, c)).join(' '),
  indent: ([n, s], c) => indent(n, s, c),
  nindent: ([n, s], c) => `\n${indent(n, s, c)}`,
  b64enc: ([s], c) => Buffer.from(str(s, c)).toString('base64'),
  b64dec: ([s], c) => Buffer.from(str(s, c), 'base64').toString('utf8'),
  splitList: ([sep, s], c) => str(s, c).split(str(sep, c)),
  join: ([sep, l], c) => list(l).map((x) => str(x, c)).join(str(sep, c)),
  // sprig: lists and maps
  list: (args) => [...args],
  dict: (args, c) => {
    const out: Record<string, unknown> = {};
    // defineProperty: a key named __proto__ is a key like any other, never the object's prototype.
    for (let i = 0; i + 1 < args.length; i += 2) Object.defineProperty(out, str(args[i], c), { value: args[i + 1], enumerable: true, writable: true, configurable: true });
    return out;
  },
  first: ([l]) => list(l)[0] ?? null,
  last: ([l]) => list(l).at(-1) ?? null,
  append: ([l, v]) => [...list(l), v],
  concat: (args) => args.flatMap(list),
  uniq: ([l]) => list(l).filter((v, i, all) => all.findIndex((w) => equal(v, w)) === i),
  has: ([v, l]) => list(l).some((w) => equal(v, w)),
  hasKey: ([m, k], c) => isMap(m) && Object.hasOwn(m, str(k, c)),
  keys: (maps) => maps.flatMap((m) => (isMap(m) ? Object.keys(m) : [])),
  sortAlpha: ([l], c) => list(l).map((x) => str(x, c)).sort(),
  add: (args) => args.reduce((a: number, b) => a + num(b), 0),
  add1: ([a]) => num(a) + 1,
  sub: ([a, b]) => num(a) - num(b),
  mul: (args) => args.reduce((a: number, b) => a * num(b), 1),
  div: ([a, b], c) => (num(b) === 0 ? new Unrenderable('div by zero', c.line) : Math.trunc(num(a) / num(b))),
  mod: ([a, b], c) => (num(b) === 0 ? new Unrenderable('mod by zero', c.line) : num(a) % num(b)),
  max: (args) => Math.max(...args.map(num)),
  min: (args) => Math.min(...args.map(num)),
  // helmfile's own
  get: (args, c) => {
    const [path, ...rest] = args;
    const obj = rest.at(-1);
    const found = lookupPath(str(path, c), obj);
    if (found.found) return found.value;
    return rest.length >= 2 ? rest[0] : new Unrenderable(`get: no value at '${str(path, c)}'`, c.line);
  },
  getOrNil: ([path, obj], c) => lookupPath(str(path, c), obj).value ?? null,
  readFile: ([path], c) => (c.readFile ? c.readFile(str(path, c), c.line) : new Unrenderable('readFile outside a helmfile', c.line)),
  env: ([name], c) => envValue(name, false, c),
  requiredEnv: ([name], c) => envValue(name, true, c),
};

function envValue(name: unknown, required: boolean, c: CallContext): unknown {
  const text = typeof name === 'string' ? name : '';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return new Unrenderable(`${required ? 'requiredEnv' : 'env'} of a name that is not a variable name`, c.line);
  return new EnvValue(text, required, c.line);
}

/** Functions that keep an environment reference whole: their result is the reference itself. */
const KEEPS_ENV = new Set(['quote', 'squote', 'toString', 'required', 'toYaml', 'print']);

/** Functions that never run, with why: data stays data. */
const REFUSED: Record<string, string> = {
  exec: 'exec runs a command: import never runs one',
  envExec: 'envExec runs a command: import never runs one',
  fetchSecretValue: 'fetchSecretValue reads a secret store at render time',
  expandSecretRefs: 'expandSecretRefs reads a secret store at render time',
  readDir: 'readDir lists files at render time',
  readDirEntries: 'readDirEntries lists files at render time',
  tpl: 'tpl renders text as a template',
  include: 'include calls a named template',
  lookup: 'lookup reads the cluster',
};

export const knownFunction = (name: string) => Object.hasOwn(FUNCTIONS, name);

/** A function call; import values are passed on as the table above says. */
export function callFunction(name: string, args: unknown[], c: CallContext): unknown {
  if (Object.hasOwn(REFUSED, name)) return new Unrenderable(REFUSED[name]!, c.line);
  if (!Object.hasOwn(FUNCTIONS, name)) return new Unrenderable(`the function '${name}', which import does not evaluate`, c.line);
  const special = firstSpecial(args);
  if (special instanceof Unrenderable) return special;
  if (special instanceof EnvValue) {
    if (!KEEPS_ENV.has(name) || args.filter(isSpecial).length > 1 || (name !== 'required' && args.length > 1)) {
      return new Unrenderable(`${name} of the environment variable ${special.name}, which import leaves to run time (a ref+env reference has no ${name === 'default' ? 'default' : 'function applied'})`, c.line);
    }
    if (name === 'required' || name === 'toYaml' || name === 'toString' || name === 'print') return special;
  }
  const result = FUNCTIONS[name]!(args, c);
  // A template is data: one that doubles a string in a loop is cut off here, not left to exhaust memory.
  if (typeof result === 'string' && result.length > MAX_STRING) return new Unrenderable(`${name} made a string longer than ${MAX_STRING} characters`, c.line);
  return result;
}

/** The longest string a function may return. */
export const MAX_STRING = 1_000_000;
