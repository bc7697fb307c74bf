// Fail-fast readiness on the local cluster, Helm 3 and Helm 4: a chart whose pods crash-loop (kwok's
// crash-loop stage) fails long before its timeout, classified readiness-failed with the object and the
// reason; under atomic helm has rolled the upgrade back (or uninstalled the first install), and without
// it the release is failed, then rolled back by the default remedy; never left pending.
import assert from 'node:assert/strict';
import { afterEach, describe, it, type TestContext } from 'node:test';
import { ReadinessFailedError, findCause } from '../../src/errors.js';
import { runChart } from '../../src/lifecycle/runner.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { fixtures, helmsUnderTest, uniqueNamespace } from './support.js';

const TIMEOUT_SECONDS = 240;

for (const target of helmsUnderTest()) {
  const { helm, kube } = target;

  describe(`fail-fast readiness with ${target.label}`, () => {
    const created: string[] = [];
    afterEach(async () => {
      for (const name of created.splice(0)) await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name });
    });
    const crashing = { set: { message: 'bad', fakeBehavior: 'crash-loop' } };

    /** Runs the failing deploy; returns its failure and how long it took (said in the test's output: the figure fail-fast is about). */
    async function failing(t: TestContext, spec: Parameters<typeof runChart>[0]) {
      const started = Date.now();
      const error = await expectChartFailure(runChart(spec, { helm, kube }));
      const seconds = (Date.now() - started) / 1000;
      t.diagnostic(`failed after ${seconds.toFixed(1)} s of a ${spec.timeoutSeconds} s timeout`);
      return { error, seconds };
    }

    function assertCrashLoopFailure(error: Awaited<ReturnType<typeof failing>>['error'], namespace: string) {
      assert.equal(error.failure?.class, 'readiness-failed', error.message);
      assert.deepEqual(error.failure?.objects, [{ kind: 'Deployment', name: 'web-web', namespace }]);
      assert.match(error.failure?.summary ?? '', /Deployment\/web-web: web-web-[a-z0-9]+-[a-z0-9]+\/web: CrashLoopBackOff \(last exit code 1, \d+ restarts\)/);
      const hopeless = findCause(error, ReadinessFailedError);
      assert.ok(hopeless, 'the wait was ended early, not timed out');
      assert.match(hopeless.message, /Deployment\/web-web will not become ready: .*CrashLoopBackOff.*; helm's wait was ended early/);
    }

    it('an atomic upgrade whose pods crash-loop ends early, rolled back by helm', async (t) => {
      const namespace = uniqueNamespace(`ff-up-${target.label}`);
      created.push(namespace);
      const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web, timeoutSeconds: TIMEOUT_SECONDS, atomic: true };
      await runChart({ ...spec, set: { message: 'good' } }, { helm, kube });
      const { error, seconds } = await failing(t, { ...spec, ...crashing });
      assertCrashLoopFailure(error, namespace);
      assert.equal(error.failure?.helmRolledBack, true, 'helm rolled it back itself (atomic)');
      assert.ok(seconds < TIMEOUT_SECONDS / 2, `ended after ${seconds} s, not at the ${TIMEOUT_SECONDS} s timeout`);
      const status = await helm.status({ release: 'web', namespace });
      assert.deepEqual([status?.status, status?.revision], ['deployed', 3], 'revision 1 again, as revision 3');
      assert.deepEqual((await helm.history({ release: 'web', namespace })).map((r) => r.status), ['superseded', 'failed', 'deployed']);
    });

    it('an atomic first install whose pods crash-loop ends early, uninstalled by helm', async (t) => {
      const namespace = uniqueNamespace(`ff-in-${target.label}`);
      created.push(namespace);
      const { error, seconds } = await failing(t, { name: 'web', namespace, createNamespace: true, chart: fixtures.web, timeoutSeconds: TIMEOUT_SECONDS, atomic: true, ...crashing });
      assertCrashLoopFailure(error, namespace);
      assert.ok(seconds < TIMEOUT_SECONDS / 2, `ended after ${seconds} s, not at the ${TIMEOUT_SECONDS} s timeout`);
      assert.equal(await helm.status({ release: 'web', namespace }), undefined, 'helm uninstalled the failed install');
      assert.deepEqual(await kube.listObjects('apps/v1', 'Deployment', namespace), []);
    });

    it('without atomic the upgrade ends early, failed (not pending), and the default remedy rolls it back', async (t) => {
      const namespace = uniqueNamespace(`ff-na-${target.label}`);
      created.push(namespace);
      const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web, timeoutSeconds: TIMEOUT_SECONDS };
      await runChart({ ...spec, set: { message: 'good' } }, { helm, kube });
      const { error, seconds } = await failing(t, { ...spec, ...crashing });
      assertCrashLoopFailure(error, namespace);
      assert.ok(seconds < TIMEOUT_SECONDS / 2, `ended after ${seconds} s, not at the ${TIMEOUT_SECONDS} s timeout`);
      assert.deepEqual(error.remedies.map((r) => r.remedy), ['rollback']);
      const history = await helm.history({ release: 'web', namespace });
      assert.deepEqual(history.map((r) => r.status), ['superseded', 'failed', 'deployed'], 'the upgrade failed, the rollback deployed revision 1 again');
    });
  });
}
