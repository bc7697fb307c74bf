// Strict validation on the local cluster with Helm 3 and Helm 4: helm's client-side OpenAPI check is off
// (--disable-openapi-validation, it costs every helm process the server's OpenAPI document), and the API
// server checks each rendered object strictly instead, before anything changes. A mistyped field
// (spec.replicaz in a Deployment) refuses the chart: exit code 1, a message naming the object and the
// field, no release record, no object. Without that check Helm 3 deploys the typo (the server drops the
// unknown field with a warning) and Helm 4 leaves a failed release behind.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { helmsUnderTest, runCli, uniqueNamespace, type HelmUnderTest } from './support.js';

const TYPO = resolve('test/fixtures/charts/typo-field');
const created: { target: HelmUnderTest; namespace: string }[] = [];

after(async () => {
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
});

async function stackFile(namespace: string, typo: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-strict-e2e-'));
  const file = join(dir, 'helmcycle.yaml');
  await writeFile(file, stringify({ defaults: { namespace, createNamespace: true, timeoutSeconds: 60 }, charts: [{ name: 'app', chart: TYPO, setJson: { typo } }] }));
  return file;
}

for (const target of helmsUnderTest()) {
  describe(`strict validation with ${target.label}`, () => {
    const deployment = (namespace: string) => target.kube.getObject({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'app' });
    const configMap = (namespace: string) => target.kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'app-settings' });

    it('refuses an install with a mistyped field before a release or an object exists', async () => {
      const namespace = uniqueNamespace(`strict-install-${target.label}`);
      created.push({ target, namespace });
      const result = await runCli(target, await stackFile(namespace, true), 'apply');
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`Deployment/${namespace}/app: .*spec\\.replicaz`), result.stderr);
      assert.equal(await target.helm.status({ release: 'app', namespace }), undefined, 'no release record');
      if (await target.kube.namespaceExists(namespace)) {
        assert.equal(await deployment(namespace), undefined, 'no Deployment');
        assert.equal(await configMap(namespace), undefined, 'no ConfigMap');
      }
    });

    it('refuses an upgrade with a mistyped field: the release and its objects stay as they were', async () => {
      const namespace = uniqueNamespace(`strict-upgrade-${target.label}`);
      created.push({ target, namespace });
      const installed = await runCli(target, await stackFile(namespace, false), 'apply');
      assert.equal(installed.code, 0, installed.stderr);
      const result = await runCli(target, await stackFile(namespace, true), 'apply');
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`Deployment/${namespace}/app: .*spec\\.replicaz`), result.stderr);
      const release = await target.helm.status({ release: 'app', namespace });
      assert.equal(release?.revision, 1, 'no new revision');
      assert.equal(release?.status, 'deployed');
      assert.deepEqual((await configMap(namespace))?.data, { typo: 'false' }, 'the ConfigMap is unchanged');
    });
  });
}
