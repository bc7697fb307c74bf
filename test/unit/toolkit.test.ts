// The toolkit's pure parts, and its helpers over the in-memory FakeKube.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upgradeOptionArgs } from '../../src/helm/argv.js';
import { resolveRef } from '../../src/lifecycle/declared-resources.js';
import { upgradeRequest } from '../../src/lifecycle/requests.js';
import { parseChartSpec } from '../../src/config/parse.js';
import { backupResources, portableCopy, restoreBackup, restoredObject } from '../../src/toolkit/backup.js';
import { judgeHttp } from '../../src/lifecycle/custom-checks.js';
import { parseCrds } from '../../src/toolkit/crds.js';
import { jobManifest } from '../../src/toolkit/job.js';
import { adoptResources, isOwnedBy, OwnershipConflictError, ownershipPatch } from '../../src/toolkit/ownership.js';
import { FakeKube } from './fakes.js';

const secret = (data: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'apps', ...extra }, data,
});

describe('ownership', () => {
  it('builds the labels and annotations Helm checks, and recognises them', () => {
    const owner = { release: 'cni', namespace: 'kube-system' };
    const patch = ownershipPatch(owner);
    assert.deepEqual(patch.metadata.labels, { 'app.kubernetes.io/managed-by': 'Helm' });
    assert.equal(isOwnedBy({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', ...patch.metadata } }, owner), true);
    assert.equal(isOwnedBy({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', ...patch.metadata } }, { ...owner, release: 'other' }), false);
  });

  it('adopts nothing when one object belongs to another release', async () => {
    const kube = new FakeKube();
    await kube.createObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'free', namespace: 'a' } });
    await kube.createObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'taken', namespace: 'a', ...ownershipPatch({ release: 'x', namespace: 'a' }).metadata } });
    const refs = ['free', 'taken'].map((name) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'a' }));
    await assert.rejects(adoptResources(kube, { release: 'y', namespace: 'a' }, refs), OwnershipConflictError);
    assert.ok(!kube.calls.some((c) => c.startsWith('patch:')), 'no object was patched');
  });

  it('adopt turns on --force-conflicts for Helm 4 only', () => {
    const spec = parseChartSpec({ name: 'cni', chart: './c', adopt: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'aws-node' }] });
    const { options } = upgradeRequest(spec);
    assert.ok(upgradeOptionArgs({ version: 'v4.1.4', major: 4, minor: 1, patch: 4 }, options).includes('--force-conflicts'));
    assert.ok(!upgradeOptionArgs({ version: 'v3.17.2', major: 3, minor: 17, patch: 2 }, options).includes('--force-conflicts'));
  });

  it('fills a reference in with the release namespace, except for cluster-scoped kinds', () => {
    assert.equal(resolveRef({ apiVersion: 'v1', kind: 'Secret', name: 's' }, 'apps').namespace, 'apps');
    assert.equal(resolveRef({ apiVersion: 'v1', kind: 'Secret', name: 's', namespace: 'other' }, 'apps').namespace, 'other');
    assert.equal(resolveRef({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'r' }, 'apps').namespace, undefined);
  });
});

describe('backup', () => {
  it('keeps only what can be created again, and restores content over the live metadata', () => {
    const live = secret({ password: 'bmV3' }, { uid: 'u2', resourceVersion: '9', labels: { 'app.kubernetes.io/managed-by': 'Helm' } });
    const saved = portableCopy({ ...secret({ password: 'b2xk' }, { uid: 'u1', resourceVersion: '3', managedFields: [], ownerReferences: [] }), status: {} });
    assert.deepEqual(saved, secret({ password: 'b2xk' }));
    const restored = restoredObject(saved, live);
    assert.deepEqual(restored.data, { password: 'b2xk' });
    assert.equal(restored.metadata.resourceVersion, '9', 'a replace carries the live resourceVersion');
    assert.equal(restored.metadata.labels?.['app.kubernetes.io/managed-by'], 'Helm');
  });

  it('round-trips through the backup Secret and deletes it after the restore', async () => {
    const kube = new FakeKube();
    await kube.createObject(secret({ password: 'b2xk' }));
    const ref = { apiVersion: 'v1', kind: 'Secret', name: 'db', namespace: 'apps' };
    await backupResources(kube, { release: 'app', namespace: 'apps' }, [ref]);
    await kube.replaceObject(secret({ password: 'bmV3' }));
    assert.deepEqual(await restoreBackup(kube, { release: 'app', namespace: 'apps' }), ['Secret/apps/db']);
    assert.deepEqual((await kube.getObject(ref))?.data, { password: 'b2xk' });
    assert.ok(kube.calls.includes('delete:Secret/apps/helmcycle-backup-app'));
  });
});

describe('checks, CRDs and Jobs', () => {
  it('judges an HTTP answer by status and body', () => {
    assert.equal(judgeHttp({ status: 204, body: '' }, {}), undefined);
    assert.match(judgeHttp({ status: 503, body: 'no endpoints available' }, {}) ?? '', /HTTP 503: no endpoints/);
    assert.match(judgeHttp({ status: 200, body: 'ok' }, { status: 201 }) ?? '', /HTTP 200 \(expected 201\)/);
    assert.match(judgeHttp({ status: 200, body: 'ok' }, { bodyIncludes: 'ready' }) ?? '', /does not contain "ready"/);
  });

  it('reads only the CRDs out of a multi-document file', () => {
    const text = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.x.io}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n';
    assert.deepEqual(parseCrds(text).map((c) => c.metadata.name), ['a.x.io']);
  });

  it('builds a Job that runs once, with the user image and labels', () => {
    const job = jobManifest({ namespace: 'ops', name: 'migrate', image: 'ghcr.io/acme/migrate:2', args: ['up'], env: { MODE: 'safe' }, labels: { team: 'db' } }, 'migrate-abc');
    const spec = job.spec as { backoffLimit: number; template: { metadata: { labels: Record<string, string> }; spec: { restartPolicy: string; containers: { image: string; args: string[]; env: unknown[] }[] } } };
    assert.equal(spec.backoffLimit, 0);
    assert.equal(spec.template.spec.restartPolicy, 'Never');
    assert.deepEqual(spec.template.metadata.labels, { team: 'db', 'helmcycle.dev/job': 'migrate-abc' });
    assert.deepEqual(spec.template.spec.containers[0], { name: 'step', image: 'ghcr.io/acme/migrate:2', args: ['up'], env: [{ name: 'MODE', value: 'safe' }] });
  });
});
