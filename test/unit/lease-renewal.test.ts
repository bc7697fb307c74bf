// Renewing a held lease while the API server stalls: one renewal at a time, a conflict with this run's
// own earlier write is not a lost lease, and only another holder (or a lease run out) loses it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { KubeRequestError } from '../../src/errors.js';
import type { KubeClient, KubeObject } from '../../src/kube/types.js';
import { leaseObject, type RunIdentity } from '../../src/lease/lease-record.js';
import { acquireReleaseLease } from '../../src/lease/release-lease.js';

const self: RunIdentity = { runId: 'me-1', host: 'ci-1', pid: 100, command: 'helmcycle apply' };
const other: RunIdentity = { runId: 'other-2', host: 'ci-2', pid: 200, command: 'helmcycle apply' };

/** A Lease store whose writes can be held back, as a paused API server holds them. */
function leaseStore() {
  let stored: KubeObject | undefined;
  let version = 0;
  const held: Array<() => void> = [];
  let paused = false;
  const written = (object: KubeObject): KubeObject => {
    stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++version) } };
    return stored;
  };
  const replace = (object: KubeObject): KubeObject => {
    if (object.metadata.resourceVersion !== stored?.metadata.resourceVersion) throw new KubeRequestError('Conflict', 409);
    return written(object);
  };
  const kube = {
    getObject: async () => stored,
    createObject: async (object: KubeObject) => written(object),
    replaceObject: (object: KubeObject) =>
      paused ? new Promise<KubeObject>((resolve, reject) => held.push(() => { try { resolve(replace(object)); } catch (e) { reject(e); } })) : Promise.resolve().then(() => replace(object)),
    deleteObject: async () => { stored = undefined; },
  } as unknown as KubeClient;
  return {
    kube,
    replaces: () => held.length,
    pause: () => { paused = true; },
    resume: () => { paused = false; for (const release of held.splice(0)) release(); },
    takeOver: (by: RunIdentity) => written(leaseObject('web', 'apps', by, new Date())),
  };
}

const settle = async () => { for (let i = 0; i < 20; i++) await Promise.resolve(); };

describe('a held lease while the API server stalls', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval', 'Date'] }));
  afterEach(() => mock.timers.reset());

  it('sends one renewal at a time and keeps the lease when the stalled one lands', async () => {
    const store = leaseStore();
    const lease = (await acquireReleaseLease({ kube: store.kube, release: 'web', namespace: 'apps', self, lockTimeoutMs: 1_000 }))!;
    store.pause();
    for (let tick = 0; tick < 2; tick++) { mock.timers.tick(10_000); await settle(); }
    assert.equal(store.replaces(), 1, 'the second tick waits for the first renewal');
    store.resume();
    await settle();
    mock.timers.tick(10_000);
    await settle();
    assert.equal(lease.lost.aborted, false, 'not lost');
    await lease.release();
  });

  it('takes a conflict with its own write for what it is, and a takeover by another run as lost', async () => {
    const store = leaseStore();
    const lease = (await acquireReleaseLease({ kube: store.kube, release: 'web', namespace: 'apps', self, lockTimeoutMs: 1_000 }))!;
    store.takeOver(self); // this run's own write, which its renewal loop did not see come back
    mock.timers.tick(10_000);
    await settle();
    assert.equal(lease.lost.aborted, false, 'still ours');
    store.takeOver(other);
    mock.timers.tick(10_000);
    await settle();
    assert.equal(lease.lost.aborted, true);
    assert.equal((lease.lost.reason as { code?: string }).code, 'RELEASE_LEASE_LOST');
    assert.match((lease.lost.reason as Error).message, /lost the lease of apps\/web: helmcycle apply \(pid 200 on ci-2/);
  });
});
