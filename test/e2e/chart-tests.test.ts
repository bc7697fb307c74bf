// `tests:` on a chart: helm test runs in validate, for real, on the local cluster, with both helms. A
// failing test pod (kwok's fake-behavior=fail) fails the deploy, is classed chart-test-failed and rolled back.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition, ChartResult } from '../../src/lifecycle/types.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { configMapData, fixtures, helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const created: { target: HelmUnderTest; namespace: string }[] = [];
after(async () => {
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
});

for (const target of helmsUnderTest()) {
  const { helm, kube } = target;
  const run = (definition: ChartDefinition): Promise<ChartResult> => runChart(definition, { helm, kube });
  const namespaceFor = (prefix: string) => {
    const namespace = uniqueNamespace(`${prefix}-${target.label}`);
    created.push({ target, namespace });
    return namespace;
  };

  describe(`chart tests with ${target.label}`, () => {
    it('an upgrade whose test pod fails is rolled back, with the test pod in the diagnostics', async () => {
      const namespace = namespaceFor('ctfail');
      const spec = { name: 'tested', namespace, createNamespace: true, chart: fixtures.tested, timeoutSeconds: 60, tests: true } as const;
      await run({ ...spec, set: { message: 'v1' } });
      const error = await expectChartFailure(run({ ...spec, set: { message: 'v2', failConnectionTest: true } }));
      assert.equal(error.phase, 'validate');
      assert.equal(error.failure?.class, 'chart-test-failed');
      assert.deepEqual(error.failure?.objects.map((o) => `${o.kind}/${o.name}`), ['Pod/tested-test-connection']);
      assert.deepEqual(error.remedies.map((r) => [r.failureClass, r.remedy, r.ok]), [['chart-test-failed', 'rollback', true]]);
      const pod = error.failure?.testPods?.[0];
      assert.equal(pod?.pod, 'tested-test-connection');
      assert.equal(pod?.phase, 'Failed');
      assert.match(pod?.containers[0] ?? '', /^wget: terminated, exit code 1 \(Error\): fake failure/);
      assert.match(error.message, /test pod tested-test-connection \(Failed\):\n {2}wget: terminated, exit code 1 \(Error\)/);
      const history = await helm.history({ release: 'tested', namespace });
      assert.deepEqual(history.map((h) => h.status), ['superseded', 'superseded', 'deployed']);
      assert.equal((await configMapData(kube, namespace, 'tested-config')).message, 'v1', 'the rollback brought v1 back');
    });

    it('a passing test is reported as a check', async () => {
      const namespace = namespaceFor('ctpass');
      const result = await run({ name: 'tested', namespace, createNamespace: true, chart: fixtures.tested, timeoutSeconds: 60, tests: { timeoutSeconds: 60 } });
      const check = result.payload.validate?.checks.find((c) => c.name === 'chart-tests');
      assert.deepEqual(check, { name: 'chart-tests', ok: true, message: 'passed: tested-test-config' });
    });

    it('a filter that leaves out the failing test passes', async () => {
      const namespace = namespaceFor('ctfilt');
      const result = await run({
        name: 'tested', namespace, createNamespace: true, chart: fixtures.tested, timeoutSeconds: 60,
        set: { failConnectionTest: true }, tests: { filter: ['!name=tested-test-connection'] },
      });
      const check = result.payload.validate?.checks.find((c) => c.name === 'chart-tests');
      assert.deepEqual(check, { name: 'chart-tests', ok: true, message: 'passed: tested-test-config (filter !name=tested-test-connection)' });
      assert.equal((await helm.history({ release: 'tested', namespace })).length, 1);
    });
  });
}
