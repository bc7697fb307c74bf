// validate's health wait through runChart and a stack's scheduler, over fakes: the failure names each
// object and its reason, is classed unhealthy-resource and rolled back; a chart's health function
// overrides the built-in rule; a dependent chart starts only after its need's validate passed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpecError, ValidationError } from '../../src/errors.js';
import { classifyFailure } from '../../src/failures/classify.js';
import { defaultRemedy } from '../../src/failures/remedies.js';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition } from '../../src/lifecycle/types.js';
import type { KubeObject } from '../../src/kube/types.js';
import { buildGraph } from '../../src/stack/graph.js';
import { runGraph } from '../../src/stack/scheduler.js';
import { parseChartSpec } from '../../src/config/parse.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { FakeHelm, FakeKube, releaseInfo } from './fakes.js';

const base: ChartDefinition = { name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', timeoutSeconds: 1 };
const widgetManifest = '---\n# Source: web/templates/widget.yaml\napiVersion: fixtures.helmcycle.dev/v1\nkind: Widget\nmetadata:\n  name: web-gizmo\nspec:\n  tier: gold\n';

function widget(ready: 'True' | 'False', message: string): KubeObject {
  return {
    apiVersion: 'fixtures.helmcycle.dev/v1', kind: 'Widget',
    metadata: { name: 'web-gizmo', namespace: 'apps', generation: 1 },
    spec: { tier: 'gold' },
    status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'Reconciled' : 'BackendUnavailable', message, lastTransitionTime: '2026-12-02T08:00:00Z' }] },
  };
}

function setup(live: KubeObject) {
  const helm = new FakeHelm();
  const kube = new FakeKube();
  helm.manifest = widgetManifest;
  // A release at revision 2 over a good revision 1: what the rollback remedy goes back to.
  helm.current = releaseInfo({ revision: 1 });
  helm.historyRows = [
    { revision: 1, status: 'superseded', chart: 'web-1.0.0', appVersion: undefined, description: 'Install complete', updated: undefined },
    { revision: 2, status: 'deployed', chart: 'web-1.0.0', appVersion: undefined, description: 'Upgrade complete', updated: undefined },
  ];
  kube.objects.set('Widget/apps/web-gizmo', live);
  const events: LifecycleEvent[] = [];
  return { helm, kube, events, options: { helm, kube, lease: false as const, onEvent: (e: LifecycleEvent) => events.push(e) } };
}

describe('validate waits for every judged object', () => {
  it('fails naming the custom resource and its condition\'s message, classed unhealthy-resource, and the remedy rolls back', async () => {
    const { options, helm, events } = setup(widget('False', 'the gizmo backend does not answer'));
    const error = await expectChartFailure(runChart(base, options));
    assert.equal(error.phase, 'validate');
    assert.match(error.message, /Widget\/web-gizmo: not ready before the timeout: Ready=False \(BackendUnavailable\): the gizmo backend does not answer/);
    assert.equal(error.failure?.class, 'unhealthy-resource');
    assert.deepEqual(error.failure?.objects, [{ kind: 'Widget', name: 'web-gizmo', namespace: 'apps' }]);
    const remedy = events.find((e) => e.type === 'remedy');
    assert.equal((remedy as { remedy?: string } | undefined)?.remedy, 'rollback');
    assert.ok(helm.calls.some((c) => c.startsWith('rollback:1')), helm.calls.join(' '));
  });

  it('passes once the custom resource is Ready', async () => {
    const { options } = setup(widget('True', 'serving'));
    const result = await runChart(base, options);
    assert.deepEqual(result.payload.validate?.checks.map((c) => [c.name, c.ok, c.message]), [['release', true, 'revision 2 deployed'], ['Widget/web-gizmo', true, 'Ready=True (Reconciled): serving']]);
  });

  it('lets a chart\'s health function fail what the built-in rule passes', async () => {
    const { options } = setup(widget('True', 'serving'));
    const health = { 'fixtures.helmcycle.dev/Widget': (o: KubeObject) => (o.spec?.tier === 'gold' ? { status: 'degraded' as const, message: 'tier gold is retired' } : undefined) };
    const error = await expectChartFailure(runChart({ ...base, health }, options));
    assert.match(error.message, /Widget\/web-gizmo: degraded: tier gold is retired/);
  });

  it('lets a chart\'s health function pass what the built-in rule fails', async () => {
    const { options } = setup(widget('False', 'never'));
    const result = await runChart({ ...base, health: { 'fixtures.helmcycle.dev/Widget': () => ({ status: 'healthy', message: 'the chart does not wait for widgets' }) } }, options);
    assert.equal(result.payload.validate?.checks[1]?.message, 'the chart does not wait for widgets');
  });

  it('refuses a health field that is not a map of group/Kind to functions, naming the field', async () => {
    assert.throws(() => parseChartSpec({ ...base, health: {} }), SpecError, 'the spec parser alone does not know it');
    await Promise.all([
      assert.rejects(runChart({ ...base, health: { 'widgets.example.com': () => undefined } } as ChartDefinition, setup(widget('True', 'x')).options), (e: unknown) => e instanceof SpecError && /health\.widgets\.example\.com.*group\/Kind/s.test(e.message)),
      assert.rejects(runChart({ ...base, health: { 'example.com/Widget': 'Ready' } } as unknown as ChartDefinition, setup(widget('True', 'x')).options), (e: unknown) => e instanceof SpecError && /health\.example\.com\/Widget.*expected a function/s.test(e.message)),
    ]);
  });

  it('keeps a workload\'s failure a readiness-timeout', () => {
    const report = classifyFailure(new ValidationError('web', [{ name: 'Deployment/web', message: 'not ready before the timeout: 0 of 1', object: { kind: 'Deployment', name: 'web' } }]));
    assert.equal(report.class, 'readiness-timeout');
    assert.equal(defaultRemedy('unhealthy-resource', { crds: undefined, remedies: { policy: {}, maxAttempts: 1, allowAdoption: false } }), 'rollback');
  });
});

describe('a dependent chart in a stack', () => {
  it('starts only after what it needs has validated, and is skipped when that validate fails', async () => {
    const order: string[] = [];
    const run = (ready: 'True' | 'False') => async (name: string) => {
      const { options } = setup(widget(ready, 'the gizmo backend does not answer'));
      const onEvent = (e: LifecycleEvent) => {
        if (e.type === 'phase-started' || e.type === 'phase-finished' || e.type === 'phase-failed') order.push(`${name}:${e.phase}:${e.type.slice(6)}`);
      };
      return runChart({ ...base, name }, { ...options, onEvent });
    };
    const graph = buildGraph([{ name: 'operator', needs: [] }, { name: 'app', needs: ['operator'] }]);
    const passed = await runGraph({ graph, concurrency: 4, run: run('True') });
    assert.equal(passed.get('app')!.status, 'succeeded');
    assert.ok(order.indexOf('operator:validate:finished') < order.indexOf('app:checkPrerequisites:started'), order.join(' '));
    order.length = 0;
    const failed = await runGraph({ graph, concurrency: 4, run: run('False') });
    assert.equal(failed.get('operator')!.status, 'failed');
    assert.deepEqual(failed.get('app'), { status: 'skipped', reason: "needs 'operator', which failed" });
    assert.ok(order.includes('operator:validate:failed'));
    assert.ok(!order.some((e) => e.startsWith('app:')), 'the dependent never started');
  });
});
