// A run's recent reads (src/kube/recent-reads.ts): many reads of one namespace's kind are answered from
// one list, but never from a list older than the change the reader must see, older than the TTL, of a
// kind that is not listable, or one the server refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LIST_AFTER_READS, RECENT_TTL_MS, RecentReads, readRecent, withRecentReads, changedAt } from '../../src/kube/recent-reads.js';
import type { KubeClient, KubeObject, ObjectRef } from '../../src/kube/types.js';
import { FakeKube } from './fakes.js';

function configMap(name: string, namespace = 'apps', data: Record<string, string> = { color: 'red' }): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

/** A FakeKube that counts GETs and lists, and answers lists by kind and namespace as a server does. */
class CountingKube extends FakeKube {
  gets = 0;
  lists = 0;
  refuseLists = false;
  override async getObject(ref: ObjectRef) {
    this.gets++;
    return super.getObject(ref);
  }
  override async listObjects(apiVersion?: string, kind?: string, namespace?: string) {
    this.lists++;
    if (this.refuseLists) throw new Error('forbidden');
    return [...this.objects.values()].filter((o) => o.apiVersion === apiVersion && o.kind === kind && o.metadata.namespace === namespace).map((o) => structuredClone(o));
  }
}

function seeded(count: number): CountingKube {
  const kube = new CountingKube();
  for (let i = 0; i < count; i++) kube.objects.set(FakeKube.key({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: `c-${i}` }), configMap(`c-${i}`));
  return kube;
}

const ref = (name: string, namespace = 'apps'): ObjectRef => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });

test('many reads of one namespace kind: the first few GET, the rest come from one list, and say the same', async () => {
  const kube = seeded(20);
  const reads = new RecentReads(kube, () => 10_000);
  const answers: (KubeObject | undefined)[] = [];
  for (let i = 0; i < 20; i++) answers.push(await reads.get(ref(`c-${i}`), { notBefore: 0 }));
  answers.push(await reads.get(ref('absent'), { notBefore: 0 }));
  assert.equal(kube.lists, 1);
  assert.equal(kube.gets, LIST_AFTER_READS - 1);
  assert.deepEqual(answers.slice(0, 20).map((a) => a?.metadata.name), Array.from({ length: 20 }, (_, i) => `c-${i}`));
  assert.equal(answers[20], undefined, 'an object the list does not hold does not exist');
  // Each answer is the caller's own copy.
  answers[5]!.data = { color: 'changed' };
  assert.deepEqual((await reads.get(ref('c-5'), { notBefore: 0 }))?.data, { color: 'red' });
});

test('a list older than the change the reader must see is not used: the read goes live', async () => {
  const kube = seeded(10);
  let clock = 10_000;
  const reads = new RecentReads(kube, () => clock);
  for (let i = 0; i < LIST_AFTER_READS; i++) await reads.get(ref(`c-${i}`), { notBefore: 0 });
  assert.equal(kube.lists, 1);
  // Helm changed the release after the list was taken: its objects are read anew.
  kube.objects.set(FakeKube.key(ref('c-8')), configMap('c-8', 'apps', { color: 'blue' }));
  const gets = kube.gets;
  const fresh = await reads.get(ref('c-8'), { notBefore: clock });
  assert.equal(kube.gets, gets + 1);
  assert.deepEqual(fresh?.data, { color: 'blue' });
  // A reader that only needs a state from before the list takes it from the list.
  const old = await reads.get(ref('c-8'), { notBefore: clock - 5_000 });
  assert.equal(kube.gets, gets + 1);
  assert.deepEqual(old?.data, { color: 'red' });
});

test('a list older than the TTL is not used; a new one is taken once reads ask often enough again', async () => {
  const kube = seeded(10);
  let clock = 10_000;
  const reads = new RecentReads(kube, () => clock);
  for (let i = 0; i < LIST_AFTER_READS; i++) await reads.get(ref(`c-${i}`), { notBefore: 0 });
  assert.equal(kube.lists, 1);
  clock += RECENT_TTL_MS;
  const gets = kube.gets;
  await reads.get(ref('c-1'), { notBefore: 0 });
  assert.equal(kube.gets, gets + 1, 'the stale list answered nothing');
  for (let i = 0; i < LIST_AFTER_READS; i++) await reads.get(ref(`c-${i}`), { notBefore: 0 });
  assert.equal(kube.lists, 2);
});

test('other kinds, cluster-wide objects, other namespaces and refused lists are read with GETs', async () => {
  const kube = seeded(10);
  const reads = new RecentReads(kube, () => 10_000);
  for (let i = 0; i < 8; i++) await reads.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'apps', name: `s-${i}` }, { notBefore: 0 });
  for (let i = 0; i < 8; i++) await reads.get({ apiVersion: 'v1', kind: 'ConfigMap', name: `c-${i}` }, { notBefore: 0 });
  for (let i = 0; i < 8; i++) await reads.get({ apiVersion: 'example.dev/v1', kind: 'Widget', namespace: 'apps', name: `w-${i}` }, { notBefore: 0 });
  assert.equal(kube.lists, 0);
  assert.equal(kube.gets, 24);
  kube.refuseLists = true;
  const answers = [];
  for (let i = 0; i < 8; i++) answers.push(await reads.get(ref(`c-${i}`), { notBefore: 0 }));
  assert.equal(kube.lists, 1, 'a refused list is not asked again');
  assert.deepEqual(answers.map((a) => a?.metadata.name), Array.from({ length: 8 }, (_, i) => `c-${i}`));
});

