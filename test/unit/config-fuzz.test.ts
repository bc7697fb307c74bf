// A seeded fuzz of stack files: thousands of mutations of a valid stack (values of every type put
// anywhere, keys removed, unknown and prototype keys added, YAML text broken), each loaded as helmcycle
// loads it. Every failure must be an input error (SpecError or StackConfigError: exit 2, never a crash),
// name the file and a field, name the chart when one chart is at fault, and leave Object.prototype as
// it was. The seed is fixed, so a failure here reproduces exactly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { SpecError, StackConfigError } from '../../src/errors.js';
import { parseStackYaml } from '../../src/config/yaml-file.js';
import { resolveStack } from '../../src/stack/load.js';
import type { StackDefinition } from '../../src/stack/types.js';
import { seededRandom } from '../support/seeded-random.js';

const SEED = 0x5eed_2026;
const OBJECT_CASES = 2_000;
const TEXT_CASES = 1_000;
const FILE = '/fuzz/stacks/helmcycle.yaml';

const random = seededRandom;

const base = (): Record<string, unknown> => ({
  name: 'platform',
  concurrency: 2,
  defaults: { namespace: 'apps', createNamespace: true, timeoutSeconds: 120, labels: { team: 'web' }, set: { 'image.tag': '1.0' } },
  environments: { prod: { defaults: { atomic: true }, charts: { web: { set: { replicaCount: 3 } } } } },
  charts: [
    { name: 'db', chart: './charts/db', valuesFiles: ['db.yaml'], crds: { path: 'crds', deleteOnDestroy: false } },
    { name: 'web', chart: 'web', repository: 'https://charts.example', version: '^1.2.0', needs: ['db'], setSensitive: { password: 'xxxx' }, upgradeRetry: { attempts: 2 } },
    { name: 'cache', chart: 'oci://registry.example/charts/cache', remedies: { policy: { 'readiness-timeout': 'rollback' } }, backup: [{ apiVersion: 'v1', kind: 'Secret', name: 's' }] },
  ],
});

type Path = (string | number)[];

/** Every path into the value (objects and arrays), the root excluded. */
function paths(value: unknown, at: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [[...at, k], ...paths((value as Record<string | number, unknown>)[k], [...at, k])]);
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> | undefined {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  return node && typeof node === 'object' ? node : undefined;
}

const KEYS = ['atmic', 'name', 'chart', 'needs', 'lifecycle', 'migrations', 'checks', 'toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__', 'set', 'crds', 'path', 'a.b', '', ' '];

function randomValue(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * 14);
  switch (pick) {
    case 0: return null;
    case 1: return Math.floor(next() * 1e6) - 5e5;
    case 2: return next() * 1e-3;
    case 3: return next() < 0.5;
    case 4: return '';
    case 5: return 'x'.repeat(Math.floor(next() * 5_000));
    case 6: return KEYS[Math.floor(next() * KEYS.length)];
    case 7: return depth > 3 ? [] : [randomValue(next, depth + 1), randomValue(next, depth + 1)];
    case 8: return depth > 3 ? {} : { [KEYS[Math.floor(next() * KEYS.length)]!]: randomValue(next, depth + 1) };
    case 9: return JSON.parse('{"__proto__": {"polluted": true, "shell": true}}');
    case 10: return { 'constructor.prototype.polluted': true, '__proto__.shell': true, 'a[0].__proto__.x': 1 };
    case 11: return Number.NaN;
    case 12: { let deep: unknown = 1; for (let i = 0; i < 80; i++) deep = { d: deep }; return deep; }
    default: return '../../etc/passwd';
  }
}

/** One mutation of a valid stack; returns the mutated stack and the path it touched. */
const BASE_PATHS = paths(base());
const BASE_TEXT = stringify(base());

function mutate(next: () => number): { stack: Record<string, unknown>; path: Path } {
  const stack = base();
  const all = BASE_PATHS;
  const path = all[Math.floor(next() * all.length)]!;
  const parent = parentOf(stack, path)!;
  const key = path.at(-1)!;
  const kind = next();
  if (kind < 0.5) parent[key] = randomValue(next);
  else if (kind < 0.7) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else {
    const target = (parent[key] && typeof parent[key] === 'object' ? parent[key] : parent) as Record<string, unknown>;
    const name = KEYS[Math.floor(next() * KEYS.length)]!;
    // defineProperty, so `__proto__` becomes an own key, as a YAML or JSON parser makes it.
    Object.defineProperty(target, name, { value: randomValue(next), enumerable: true, configurable: true, writable: true });
    return { stack, path: target === parent ? path.slice(0, -1).concat(name) : path.concat(name) };
  }
  return { stack, path };
}

