// The toolkit's three examples (examples/toolkit), step by step against the local cluster with Helm 3
// and Helm 4, checking the cluster's state after every step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChartFailedError, runChart } from '../../src/index.js';
import { CrdInUseError, deleteCrds } from '../../src/toolkit/crds.js';
import { MANAGED_BY_LABEL, RELEASE_NAME_ANNOTATION, RELEASE_NAMESPACE_ANNOTATION } from '../../src/toolkit/ownership.js';
import { backupSecretName } from '../../src/toolkit/backup.js';
import * as adopt from '../../examples/toolkit/adopt-daemonset.js';
import * as operator from '../../examples/toolkit/operator-crds.js';
import * as credentials from '../../examples/toolkit/reinstall-keep-secret.js';
import type { ExampleContext } from '../../examples/toolkit/shared.js';
import { env, helmsUnderTest, uniqueNamespace } from './support.js';

const CRD_REF = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: operator.CRD_NAME };

for (const target of helmsUnderTest()) {
  const { helm, kube } = target;
  const context = (prefix: string): ExampleContext => ({ helm, kube, repository: env.repo, namespace: uniqueNamespace(`${prefix}-${target.label}`) });

  describe(`toolkit examples with ${target.label}`, () => {
    it('adopt-daemonset: the pre-existing DaemonSet ends up in the release, the same object, then goes with it', async () => {
      const ctx = context('adopt');
      const dsRef = { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: ctx.namespace, name: adopt.DAEMONSET };
      await adopt.createCloudDaemonSet(ctx);
      const before = await kube.getObject(dsRef);
      assert.ok(before, 'the cloud DaemonSet exists');
      assert.equal(before.metadata.labels?.[MANAGED_BY_LABEL], undefined);

      // Without adopt, Helm refuses to touch an object it does not own; nothing changes.
      await assert.rejects(runChart(adopt.nodeAgentChart(ctx, false), { helm, kube }), (error: unknown) =>
        error instanceof ChartFailedError && /invalid ownership metadata|exists and cannot be imported/.test(error.message));
      await helm.uninstall({ release: 'node-agent', namespace: ctx.namespace, wait: true, timeoutSeconds: 60 });
      assert.equal((await kube.getObject(dsRef))?.metadata.uid, before.metadata.uid, 'the failed install left the DaemonSet alone');

      await adopt.deployAdopting(ctx);
      const adopted = await kube.getObject(dsRef);
      assert.equal(adopted?.metadata.uid, before.metadata.uid, 'adopted in place, not deleted and created');
      assert.equal(adopted?.metadata.labels?.[MANAGED_BY_LABEL], 'Helm');
      assert.equal(adopted?.metadata.annotations?.[RELEASE_NAME_ANNOTATION], 'node-agent');
      assert.equal(adopted?.metadata.annotations?.[RELEASE_NAMESPACE_ANNOTATION], ctx.namespace);
      const container = (adopted?.spec?.template as { spec: { containers: { image: string; env?: { name: string; value: string }[] }[] } }).spec.containers[0];
      assert.equal(container?.image, 'registry.invalid/helmcycle/node-agent:1.0', 'the chart now manages its spec');
      assert.deepEqual(container?.env?.map(({ name, value }) => ({ name, value })), [{ name: 'LOG_LEVEL', value: 'debug' }]);
      const manifest = await helm.getManifest({ release: 'node-agent', namespace: ctx.namespace });
      assert.match(manifest, new RegExp(`kind: DaemonSet\\nmetadata:\\n  name: ${adopt.DAEMONSET}`));

      await adopt.destroy(ctx);
      assert.equal(await kube.getObject(dsRef), undefined, 'the release owned it, so its uninstall removed it');
    });

    it('operator-crds: the 2.0.0 CRD schema is served after the upgrade, and the CRDs are gone after destroy', async () => {
      await deleteCrds(kube, [operator.CRD_NAME], { force: true }); // a clean start: CRDs are cluster-wide
      const ctx = context('oper');
      await operator.installV1(ctx);
      const v1Crd = await kube.getObject(CRD_REF);
      assert.deepEqual((v1Crd?.spec?.versions as { name: string }[]).map((v) => v.name), ['v1alpha1']);

      await operator.upgradeToV2(ctx);
      const v2Crd = await kube.getObject(CRD_REF);
      assert.deepEqual((v2Crd?.spec?.versions as { name: string; storage: boolean }[]).map((v) => [v.name, v.storage]), [['v1alpha1', false], ['v1', true]]);
      const widgets = await kube.listObjects('fixtures.helmcycle.dev/v1', 'Widget', ctx.namespace);
      assert.deepEqual(widgets.map((w) => w.metadata.name), ['default'], 'the v1 default Widget of 2.0.0 was created');
      // The new schema is what the API server enforces: v1 requires spec.tier.
      await assert.rejects(
        kube.createObject({ apiVersion: 'fixtures.helmcycle.dev/v1', kind: 'Widget', metadata: { name: 'no-tier', namespace: ctx.namespace }, spec: { replicas: 1 } }),
        /tier/,
      );

      // A Widget that is not the release's own blocks the destroy before anything is uninstalled.
      const stray = { apiVersion: 'fixtures.helmcycle.dev/v1', kind: 'Widget', metadata: { name: 'stray', namespace: ctx.namespace }, spec: { tier: 'standard' } };
      await kube.createObject(stray);
      await assert.rejects(operator.destroy(ctx), (error: unknown) => error instanceof ChartFailedError && error.cause instanceof CrdInUseError);
      assert.equal((await helm.status({ release: 'operator', namespace: ctx.namespace }))?.status, 'deployed', 'refused before uninstalling');
      assert.ok(await kube.getObject(CRD_REF));

      await kube.deleteObject({ apiVersion: stray.apiVersion, kind: stray.kind, namespace: ctx.namespace, name: 'stray' });
      await operator.destroy(ctx);
      assert.equal(await helm.status({ release: 'operator', namespace: ctx.namespace }), undefined);
      assert.equal(await kube.getObject(CRD_REF), undefined, 'the CRDs are gone after destroy');
    });

    it('reinstall-keep-secret: the generated password survives the breaking reinstall', async () => {
      const ctx = context('cred');
      const secretRef = { apiVersion: 'v1', kind: 'Secret', namespace: ctx.namespace, name: credentials.SECRET };
      const password = async () => (await kube.getObject(secretRef))?.data as Record<string, string> | undefined;

      await credentials.installV1(ctx);
      const original = await password();
      assert.ok(original?.password, 'the chart generated a password');
      const uidBefore = (await kube.getObject(secretRef))?.metadata.uid;

      await credentials.reinstallV2(ctx);
      const release = await helm.status({ release: credentials.RELEASE, namespace: ctx.namespace });
      assert.deepEqual([release?.chartVersion, release?.revision], ['2.0.0', 1], 'uninstalled and installed anew');
      const after = await kube.getObject(secretRef);
      assert.notEqual(after?.metadata.uid, uidBefore, 'the Secret was deleted and made again by the new install');
      assert.deepEqual(after?.data, original, 'the Secret data is the same after the reinstall');
      assert.equal(after?.metadata.annotations?.[RELEASE_NAME_ANNOTATION], credentials.RELEASE, 'and still belongs to the release');
      assert.equal(await kube.getObject({ ...secretRef, name: backupSecretName(credentials.RELEASE) }), undefined, 'the backup is gone once restored');

      // The same reinstall without backup loses the password: what the example guards against.
      const bare = context('cred-bare');
      await runChart(credentials.credentialsChart(bare, '1.0.0', false), { helm, kube });
      const bareRef = { ...secretRef, namespace: bare.namespace };
      const bareBefore = (await kube.getObject(bareRef))?.data;
      await runChart(credentials.credentialsChart(bare, '2.0.0', false), { helm, kube });
      assert.notDeepEqual((await kube.getObject(bareRef))?.data, bareBefore);

      await credentials.destroy(ctx);
      assert.equal(await kube.getObject(secretRef), undefined);
    });
  });
}
