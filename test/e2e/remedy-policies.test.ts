// The remedies a chart's policy can choose instead of the defaults, each provoked for real on the local
// cluster: what the remedy did, and the state it leaves the cluster in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition, ChartResult } from '../../src/lifecycle/types.js';
import { backupSecretName } from '../../src/toolkit/backup.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { configMapData, env, fixtures, helmsUnderTest, uniqueNamespace } from './support.js';

for (const target of helmsUnderTest()) {
  const { helm, kube } = target;
  const run = (definition: ChartDefinition): Promise<ChartResult> => runChart(definition, { helm, kube });

  describe(`remedies chosen by policy with ${target.label}`, () => {
    it('uninstall: a first install that never gets ready is uninstalled, leaving nothing behind', async () => {
      const namespace = uniqueNamespace(`unin-${target.label}`);
      const error = await expectChartFailure(run({
        name: 'web', namespace, createNamespace: true, chart: fixtures.web, set: { fakeBehavior: 'never-ready' }, timeoutSeconds: 5,
        remedies: { policy: { 'readiness-timeout': 'uninstall' } },
      }));
      assert.equal(error.failure?.class, 'readiness-timeout');
      assert.deepEqual(error.remedies.map((r) => [r.remedy, r.ok, r.message]), [['uninstall', true, 'uninstalled the release']]);
      assert.equal(await helm.status({ release: 'web', namespace }), undefined);
      assert.equal(await kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'web-web' }), undefined);
    });

    it('restore-backup: a breaking reinstall that fails puts the saved Secret back', async () => {
      const namespace = uniqueNamespace(`rest-${target.label}`);
      const spec = { name: 'cred', namespace, createNamespace: true, chart: 'credentials', repository: env.repo };
      await run({ ...spec, version: '1.0.0', timeoutSeconds: 60 });
      const secretRef = { apiVersion: 'v1', kind: 'Secret', namespace, name: 'cred-credentials' };
      const original = (await kube.getObject(secretRef))?.data as Record<string, string> | undefined;
      assert.ok(original?.password, 'the chart generated a password');

      // The reinstall uninstalls (the Secret goes with it), installs 2.0.0, and never gets ready.
      const error = await expectChartFailure(run({
        ...spec, version: '2.0.0', lastBreakingVersionRequiringRestart: '2.0.0', set: { fakeBehavior: 'never-ready' }, timeoutSeconds: 5,
        backup: [{ apiVersion: 'v1', kind: 'Secret', name: 'cred-credentials' }],
        remedies: { policy: { 'readiness-timeout': 'restore-backup' } },
      }));
      assert.equal(error.failure?.class, 'readiness-timeout');
      assert.deepEqual(error.remedies.map((r) => [r.remedy, r.ok, r.message]), [['restore-backup', true, `restored Secret/${namespace}/cred-credentials from the backup`]]);
      assert.deepEqual((await kube.getObject(secretRef))?.data, original, 'the generated password survived the failed reinstall');
      assert.equal(await kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace, name: backupSecretName('cred') }), undefined, 'the backup is dropped once restored');
    });

    it('force-replace-retry: replaces instead of patching, which does not pass an immutable field', async () => {
      const namespace = uniqueNamespace(`frep-${target.label}`);
      const spec = { name: 'cred', namespace, createNamespace: true, chart: 'credentials', repository: env.repo, timeoutSeconds: 60 };
      await run({ ...spec, version: '1.0.0' });
      const deploymentRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'cred-credentials' };
      const before = await kube.getObject(deploymentRef);
      const error = await expectChartFailure(run({ ...spec, version: '2.0.0', remedies: { policy: { 'immutable-field': 'force-replace-retry' }, maxAttempts: 2 } }));
      // One retry with the replacement, which the API server rejects the same way; then no remedy is left.
      assert.deepEqual(error.remedies.map((r) => [r.failureClass, r.remedy, r.ok]), [['immutable-field', 'force-replace-retry', true], ['immutable-field', 'force-replace-retry', true]]);
      assert.equal(error.failure?.class, 'immutable-field');
      assert.match(error.message, /failed to replace object: Deployment.apps "cred-credentials" is invalid: spec.selector/);
      assert.equal((await kube.getObject(deploymentRef))?.metadata.uid, before?.metadata.uid, 'nothing was deleted');
    });
  });
}

describe('force-replace-retry (helm4): fields another field manager owns', () => {
  const target = helmsUnderTest().find((t) => t.label === 'helm4')!;
  const { helm, kube } = target;

  it('a server-side apply conflict is resolved by replacing the object, client-side', async () => {
    const namespace = uniqueNamespace('frconf');
    const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web, timeoutSeconds: 60 };
    await runChart({ ...spec, set: { message: 'v1' } }, { helm, kube });
    // Someone edits the ConfigMap with their own field manager: the field is theirs now.
    await kube.applyObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-web', namespace }, data: { message: 'edited by hand' } }, { fieldManager: 'kubectl-edit', force: true });

    const refused = await expectChartFailure(runChart({ ...spec, set: { message: 'v2' } }, { helm, kube }));
    assert.equal(refused.failure?.class, 'ownership-conflict');
    assert.match(refused.message, /conflict with "kubectl-edit"/);
    assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'edited by hand');

    const result = await runChart({ ...spec, set: { message: 'v2' }, remedies: { policy: { 'ownership-conflict': 'force-replace-retry' } } }, { helm, kube });
    assert.equal(result.outcome, 'upgraded');
    assert.deepEqual(result.payload.remedies?.map((r) => [r.failureClass, r.remedy, r.ok]), [['ownership-conflict', 'force-replace-retry', true]]);
    assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'v2');
  });
});
