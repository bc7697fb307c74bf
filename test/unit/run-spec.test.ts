// runSpecOf derives the spec a chart runs with from the spec validated at load (issue 26: no second zod
// pass a chart); it must be exactly what validating the run's definition gives, for every command and
// flag that changes the definition, and for charts that set those fields themselves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartSpecOf, runDefinitionOf, runSpecOf } from '../../src/stack/chart-spec-of.js';
import { resolveStack } from '../../src/stack/load.js';

const stack = resolveStack(
  {
    defaults: { namespace: 'apps', timeoutSeconds: 180 },
    charts: [
      { name: 'web', chart: 'web', repository: 'http://charts.example', version: '1.2.0', values: { replicas: 2, enabled: false, list: [] } },
      { name: 'kept', chart: 'kept', repository: 'http://charts.example', version: '2.0.0', skipUnchanged: false, ignoreDrift: true },
      { name: 'gone', chart: 'gone', repository: 'http://charts.example', version: '0.1.0', action: 'destroy', needs: ['web'] },
      { name: 'local', chart: './charts/local', skipUnchanged: true, wait: false, atomic: true },
    ],
  },
  { file: '/stacks/shop/helmcycle.yaml' },
);

const settingsToTry = [
  { command: 'apply' },
  { command: 'apply', forceUpgrade: true },
  { command: 'apply', ignoreDrift: true },
  { command: 'apply', forceUpgrade: true, ignoreDrift: true },
  { command: 'destroy' },
  { command: 'destroy', ignoreDrift: true },
  { command: 'validate' },
  { command: 'validate', forceUpgrade: true },
] as const;

describe('runSpecOf', () => {
  it('equals validating the run definition, for every chart and every command and flag', () => {
    for (const chart of stack.charts) {
      for (const settings of settingsToTry) {
        const derived = runSpecOf(chart, settings);
        const validated = chartSpecOf(runDefinitionOf(chart, settings), chart.file);
        assert.deepEqual(derived, validated, `${chart.definition.name} under ${JSON.stringify(settings)}`);
      }
    }
  });

  it('sets what the run changes: destroy, skipUnchanged by --force-upgrade, ignoreDrift', () => {
    const web = stack.charts.find((c) => c.definition.name === 'web')!;
    assert.equal(runSpecOf(web, { command: 'apply' }).skipUnchanged, true);
    assert.equal(runSpecOf(web, { command: 'apply', forceUpgrade: true }).skipUnchanged, false);
    assert.equal(runSpecOf(web, { command: 'apply', ignoreDrift: true }).ignoreDrift, true);
    assert.equal(runSpecOf(web, { command: 'destroy' }).action, 'destroy');
    const kept = stack.charts.find((c) => c.definition.name === 'kept')!;
    assert.equal(runSpecOf(kept, { command: 'apply' }).skipUnchanged, false, "the chart's own skipUnchanged: false stands");
  });

  it('hands each caller its own copy', () => {
    const web = stack.charts.find((c) => c.definition.name === 'web')!;
    const first = runSpecOf(web, { command: 'apply' });
    const pristine = structuredClone(first);
    (first as unknown as Record<string, unknown>).version = '9.9.9';
    (first.valuesFiles as string[]).push('mutated.yaml');
    assert.deepEqual(runSpecOf(web, { command: 'apply' }), pristine);
  });
});