test('a label selector lists any kind by it; withRecentReads passes every other call through', async () => {
  const kube = seeded(0);
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b-3', namespace: 'apps', labels: { 'backup-of': 'x' } } };
  kube.objects.set(FakeKube.key({ apiVersion: 'v1', kind: 'Secret', namespace: 'apps', name: 'b-3' }), secret);
  const wrapped: KubeClient = withRecentReads(kube, new RecentReads(kube, () => 10_000));
  const found = [];
  for (let i = 0; i < 6; i++) found.push(await readRecent(wrapped, { apiVersion: 'v1', kind: 'Secret', namespace: 'apps', name: `b-${i}` }, { notBefore: 0, labelSelector: 'backup-of=x' }));
  assert.deepEqual(found.map((f) => f?.metadata.name), [undefined, undefined, undefined, 'b-3', undefined, undefined]);
  assert.equal(kube.gets, LIST_AFTER_READS - 1);
  assert.equal(await wrapped.serverVersion(), 'v1.34.4');
  // Without a run's wrapper, a recent read is a GET.
  await readRecent(kube, ref('c-0'), { notBefore: 0 });
  assert.equal(kube.gets, LIST_AFTER_READS);
});

test('changedAt reads helm times to the millisecond, and nothing from no time', () => {
  assert.equal(changedAt('2026-12-07T13:01:55.324744649Z'), Date.UTC(2026, 11, 7, 13, 1, 55, 324));
  assert.equal(changedAt(undefined), undefined);
  assert.equal(changedAt('not a time'), undefined);
});

// The wiring in readReleaseFacts: a deployed release's drift and backup come from the run's lists when
// those were taken after its last deploy, and are read live when helm changed it since.
import { readReleaseFacts } from '../../src/lifecycle/release-facts.js';
import { DIGEST_LABEL } from '../../src/lifecycle/digest.js';
import { BACKUP_OF_LABEL } from '../../src/toolkit/backup.js';
import { FakeHelm, releaseInfo } from './fakes.js';

class ServerLikeKube extends CountingKube {
  override async listByLabels(apiVersion: string, kind: string, namespace: string, labelSelector: string) {
    this.lists++;
    // An exists-selector, as the API server reads it.
    return [...this.objects.values()].filter((o) => o.apiVersion === apiVersion && o.kind === kind && o.metadata.namespace === namespace && o.metadata.labels?.[labelSelector] !== undefined).map((o) => structuredClone(o));
  }
}

async function facts(kube: KubeClient, helm: FakeHelm, name: string, updated: string) {
  helm.manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  color: red\n`;
  const release = releaseInfo({ name, namespace: 'apps', updated, labels: { [DIGEST_LABEL]: 'd' } });
  return readReleaseFacts(helm, kube, { name, namespace: 'apps', ignoreDrift: false, backup: [] }, release, 'd', {}, 'in-sync');
}

test('readReleaseFacts: releases deployed before the run read their drift and backups from lists; one deployed since reads live', async () => {
  const kube = seeded(12);
  const server = new ServerLikeKube();
  server.objects = kube.objects;
  server.objects.set(FakeKube.key({ apiVersion: 'v1', kind: 'Secret', namespace: 'apps', name: 'helmcycle-backup-c-9' }), {
    apiVersion: 'v1', kind: 'Secret', type: 'helmcycle.dev/backup', metadata: { name: 'helmcycle-backup-c-9', namespace: 'apps', labels: { [BACKUP_OF_LABEL]: 'c-9' } },
    data: { 'objects.json': Buffer.from('[]').toString('base64') },
  });
  const run = withRecentReads(server, new RecentReads(server));
  const helm = new FakeHelm();
  const long = new Date(Date.now() - 3_600_000).toISOString();
  const results = [];
  for (let i = 0; i < 12; i++) results.push(await facts(run, helm, `c-${i}`, long));
  // Per release a GET of its ConfigMap and of its backup Secret until each list is taken, then nothing.
  assert.equal(server.lists, 2);
  assert.equal(server.gets, 2 * (LIST_AFTER_READS - 1));
  assert.ok(results.every((r) => r.drift?.length === 0), 'nothing drifted');
  assert.deepEqual(results.map((r) => r.pendingBackup !== undefined), results.map((_, i) => i === 9), 'the one backup is found');
  // A release deployed just now (by this run, say): its objects and backup are read live.
  const gets = server.gets;
  await facts(run, helm, 'c-3', new Date().toISOString());
  assert.equal(server.gets, gets + 2);
});
