// Diagnostics that survive helm's own rollback: with `atomic`, helm undoes a failed upgrade (or
// uninstalls a failed install) before onDeployFailure can look, so the failure must come from what was
// observed while helm waited. With Helm 3 and Helm 4 on the local cluster.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { runChart } from '../../src/lifecycle/runner.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { fixtures, helmsUnderTest, uniqueNamespace } from './support.js';

for (const target of helmsUnderTest()) {
  const { helm, kube } = target;

  describe(`diagnostics under atomic with ${target.label}`, () => {
    const created: string[] = [];
    afterEach(async () => {
      for (const name of created.splice(0)) await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name });
    });

    it('a never-ready upgrade that helm rolled back names the Deployment and its not-ready pod', async () => {
      const namespace = uniqueNamespace(`atomic-${target.label}`);
      created.push(namespace);
      const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web, timeoutSeconds: 8, atomic: true };
      await runChart({ ...spec, set: { message: 'good' } }, { helm, kube });
      const error = await expectChartFailure(runChart({ ...spec, set: { message: 'bad', fakeBehavior: 'never-ready' } }, { helm, kube }));

      assert.equal(error.failure?.class, 'readiness-timeout');
      assert.equal(error.failure?.helmRolledBack, true, 'helm rolled it back itself');
      assert.deepEqual(error.failure?.objects, [{ kind: 'Deployment', name: 'web-web', namespace }]);
      assert.match(error.failure?.summary ?? '', /Deployment\/web-web not ready \([^)]+\); pods not ready: web-web-[a-z0-9]+-[a-z0-9]+ \(ContainersNotReady\)/);
      assert.match(error.message, new RegExp(`workloads not ready in ${namespace} while helm waited:\\n {2}Deployment/web-web: [^\\n]*pods not ready: web-web-[a-z0-9]+-[a-z0-9]+ \\[seen [0-9:]+, changed since, e\\.g\\. rolled back\\]`));
      assert.match(error.message, /\n {2}web-web-[a-z0-9]+-[a-z0-9]+ \(Running, ContainersNotReady\) \[seen [0-9:]+, deleted since\]\n {4}web: not ready/);

      // The pod the error names is gone: helm's rollback removed it before onDeployFailure looked.
      const named = error.diagnostics?.unreadyPods.find((p) => p.workload === 'Deployment/web-web');
      assert.ok(named, 'the not-ready pod of the Deployment');
      assert.equal(named.lastSeen?.gone, true);
      assert.equal(await kube.getObject({ apiVersion: 'v1', kind: 'Pod', namespace, name: named.name }), undefined);
      const status = await helm.status({ release: 'web', namespace });
      assert.deepEqual([status?.status, status?.revision], ['deployed', 3], 'helm rolled back to revision 1 as revision 3');
      assert.ok(error.remedies.every((r) => r.remedy === 'rollback') && error.remedies.length === 1, 'the rollback remedy only takes note');
    });

    // helm's own timeout, not fail-fast (fail-fast.test.ts): what helm's error and the observation say then.
    it('a crash-looping install that helm uninstalled names the container\'s reason', async () => {
      const namespace = uniqueNamespace(`atomic-crash-${target.label}`);
      created.push(namespace);
      const error = await expectChartFailure(runChart(
        { name: 'web', namespace, createNamespace: true, chart: fixtures.web, timeoutSeconds: 12, atomic: true, failFast: false, set: { fakeBehavior: 'crash-loop' } },
        { helm, kube },
      ));
      assert.equal(error.failure?.class, 'readiness-timeout');
      assert.match(error.failure?.summary ?? '', /Deployment\/web-web not ready \([^)]+\); pods not ready: web-web-[a-z0-9]+-[a-z0-9]+ \(CrashLoopBackOff\)/);
      assert.match(error.message, /Deployment\/web-web: [^\n]*; will not heal by waiting: web-web-[a-z0-9]+-[a-z0-9]+\/web: CrashLoopBackOff \[seen [0-9:]+, deleted since\]/);
      assert.match(error.message, /\n {4}web: not ready, CrashLoopBackOff \(back-off restarting failed container\), \d+ restarts, last exit 1 Error/);
      assert.equal(await helm.status({ release: 'web', namespace }), undefined, 'helm uninstalled the failed install');
      assert.deepEqual(await kube.listObjects('apps/v1', 'Deployment', namespace), []);
    });
  });
}
