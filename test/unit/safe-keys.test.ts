// The prototype-pollution hole: a stack file's keys must never write into Object.prototype, and helm
// must never run through a shell whatever the file says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseChartSpec } from '../../src/config/parse.js';
import { nestSetValues, parseSetKey } from '../../src/helm/values-files.js';
import { resolveStack } from '../../src/stack/load.js';
import { SpecError, StackConfigError } from '../../src/errors.js';
import { matchesLabels } from '../../src/stack/select.js';

/** The error `fn` throws, checked to be of `type` (assert.throws returns nothing). */
function thrown<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof type, `expected a ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected a ${type.name}, nothing was thrown`);
}

function assertPrototypeClean(): void {
  for (const key of ['shell', 'polluted', 'x']) assert.equal(Object.hasOwn(Object.prototype, key), false, `Object.prototype.${key} was set`);
  assert.equal(({} as Record<string, unknown>).shell, undefined);
}

describe('keys that reach a prototype', () => {
  for (const key of ['__proto__.shell', 'constructor.prototype.shell', 'a.__proto__.shell', 'a[0].prototype', 'a.b\\.c.constructor']) {
    it(`refuses the set key ${key} with the field named`, () => {
      for (const field of ['set', 'setString', 'setSensitive', 'setJson']) {
        const error = thrown(() => parseChartSpec({ name: 'web', chart: './web', [field]: { [key]: 'true' } }, { file: 'helmcycle.yaml' }), SpecError);
        assert.ok(error.issues.some((i) => i.field.startsWith(field) && i.field.includes(key)), JSON.stringify(error.issues));
        assert.match(error.message, /helmcycle\.yaml/);
        assert.equal(error.chart, 'web');
      }
      assertPrototypeClean();
    });
  }

  it('refuses a __proto__ key anywhere in a parsed YAML chart, naming its path', () => {
    const input = parse('name: web\nchart: ./web\nvalues:\n  image:\n    __proto__:\n      shell: true\n');
    assert.throws(() => parseChartSpec(input), (error: unknown) => error instanceof SpecError && error.issues.some((i) => i.field === 'values.image.__proto__'));
    assertPrototypeClean();
  });

  it('refuses a stack whose chart, defaults or environment carries such keys, before merging anything', () => {
    const cases: [string, string, string | undefined][] = [
      ['charts:\n  - name: web\n    chart: ./web\n    setSensitive: {"__proto__.shell": true}\n', 'charts[0].setSensitive', 'web'],
      ['defaults:\n  __proto__: {shell: true}\ncharts:\n  - {name: web, chart: ./web}\n', 'defaults.__proto__', undefined],
      ['environments:\n  prod:\n    charts:\n      web: {set: {"constructor.prototype.shell": "1"}}\ncharts:\n  - {name: web, chart: ./web}\n', 'environments.prod.charts.web.set', undefined],
      ['charts:\n  - name: web\n    chart: ./web\n    __proto__: {shell: true}\n', 'charts[0].__proto__', 'web'],
    ];
    for (const [text, field, chart] of cases) {
      const error = thrown(() => resolveStack(parse(text), { file: '/stacks/helmcycle.yaml' }), StackConfigError);
      assert.ok(error.issues.some((i) => i.field.startsWith(field)), `${field}: ${JSON.stringify(error.issues)}`);
      assert.match(error.message, /\/stacks\/helmcycle\.yaml/);
      if (chart) assert.equal(error.chart, chart);
    }
    assertPrototypeClean();
  });

  it('looks environments up as own keys only', () => {
    const stack = parse('environments: {prod: {}}\ncharts:\n  - {name: web, chart: ./web}\n');
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__']) {
      assert.throws(() => resolveStack(stack, { environment: name }), (e: unknown) => e instanceof StackConfigError && /unknown environment/.test(e.message), name);
    }
    assert.equal(resolveStack(stack, { environment: 'prod' }).environment, 'prod');
  });

  it('nests set values into maps without a prototype and refuses prototype segments itself', () => {
    const nested = nestSetValues({ 'a.b': 1, 'a.c[0]': 'x' });
    assert.equal(Object.getPrototypeOf(nested), null);
    assert.equal(Object.getPrototypeOf(nested.a), null);
    assert.deepEqual(JSON.parse(JSON.stringify(nested)), { a: { b: 1, c: ['x'] } });
    assert.throws(() => parseSetKey('__proto__.shell'), /prototype/);
    assert.throws(() => nestSetValues({ 'constructor.prototype.shell': true }), /prototype/);
    assertPrototypeClean();
  });

  it('matches label selectors on own keys only', () => {
    assert.equal(matchesLabels({}, [{ key: 'constructor', op: '!=', value: 'x' }]), true);
    assert.equal(matchesLabels({}, [{ key: 'constructor', op: '=', value: 'function Object() { [native code] }' }]), false);
  });
});
