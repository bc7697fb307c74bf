// `-l` as kubectl reads a label selector: equality, `in`/`notin` sets, existence; anything else refused
// with the accepted forms named.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StackConfigError } from '../../src/errors.js';
import { matchesLabels, parseLabelSelector, selectCharts } from '../../src/stack/select.js';

const charts: { name: string; labels: Record<string, string> }[] = [
  { name: 'db', labels: { tier: 'data', team: 'core' } },
  { name: 'cache', labels: { tier: 'data', team: 'web', legacy: 'yes' } },
  { name: 'web', labels: { tier: 'app', team: 'web' } },
  { name: 'tools', labels: {} },
];
const select = (...selectors: string[]) => [...selectCharts(charts, { selectors })];

describe('label selectors', () => {
  it('parses sets next to equality, splitting only on commas outside parentheses', () => {
    assert.deepEqual(parseLabelSelector('tier in (data, app),team!=core, legacy ,!gone'), [
      { key: 'tier', op: 'in', values: ['data', 'app'] },
      { key: 'team', op: '!=', value: 'core' },
      { key: 'legacy', op: 'exists' },
      { key: 'gone', op: '!exists' },
    ]);
    assert.deepEqual(parseLabelSelector('app.kubernetes.io/part-of notin (shop)'), [{ key: 'app.kubernetes.io/part-of', op: 'notin', values: ['shop'] }]);
  });

  it('matches as kubectl does: in needs the key, notin and != also take a chart without it', () => {
    assert.deepEqual(select('tier in (data,app)'), ['db', 'cache', 'web']);
    assert.deepEqual(select('tier notin (data)'), ['web', 'tools']);
    assert.deepEqual(select('tier in (data),team notin (core)'), ['cache']);
    assert.deepEqual(select('legacy'), ['cache']);
    assert.deepEqual(select('!legacy,tier'), ['db', 'web']);
    assert.deepEqual(select('team=core', 'tier in (app)'), ['db', 'web'], 'repeated -l: any may match');
    assert.equal(matchesLabels({}, [{ key: 'constructor', op: 'in', values: ['x'] }]), false, 'own keys only');
    assert.equal(matchesLabels({}, [{ key: 'toString', op: 'exists' }]), false);
  });

  it('refuses anything else, saying what it accepts', () => {
    const refused = (selector: string, message: RegExp) =>
      assert.throws(() => parseLabelSelector(selector), (e: unknown) => e instanceof StackConfigError && message.test(e.message), selector);
    const forms = /expected key=value, key!=value, key in \(a,b\), key notin \(a,b\), key or !key/;
    refused('tier in data', forms);
    refused('tier in (data', forms);
    refused('tier>1', forms);
    refused('tier=a b', forms);
    refused('tier notin ()', /invalid label selector 'tier notin \(\)' \(-l\): the set of 'notin' is empty/);
    refused('tier in (a,,b)', /'' is not a label value/);
    refused('tier in (a b)', /'a b' is not a label value/);
  });
});