/** Breaks the YAML text of a valid stack at random points. */
function mutateText(next: () => number): string {
  let text = BASE_TEXT;
  const pieces = ['*a', '&a ', '*undefined', ': ', '[', '{', '}', '\t', '---\n', '? ', '!!binary ', "'", '"', '\n  - ', '<<: *a\n', '%YAML 1.1\n', '\u0000', 'name: dup\n'];
  const count = 1 + Math.floor(next() * 3);
  for (let i = 0; i < count; i++) {
    const at = Math.floor(next() * text.length);
    const piece = pieces[Math.floor(next() * pieces.length)]!;
    text = next() < 0.8 ? text.slice(0, at) + piece + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 20));
  }
  return text;
}

/**
 * The chart one mutation is inside of, when its name is intact and it is still a chart; null when the
 * mutation is in the defaults, which no chart is to blame for.
 */
function chartAtFault(stack: Record<string, unknown>, path: Path): string | null | undefined {
  if (path[0] === 'defaults' || (path[0] === 'environments' && path[2] === 'defaults')) return null;
  if (path[0] !== 'charts' || typeof path[1] !== 'number' || path.length < 3 || path[2] === 'name' || path[2] === 'needs') return undefined;
  const chart = (stack.charts as unknown[])[path[1]] as { name?: unknown } | undefined;
  return chart && typeof chart === 'object' && typeof chart.name === 'string' && /^[a-z]+$/.test(chart.name) ? chart.name : undefined;
}

interface Outcome { ok: number; inputErrors: number }

function check(load: () => unknown, expectedChart: string | null | undefined, label: string, outcome: Outcome): void {
  try {
    load();
    outcome.ok++;
  } catch (error) {
    assert.ok(error instanceof SpecError || error instanceof StackConfigError, `${label}: not an input error: ${(error as Error)?.stack ?? String(error)}`);
    outcome.inputErrors++;
    assert.ok(error.message.startsWith(`${FILE}: `), `${label}: names the file: ${error.message.slice(0, 300)}`);
    assert.ok(error.issues.length > 0 && error.issues.every((i) => i.field.length > 0), `${label}: names a field: ${error.message.slice(0, 300)}`);
    assert.ok(error.message.length < 10_000, `${label}: a readable error (${error.message.length} characters)`);
    if (expectedChart) assert.equal(error.chart, expectedChart, `${label}: names the chart: ${error.message.slice(0, 300)}`);
    if (expectedChart === null) assert.equal(error.chart, undefined, `${label}: blames no chart for the defaults: ${error.message.slice(0, 300)}`);
  }
}

describe('fuzzed stack files (seeded)', () => {
  it(`${OBJECT_CASES} mutated stacks and ${TEXT_CASES} broken YAML texts: only input errors, each naming file, field and chart, nothing polluted`, () => {
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const next = random(SEED);
    const outcome: Outcome = { ok: 0, inputErrors: 0 };
    for (let i = 0; i < OBJECT_CASES; i++) {
      const { stack, path } = mutate(next);
      const environment = next() < 0.5 ? 'prod' : undefined;
      const label = `case ${i} (${JSON.stringify(path)}${environment ? ', --env prod' : ''})`;
      check(() => resolveStack(stack as unknown as StackDefinition, { file: FILE, ...(environment ? { environment } : {}) }), chartAtFault(stack, path), label, outcome);
    }
    for (let i = 0; i < TEXT_CASES; i++) {
      const text = mutateText(next);
      check(() => resolveStack(parseStackYaml(text, FILE) as StackDefinition, { file: FILE }), undefined, `text case ${i}`, outcome);
    }
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeBefore, 'Object.prototype gained no property');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).shell, undefined);
    // Both kinds happen: the fuzz is neither all-valid nor all-broken.
    assert.ok(outcome.ok > 100 && outcome.inputErrors > 1_000, JSON.stringify(outcome));
  });
});
