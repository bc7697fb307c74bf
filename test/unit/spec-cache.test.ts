// A chart spec validated once is not validated again in the same process (src/config/spec-cache.ts):
// but only when its JSON says all it holds, and every caller gets a copy of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChartSpec } from '../../src/config/parse.js';
import { knownSpec, specKey } from '../../src/config/spec-cache.js';

const input = () => ({ name: 'cache-web', chart: 'web', repository: 'https://charts.example.com', version: '1.0.0', namespace: 'apps', values: { replicas: 2, image: { tag: 'v1' } } });

test('a valid spec is remembered by its content, and each answer is a copy', () => {
  const first = parseChartSpec(input());
  const key = specKey(input());
  assert.ok(key);
  assert.deepEqual(knownSpec(key), first);
  // A caller that changes its spec changes nobody else's.
  (first.values as { replicas: number }).replicas = 99;
  const second = parseChartSpec(input());
  assert.equal((second.values as { replicas: number }).replicas, 2);
  assert.notEqual(parseChartSpec(input()), second);
});

test('only plain data has a key: undefined, functions, classes, -0, NaN and getters are checked every time', () => {
  assert.equal(specKey({ name: 'x', version: undefined }), undefined);
  assert.equal(specKey({ name: 'x', values: { f: () => 1 } }), undefined);
  assert.equal(specKey({ name: 'x', values: { at: new Date(0) } }), undefined);
  assert.equal(specKey({ name: 'x', values: { n: -0 } }), undefined);
  assert.equal(specKey({ name: 'x', values: { n: Number.NaN } }), undefined);
  assert.equal(specKey({ name: 'x', values: Object.defineProperty({}, 'hidden', { value: 1, enumerable: false }) }), undefined);
  assert.equal(specKey({ name: 'x', values: { get g() { return 1; } } }), undefined);
  assert.equal(specKey({ name: 'x', values: [1, , 3] }), undefined); // eslint-disable-line no-sparse-arrays
  assert.equal(specKey({ name: 'x', values: { a: [1, 'b', null, true, { c: 0 }] } }), '{"name":"x","values":{"a":[1,"b",null,true,{"c":0}]}}');
});

test('an invalid spec is never remembered: it fails each time, naming its file', () => {
  const bad = { ...input(), name: 'cache-bad', replicas: 'x' };
  assert.throws(() => parseChartSpec(bad, { file: 'a.yaml' }), /a\.yaml/);
  assert.throws(() => parseChartSpec(bad, { file: 'b.yaml' }), /b\.yaml/);
  assert.equal(knownSpec(specKey(bad)), undefined);
  // undefined where a key is unknown is still refused, though its JSON would hide it.
  assert.throws(() => parseChartSpec({ ...input(), nosuchfield: undefined }));
});
