// Removed Kubernetes APIs against the local control plane (v1.34), under Helm 3 and Helm 4.
// 1. A release whose stored manifest holds an API the API server no longer serves (installed, then its
//    record rewritten to add a policy/v1beta1 PodDisruptionBudget, as a release installed before a
//    cluster upgrade to 1.25 carries one): plan names the object and predicts the rewrite; apply's helm
//    upgrade fails with "unable to build kubernetes objects from current release manifest", the remedy
//    rewrites the record to policy/v1 (the original kept in a backup Secret) and the upgrade passes.
// 2. `plan --kube-version 1.25 --fail-on removed` on a chart rendering policy/v1beta1 exits 6; at 1.20,
//    before the deprecation, it passes; `--fail-on deprecated` at 1.24 gates on the deprecation.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { KubeObject } from '../../src/kube/types.js';
import { configMapData, fixtures, helmsUnderTest, runCli, uniqueNamespace, type HelmUnderTest } from './support.js';

const created: { target: HelmUnderTest; namespace: string }[] = [];
after(async () => {
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
});

const LEGACY_PDB = (namespace: string) => `---
# Source: web/templates/pdb.yaml
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: web-legacy
  namespace: ${namespace}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/instance: web
`;

type Json = Record<string, unknown>;
/** The release JSON of a Secret record (base64 of base64 of gzip), written independently of helmcycle's code. */
const decode = (secret: KubeObject): Json => JSON.parse(gunzipSync(Buffer.from(Buffer.from((secret.data as Json).release as string, 'base64').toString(), 'base64')).toString()) as Json;
const encode = (release: Json): string => Buffer.from(gzipSync(Buffer.from(JSON.stringify(release))).toString('base64')).toString('base64');

async function stack(dir: string, namespace: string, message: string): Promise<string> {
  const file = join(dir, 'helmcycle.yaml');
  await writeFile(file, stringify({ name: 'apis', defaults: { namespace, createNamespace: true, timeoutSeconds: 120 }, charts: [{ name: 'web', chart: resolve(fixtures.web), set: { message } }] }));
  return file;
}

for (const target of helmsUnderTest()) {
  describe(`removed APIs, ${target.label}`, () => {
    it('repairs a stored release that names an API the cluster no longer serves, keeping a backup', { timeout: 600_000 }, async () => {
      const namespace = uniqueNamespace(`apis-${target.label}`);
      created.push({ target, namespace });
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-apis-'));
      const installed = await runCli(target, await stack(dir, namespace, 'first'), 'apply');
      assert.equal(installed.code, 0, installed.stderr + installed.stdout);

      // What a release installed on Kubernetes 1.24 carries into 1.25: a stored manifest with policy/v1beta1.
      const recordRef = { apiVersion: 'v1', kind: 'Secret', namespace, name: 'sh.helm.release.v1.web.v1' };
      const record = (await target.kube.getObject(recordRef))!;
      const release = decode(record);
      const original = `${release.manifest as string}\n${LEGACY_PDB(namespace)}`;
      await target.kube.replaceObject({ ...record, data: { release: encode({ ...release, manifest: original }) } });

      const file = await stack(dir, namespace, 'second');
      const plan = await runCli(target, file, 'plan');
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(plan.stdout, new RegExp(`! removed API policy/v1beta1 PodDisruptionBudget/${namespace}/web-legacy in the stored manifest of revision 1 \\(removed in 1\\.25; use policy/v1\\) at Kubernetes 1\\.34`));
      assert.match(plan.stdout, /! predicted removed-api-in-release: rewrite stored manifest of revision 1: PodDisruptionBudget\/web-legacy policy\/v1beta1 -> policy\/v1\n\s+apply would take: rewrite-release-apis-retry/);
      const json = await runCli(target, file, 'plan', '-o', 'json', '--fail-on', 'removed');
      assert.equal(json.code, 6, 'the stored manifest has a removed API');
      const line = JSON.parse(json.stdout.split('\n').find((l) => l.includes('"type":"plan"'))!) as { action: string; apiFindings: { source: string; object: string; replacement: string }[]; predictions: { class: string }[] };
      assert.equal(line.action, 'upgrade');
      assert.deepEqual(line.apiFindings.map((f) => [f.source, f.object, f.replacement]), [['release', `PodDisruptionBudget/${namespace}/web-legacy`, 'policy/v1']]);
      assert.ok(line.predictions.some((p) => p.class === 'removed-api-in-release'));
      // Plan changed nothing.
      assert.equal(decode((await target.kube.getObject(recordRef))!).manifest, original);

      const applied = await runCli(target, file, 'apply');
      assert.equal(applied.code, 0, applied.stderr + applied.stdout);
      assert.match(applied.stdout, /removed-api-in-release/);
      assert.match(applied.stdout, /rewrote the stored manifest of revision 1: PodDisruptionBudget\/web-legacy policy\/v1beta1 -> policy\/v1/);
      // Upgraded past the record: revision 2 deployed with the new value.
      const status = await target.helm.status({ release: 'web', namespace });
      assert.deepEqual([status?.revision, status?.status], [2, 'deployed']);
      assert.equal((await configMapData(target.kube, namespace, 'web-web')).message, 'second');
      // Revision 1 now names policy/v1; its original is in the backup, byte for byte, where helm never looks.
      const rewritten = (await target.kube.getObject(recordRef))!;
      assert.equal(decode(rewritten).manifest, original.replace('apiVersion: policy/v1beta1', 'apiVersion: policy/v1'));
      const backup = (await target.kube.getObject({ ...recordRef, name: 'helmcycle-backup.sh.helm.release.v1.web.v1' }))!;
      assert.equal(backup.type, 'helmcycle.dev/release-record-backup');
      assert.equal(backup.metadata.labels?.owner, undefined);
      assert.equal(backup.metadata.annotations?.['helmcycle.dev/record'], 'Secret/sh.helm.release.v1.web.v1');
      assert.equal(decode(backup).manifest, original);
      assert.equal((await target.helm.history({ release: 'web', namespace })).length, 2, 'helm reads no extra revision from the backup');
    });
  });
}

