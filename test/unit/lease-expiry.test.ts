// Lease expiry judged as client-go's leader election judges it (issue 24, item 11): by how long this run
// has seen the record unchanged on its own clock, never by the holder's renewTime against this clock;
// a pid is only trusted for a holder in this process space. And every retry of the acquisition waits
// and ends with --lock-timeout (item 12). Fake clock, fake API server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeRequestError } from '../../src/errors.js';
import type { KubeClient, KubeObject } from '../../src/kube/types.js';
import { leaseObject, leaseState, readLease, type RunIdentity } from '../../src/lease/lease-record.js';
import { awaitRecoverable } from '../../src/lease/await-recoverable.js';
import { acquireReleaseLease, LeaseHeldError } from '../../src/lease/release-lease.js';
import { leaseHolder } from '../../src/lease/lease-view.js';

const here = 'boot-a/pid:[4026531836]';
const self: RunIdentity = { runId: 'me-1', host: 'ci-1', pid: 100, command: 'helmcycle apply', processSpace: here };
const skewed: RunIdentity = { runId: 'other-2', host: 'ci-2', pid: 200, command: 'helmcycle apply', processSpace: 'boot-b/pid:[4026531836]' };

/** A monotonic clock that only moves when the code under test sleeps. */
function fakeClock() {
  let now = 0;
  return { clock: { now: () => now }, sleep: async (ms: number) => { now += ms; }, elapsed: () => now };
}

/** One Lease in a fake API server; `renewBy` lets a holder renew it as its own run would. */
function leaseStore(initial?: KubeObject) {
  let stored = initial && { ...initial, metadata: { ...initial.metadata, resourceVersion: '1' } };
  let version = 1;
  let requests = 0;
  const write = (object: KubeObject) => {
    stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++version) } };
    return stored;
  };
  const kube = {
    getObject: async () => { requests++; return stored; },
    createObject: async (object: KubeObject) => { requests++; if (stored) throw new KubeRequestError('AlreadyExists', 409); return write(object); },
    replaceObject: async (object: KubeObject) => {
      requests++;
      if (object.metadata.resourceVersion !== stored?.metadata.resourceVersion) throw new KubeRequestError('Conflict', 409);
      return write(object);
    },
    deleteObject: async () => { stored = undefined; },
  } as unknown as KubeClient;
  return {
    kube,
    requests: () => requests,
    holder: () => (stored ? readLease(stored).holder?.runId : undefined),
    renewBy: (holder: RunIdentity, at: Date) => write(leaseObject('web', 'apps', holder, at, stored ? readLease(stored) : undefined)),
  };
}

describe('lease expiry with clock skew between runners', () => {
  for (const skewSeconds of [-30, 30, -3_600]) {
    it(`does not take a lease whose holder keeps renewing it with a clock ${skewSeconds} s off, and takes it after 30 s without a change`, async () => {
      const time = fakeClock();
      const wall = () => new Date(Date.UTC(2026, 11, 7) + time.elapsed() + skewSeconds * 1000);
      const store = leaseStore(leaseObject('web', 'apps', skewed, wall()));
      let renewing = true;
      // The holder renews every 10 s of the fake clock, stamping its own (skewed) time; each renewal is a
      // new record. The waiting run polls once a second.
      let nextRenewal = 10_000;
      const sleep = async (ms: number) => {
        await time.sleep(ms);
        while (renewing && time.elapsed() >= nextRenewal) {
          store.renewBy(skewed, wall());
          nextRenewal += 10_000;
        }
        if (time.elapsed() >= 120_000) renewing = false; // the holder dies after two minutes
      };
      const taken = await acquireReleaseLease({ kube: store.kube, release: 'web', namespace: 'apps', self, lockTimeoutMs: 600_000, clock: time.clock, sleep, random: () => 0, processSpace: here });
      assert.ok(taken);
      const at = time.elapsed();
      assert.ok(at >= 150_000, `taken at ${at} ms: while the holder renewed (until 120 s, last at 120 s), the lease stayed live`);
      assert.ok(at <= 152_000, `taken at ${at} ms: 30 s after the last change it was seen, not much later`);
      assert.equal(store.holder(), self.runId);
      assert.equal(taken.previous?.holder?.runId, skewed.runId);
      await taken.release();
    });
  }

  it('judges a lease renewed far in the past or the future by the record, not by its timestamps', () => {
    const past = readLease(leaseObject('web', 'apps', skewed, new Date('2020-01-01T00:00:00Z')));
    const future = readLease(leaseObject('web', 'apps', skewed, new Date('2099-01-01T00:00:00Z')));
    const probe = { processSpace: here, processAlive: () => false };
    for (const record of [past, future]) {
      assert.equal(leaseState(record, self, 0, probe).kind, 'live', 'just seen: live, however old its renewTime');
      assert.equal(leaseState(record, self, 30_001, probe).kind, 'expired', 'unchanged for its duration: expired, however new its renewTime');
    }
  });
});

