// Health for every kind, on the local cluster with Helm 3 and Helm 4: validate waits for a custom
// resource's Ready condition (flipped by the test through the status subresource, as its operator
// would), a chart's own health function overrides the built-in rule, and a LoadBalancer Service that no
// controller gives an address (none on this cluster), or a claim no provisioner binds, fails with its
// reason. A stack's dependent chart is skipped when what it needs did not become healthy.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition, ChartResult } from '../../src/lifecycle/types.js';
import type { KubeObject } from '../../src/kube/types.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { eventually, fixtures, helmsUnderTest, runCli, uniqueNamespace } from './support.js';

const GADGET_APP = resolve('test/fixtures/charts/gadget-app');
const GROUP = 'health.helmcycle.dev';

const config = new KubeConfig();
config.loadFromDefault();
const customObjects = config.makeApiClient(CustomObjectsApi);

/** Writes a Gadget's status through /status, as its operator would; the main resource ignores status. */
async function setReady(namespace: string, name: string, observedGeneration: number, ready: 'True' | 'False', reason: string, message: string): Promise<void> {
  const status = {
    observedGeneration,
    conditions: [{ type: 'Ready', status: ready, reason, message, observedGeneration, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
  };
  await customObjects.patchNamespacedCustomObjectStatus(
    { group: GROUP, version: 'v1', namespace, plural: 'gadgets', name, body: { status } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

for (const target of helmsUnderTest()) {
  const { helm, kube } = target;
  const namespaces: string[] = [];
  const events: LifecycleEvent[] = [];
  const run = (definition: ChartDefinition): Promise<ChartResult> => runChart(definition, { helm, kube, onEvent: (e) => events.push(e) });
  const spec = (prefix: string, values: Record<string, unknown> = {}): ChartDefinition => {
    const namespace = uniqueNamespace(`${prefix}-${target.label}`);
    namespaces.push(namespace);
    // helm does not wait: Helm 4's watcher judges a custom resource's Ready condition itself (kstatus),
    // and would time out in exec first; Helm 3 never looks at it. Here validate is the one waiter.
    return { name: 'gizmo', namespace, createNamespace: true, chart: GADGET_APP, timeoutSeconds: 8, wait: false, values };
  };
  const gadget = (namespace: string) => ({ apiVersion: `${GROUP}/v1`, kind: 'Gadget', namespace, name: 'gizmo-gadget' });
  /** Once helm's upgrade has changed the Gadget's spec, its operator answers for the new generation. */
  const answerForGeneration = (namespace: string, generation: number, ready: 'True' | 'False', reason: string, message: string) =>
    eventually(`generation ${generation} of the Gadget`, async () => ((await kube.getObject(gadget(namespace)))?.metadata.generation === generation ? true : undefined))
      .then(() => setReady(namespace, 'gizmo-gadget', generation, ready, reason, message));

  describe(`health for every kind with ${target.label}`, () => {
    after(async () => {
      for (const namespace of namespaces) await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    });

    it('a custom resource whose Ready stays False fails validate, naming it and the condition\'s message, and is rolled back', async () => {
      const chart = spec('cr-false');
      const installed = await run({ ...chart, values: { gadget: { size: 'small' } } });
      assert.deepEqual(installed.payload.validate?.checks.find((c) => c.name === 'Gadget/gizmo-gadget'), { name: 'Gadget/gizmo-gadget', ok: true, message: 'no status: counts as current', object: { ...gadget(chart.namespace!) } });
      await setReady(chart.namespace!, 'gizmo-gadget', 1, 'True', 'Reconciled', 'serving on gadget-pool');

      const [error] = await Promise.all([
        expectChartFailure(run({ ...chart, values: { gadget: { size: 'medium' } } })),
        answerForGeneration(chart.namespace!, 2, 'False', 'BackendUnavailable', 'no backend answers on gadget-pool'),
      ]);
      assert.equal(error.phase, 'validate');
      assert.match(error.message, /Gadget\/gizmo-gadget: not ready before the timeout: Ready=False \(BackendUnavailable\): no backend answers on gadget-pool/);
      assert.equal(error.failure?.class, 'unhealthy-resource');
      assert.deepEqual(error.failure?.objects, [{ kind: 'Gadget', name: 'gizmo-gadget', namespace: chart.namespace }]);
      assert.deepEqual(error.remedies.map((r) => [r.failureClass, r.remedy, r.ok]), [['unhealthy-resource', 'rollback', true]]);
      const history = await helm.history({ release: 'gizmo', namespace: chart.namespace! });
      assert.deepEqual(history.map((r) => [r.revision, r.status]), [[1, 'superseded'], [2, 'superseded'], [3, 'deployed']]);
      assert.equal((await kube.getObject(gadget(chart.namespace!)))?.spec?.size, 'small', 'the rollback put the spec of revision 1 back');
    });

    it('passes once the custom resource turns Ready during the wait', async () => {
      const chart = spec('cr-true');
      await run({ ...chart, values: { gadget: { size: 'small' } } });
      await setReady(chart.namespace!, 'gizmo-gadget', 1, 'True', 'Reconciled', 'serving on gadget-pool');
      const validating = () => events.some((e) => e.type === 'phase-started' && e.phase === 'validate' && e.chart === 'gizmo' && e.at > started);
      const started = Date.now();
      const [result] = await Promise.all([
        run({ ...chart, values: { gadget: { size: 'medium' } } }),
        answerForGeneration(chart.namespace!, 2, 'False', 'Resizing', 'moving to a medium slot')
          .then(() => eventually('validate to start', async () => (validating() ? true : undefined)))
          .then(() => setReady(chart.namespace!, 'gizmo-gadget', 2, 'True', 'Reconciled', 'serving on the medium slot')),
      ]);
      assert.equal(result.outcome, 'upgraded');
      const check = result.payload.validate?.checks.find((c) => c.name === 'Gadget/gizmo-gadget');
      assert.equal(check?.message, 'Ready=True (Reconciled): serving on the medium slot');
    });

    it('a chart\'s health function for the kind overrides the built-in rule', async () => {
      const chart = spec('cr-custom', { gadget: { size: 'large' } });
      // The built-in rule passes a Gadget its operator has not reported on yet (no status: current).
      const passed = await run(chart);
      assert.equal(passed.payload.validate?.checks.find((c) => c.name === 'Gadget/gizmo-gadget')?.ok, true);
      const health = {
        [`${GROUP}/Gadget`]: (object: KubeObject) => (object.spec?.size === 'large' ? { status: 'degraded' as const, message: 'size large needs the gadget-xl pool, which this cluster lacks' } : undefined),
      };
      const error = await expectChartFailure(run({ ...chart, health }));
      assert.equal(error.phase, 'validate');
      assert.match(error.message, /Gadget\/gizmo-gadget: degraded: size large needs the gadget-xl pool, which this cluster lacks/);
      assert.equal(error.failure?.class, 'unhealthy-resource');
    });

    it('a LoadBalancer Service without an address, and a claim no provisioner binds, fail with their reasons', async () => {
      // helm's own wait (Helm 3's ready checker, Helm 4's kstatus watcher) also waits for these two
      // kinds, and would time out first: here validate is the waiter.
      const chart = { ...spec('lb', { publicService: { enabled: true }, persistence: { enabled: true } }), timeoutSeconds: 4 };
      const error = await expectChartFailure(run(chart));
      assert.equal(error.phase, 'validate');
      assert.match(error.message, /Service\/gizmo-public: not ready before the timeout: type LoadBalancer, no ingress IP or hostname assigned yet/);
      assert.match(error.message, /PersistentVolumeClaim\/gizmo-data: not ready before the timeout: Pending: no volume bound yet/);
      assert.equal(error.failure?.class, 'unhealthy-resource');
      assert.deepEqual(error.failure?.objects.map((o) => `${o.kind}/${o.name}`).sort(), ['PersistentVolumeClaim/gizmo-data', 'Service/gizmo-public']);
      const service = await kube.getObject({ apiVersion: 'v1', kind: 'Service', namespace: chart.namespace!, name: 'gizmo-public' });
      assert.deepEqual((service?.status as { loadBalancer?: unknown } | undefined)?.loadBalancer, {}, 'the cluster really gave it no address');
    });

    it('status judges the custom resource as validate does: Ready=False is not ready, Ready=True is', async () => {
      const namespace = uniqueNamespace(`status-${target.label}`);
      namespaces.push(namespace);
      const file = join(await mkdtemp(join(tmpdir(), 'helmcycle-health-')), 'helmcycle.yaml');
      await writeFile(file, stringify({ name: 'health', charts: [{ name: 'gizmo', namespace, createNamespace: true, chart: GADGET_APP, wait: false, timeoutSeconds: 8 }] }));
      const cli = (...args: string[]) => runCli(target, file, ...args);
      const applied = await cli('apply');
      assert.equal(applied.code, 0, applied.stdout + applied.stderr);
      await setReady(namespace, 'gizmo-gadget', 1, 'False', 'BackendUnavailable', 'no backend answers on gadget-pool');

      const degraded = await cli('status');
      assert.equal(degraded.code, 1, degraded.stdout);
      assert.match(degraded.stdout, /^gizmo +\S+ +1 +deployed +\S+ +degraded$/m);
      assert.match(degraded.stdout, /^ {2}gizmo: Gadget\/gizmo-gadget: Ready=False \(BackendUnavailable\): no backend answers on gadget-pool$/m);
      const json = (await cli('--output', 'json', 'status')).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; health?: string; unready?: string[] });
      assert.deepEqual(json.find((l) => l.type === 'status')?.unready, ['Gadget/gizmo-gadget: Ready=False (BackendUnavailable): no backend answers on gadget-pool']);

      await setReady(namespace, 'gizmo-gadget', 1, 'True', 'Reconciled', 'serving on gadget-pool');
      const ready = await cli('status');
      assert.equal(ready.code, 0, ready.stdout);
      assert.match(ready.stdout, /^gizmo +\S+ +1 +deployed +\S+ +ready$/m);
    });

    it('a stack skips the chart that needs one whose resources did not become healthy', async () => {
      const namespace = uniqueNamespace(`stack-${target.label}`);
      namespaces.push(namespace);
      const file = join(await mkdtemp(join(tmpdir(), 'helmcycle-health-')), 'helmcycle.yaml');
      await writeFile(file, stringify({
        name: 'health',
        defaults: { namespace, createNamespace: true, timeoutSeconds: 4 },
        charts: [
          { name: 'gizmo', chart: GADGET_APP, wait: false, values: { publicService: { enabled: true } } },
          { name: 'web', chart: resolve(fixtures.web), needs: ['gizmo'] },
        ],
      }));
      let stdout = '';
      const code = await main(['-c', file, '--helm', target.binary, '--output', 'json', 'apply'], { stdout: (t) => (stdout += t), stderr: () => {}, interactive: false });
      assert.equal(code, 1, stdout);
      const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; chart?: string; reason?: string; phase?: string; failureClass?: string });
      assert.ok(lines.some((e) => e.type === 'chart-failed' && e.chart === 'gizmo' && e.phase === 'validate' && e.failureClass === 'unhealthy-resource'), stdout);
      assert.ok(lines.some((e) => e.type === 'chart-skipped' && e.chart === 'web' && /needs 'gizmo', which failed/.test(e.reason ?? '')), stdout);
      assert.equal(await helm.status({ release: 'web', namespace }), undefined, 'web was never installed');
    });
  });
}