describe('plan --kube-version --fail-on on a chart rendering removed APIs', () => {
  const target = helmsUnderTest()[0]!;
  it('exits 6 at 1.25 for removed; 0 at 1.20; 6 at 1.24 only with --fail-on deprecated', { timeout: 300_000 }, async () => {
    const namespace = uniqueNamespace('apis-plan');
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-apis-'));
    const file = join(dir, 'helmcycle.yaml');
    await writeFile(file, stringify({ name: 'legacy', defaults: { namespace, createNamespace: true }, charts: [{ name: 'legacy', chart: resolve('test/fixtures/charts/legacy-apis') }] }));
    const at125 = await runCli(target, file, 'plan', '--kube-version', '1.25', '--fail-on', 'removed');
    assert.equal(at125.code, 6, at125.stderr + at125.stdout);
    assert.match(at125.stdout, new RegExp(`! removed API policy/v1beta1 PodDisruptionBudget/${namespace}/legacy rendered by the chart \\(removed in 1\\.25; use policy/v1\\) at Kubernetes 1\\.25`));
    assert.match(at125.stdout, new RegExp(`! deprecated API autoscaling/v2beta2 HorizontalPodAutoscaler/${namespace}/legacy rendered by the chart \\(deprecated in 1\\.23, removed in 1\\.26; use autoscaling/v2\\)`));
    const at120 = await runCli(target, file, 'plan', '--kube-version', '1.20', '--fail-on', 'removed');
    assert.equal(at120.code, 0, at120.stderr + at120.stdout);
    assert.doesNotMatch(at120.stdout, /API policy\/v1beta1/);
    assert.equal((await runCli(target, file, 'plan', '--kube-version', '1.24', '--fail-on', 'removed')).code, 0);
    assert.equal((await runCli(target, file, 'plan', '--kube-version', '1.24', '--fail-on', 'deprecated')).code, 6);
    const bad = await runCli(target, file, 'plan', '--kube-version', 'latest');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /a Kubernetes version such as 1\.30/);
    // Plan changed nothing: the namespace was never created.
    assert.equal(await target.kube.namespaceExists(namespace), false);
  });
});