describe('a holder in another pid namespace on the same host', () => {
  const container: RunIdentity = { runId: 'ctr-3', host: 'ci-1', pid: 7, command: 'helmcycle apply', processSpace: 'boot-a/pid:[4026532999]' };
  const oldVersion: RunIdentity = { runId: 'old-4', host: 'ci-1', pid: 7, command: 'helmcycle apply' };
  const noSuchPid = { processSpace: here, processAlive: () => false };

  it('is not judged dead because its pid is not alive here', () => {
    for (const holder of [container, oldVersion]) {
      const record = readLease(leaseObject('web', 'apps', holder, new Date()));
      assert.equal(leaseState(record, self, 1_000, noSuchPid).kind, 'live', holder.runId);
    }
    const sameSpace = readLease(leaseObject('web', 'apps', { ...container, processSpace: here }, new Date()));
    assert.equal(leaseState(sameSpace, self, 1_000, noSuchPid).kind, 'expired', 'in this space, a gone pid is a dead run');
  });

  it('does not have its pending release recovered at once as if it had died here', async () => {
    // A pid that no process has here (above the kernel's pid_max): the old check read it as a dead run.
    const gone = { ...container, pid: 4_194_305 };
    const release = { name: 'web', namespace: 'apps', revision: 3, status: 'pending-upgrade', updated: new Date().toISOString() } as never;
    const previous = readLease(leaseObject('web', 'apps', gone, new Date()));
    await assert.rejects(
      awaitRecoverable({ release, previous, self, timeoutSeconds: 300, lockTimeoutMs: 0, readRelease: async () => release, log: () => {}, processSpace: here }),
      (error: Error & { code?: string }) => error.code === 'RELEASE_LEASE_HELD' && /stopped renewing its lease; its helm may still be running/.test(error.message),
    );
  });

  it('is waited for while its lease is renewed, though its pid is gone here', async () => {
    const time = fakeClock();
    const store = leaseStore(leaseObject('web', 'apps', container, new Date()));
    const sleep = async (ms: number) => { await time.sleep(ms); if (time.elapsed() % 10_000 < ms) store.renewBy(container, new Date()); };
    await assert.rejects(
      acquireReleaseLease({ kube: store.kube, release: 'web', namespace: 'apps', self, lockTimeoutMs: 60_000, clock: time.clock, sleep, random: () => 0, processSpace: here }),
      (error: Error) => error instanceof LeaseHeldError && /being changed by helmcycle apply \(pid 7 on ci-1/.test(error.message),
    );
    assert.equal(store.holder(), container.runId);
  });
});

describe('a lease whose writes are refused every time', () => {
  for (const status of [409, 422]) {
    it(`waits between attempts on a persistent ${status} and gives up with the lock timeout`, async () => {
      const time = fakeClock();
      let requests = 0;
      const spinGuard = () => { if (requests > 5_000) throw new Error(`spinning: ${requests} requests`); };
      const kube = {
        getObject: async () => { requests++; spinGuard(); return undefined; },
        createObject: async () => { requests++; throw new KubeRequestError(status === 409 ? 'AlreadyExists' : 'Invalid', status); },
        replaceObject: async () => { requests++; throw new KubeRequestError('Conflict', status); },
        deleteObject: async () => undefined,
      } as unknown as KubeClient;
      await assert.rejects(
        acquireReleaseLease({ kube, release: 'web', namespace: 'apps', self, lockTimeoutMs: 60_000, clock: time.clock, sleep: time.sleep, random: () => 0, processSpace: here }),
        (error: Error) => {
          assert.ok(error instanceof LeaseHeldError);
          assert.match(error.message, new RegExp(`could not take the lease of apps/web: every write of it was refused \\(HTTP ${status}`));
          assert.match(error.message, /tried for 60s \(--lock-timeout\)/);
          return true;
        },
      );
      assert.equal(time.elapsed(), 60_000, 'waited exactly the lock timeout');
      // 250 ms, 500 ms, ... up to 5 s: about 16 attempts in a minute, two requests each.
      assert.ok(requests <= 40, `${requests} requests`);
      assert.ok(requests >= 10, `${requests} requests`);
    });
  }

  it('stops waiting when the run is cancelled', async () => {
    const controller = new AbortController();
    const kube = {
      getObject: async () => undefined,
      createObject: async () => { controller.abort(new Error('cancelled')); throw new KubeRequestError('Conflict', 409); },
    } as unknown as KubeClient;
    await assert.rejects(acquireReleaseLease({ kube, release: 'web', namespace: 'apps', self, lockTimeoutMs: 60_000, signal: controller.signal, processSpace: here }), (error: Error) => error.name === 'AbortError' || error.message === 'cancelled');
  });
});

describe('who holds a lease, as plan and status say it', () => {
  it('names a holder whose renewTime looks old by this clock as holding it, with the age as a hint only', async () => {
    const twoHoursAgo = new Date(Date.now() - 7_200_000);
    const store = leaseStore(leaseObject('web', 'apps', skewed, twoHoursAgo));
    const said = await leaseHolder(store.kube, 'web', 'apps');
    assert.match(said ?? '', /^helmcycle apply \(pid 200 on ci-2, run other-2\) since .*, last renewed 7200s ago by this machine's clock \(a run waits for 30s without a renewal before taking it over\)$/);
    assert.doesNotMatch(said ?? '', /lapsed/);
  });
});
