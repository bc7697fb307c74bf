// The release lease's pure parts: reading and writing a holder, judging a lease live or expired, and
// when a pending release may be recovered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leaseName, leaseObject, leaseState, microTime, readLease, type LeaseState, type RunIdentity } from '../../src/lease/lease-record.js';
import { isHelmChangingRelease } from '../../src/lease/local-processes.js';
import { judgePending, type PendingFacts } from '../../src/lease/pending-guard.js';

const self: RunIdentity = { runId: 'me-1', host: 'ci-1', pid: 100, command: 'helmcycle apply' };
const other: RunIdentity = { runId: 'other-2', host: 'ci-2', pid: 200, command: 'helmcycle apply' };
const t0 = new Date('2026-12-01T12:00:00.000Z');
const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const space = 'boot-1/pid:[4026531836]';
const probe = (alive: boolean) => ({ processSpace: space, processAlive: () => alive });

describe('lease records', () => {
  it('writes a holder and reads it back', () => {
    const object = leaseObject('web', 'apps', other, t0);
    assert.equal(object.metadata.name, leaseName('web'));
    assert.equal((object.spec as { renewTime: string }).renewTime, '2026-12-01T12:00:00.000000Z');
    const record = readLease({ ...object, metadata: { ...object.metadata, resourceVersion: '7' } });
    assert.deepEqual(record.holder, other);
    assert.equal(record.renewed?.getTime(), t0.getTime());
    assert.equal(record.resourceVersion, '7');
  });

  it('keeps the acquire time across renewals by the same holder, and resets it for a new one', () => {
    const first = readLease(leaseObject('web', 'apps', other, t0));
    const renewed = readLease(leaseObject('web', 'apps', other, later(10), first));
    assert.equal(renewed.acquired?.getTime(), t0.getTime());
    assert.equal(renewed.renewed?.getTime(), later(10).getTime());
    const taken = readLease(leaseObject('web', 'apps', self, later(40), first));
    assert.equal(taken.acquired?.getTime(), later(40).getTime());
  });

  it('judges a lease absent, ours, live or expired by how long it has been seen unchanged', () => {
    const held = readLease(leaseObject('web', 'apps', other, t0));
    assert.equal(leaseState(undefined, self, 0, probe(true)).kind, 'absent');
    assert.equal(leaseState(readLease(leaseObject('web', 'apps', self, t0)), self, 5_000, probe(true)).kind, 'ours');
    assert.equal(leaseState(held, self, 29_000, probe(true)).kind, 'live');
    assert.equal(leaseState(held, self, 31_000, probe(true)).kind, 'expired');
  });

  it('takes a holder in this process space whose process is gone as dead before the lease runs out', () => {
    const here = readLease(leaseObject('web', 'apps', { ...other, host: 'ci-1', processSpace: space }, t0));
    assert.equal(here.holder?.processSpace, space, 'the process space is written and read back');
    assert.equal(leaseState(here, self, 1_000, probe(false)).kind, 'expired');
    assert.equal(leaseState(here, self, 1_000, probe(true)).kind, 'live');
  });

  it('writes MicroTime with six fractional digits', () => {
    assert.equal(microTime(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05.678000Z');
  });
});

describe('when a pending release may be recovered', () => {
  const facts = (lease: LeaseState, overrides: Partial<PendingFacts> = {}): PendingFacts => ({
    status: 'pending-upgrade', revision: 3, updated: t0, lease, timeoutSeconds: 300, helmRunningHere: false, holderVisibleHere: lease.kind === 'expired' && lease.holder?.host === 'ci-1', holderAliveHere: false, now: later(5), ...overrides,
  });

  it('waits while another run holds a live lease, however old the revision', () => {
    assert.equal(judgePending(facts({ kind: 'live', holder: other, since: t0 }, { now: later(3600) })).kind, 'wait');
  });

  it('waits while a helm of the release still runs on this machine', () => {
    assert.equal(judgePending(facts({ kind: 'expired', holder: { ...other, host: 'ci-1' }, since: t0 }, { helmRunningHere: true })).kind, 'wait');
  });

  it('recovers at once what a run that died on this machine left, once no helm of it runs', () => {
    assert.equal(judgePending(facts({ kind: 'expired', holder: { ...other, host: 'ci-1' }, since: t0 })).kind, 'recover');
  });

  it('does not take a stalled run on this machine for a dead one', () => {
    assert.equal(judgePending(facts({ kind: 'expired', holder: { ...other, host: 'ci-1' }, since: t0 }, { holderAliveHere: true })).kind, 'wait');
  });

  it('waits for helm\'s own deadline when the dead holder ran on another machine', () => {
    const lease: LeaseState = { kind: 'expired', holder: other, since: t0 };
    const waiting = judgePending(facts(lease, { now: later(60) }));
    assert.equal(waiting.kind, 'wait');
    assert.equal(waiting.kind === 'wait' && waiting.until?.getTime(), later(305).getTime());
    assert.equal(judgePending(facts(lease, { now: later(306) })).kind, 'recover');
  });

  it('waits for a release another tool left pending until it is older than its timeout', () => {
    assert.equal(judgePending(facts({ kind: 'absent' }, { now: later(100) })).kind, 'wait');
    assert.equal(judgePending(facts({ kind: 'absent' }, { now: later(306) })).kind, 'recover');
  });

  it('does not wait where the processes cannot be read and the holder ran here: the deadline decides', () => {
    const lease: LeaseState = { kind: 'expired', holder: { ...other, host: 'ci-1' }, since: t0 };
    assert.equal(judgePending(facts(lease, { helmRunningHere: undefined })).kind, 'wait');
    assert.equal(judgePending(facts(lease, { helmRunningHere: undefined, now: later(400) })).kind, 'recover');
  });
});

describe('helm processes of a release', () => {
  it('recognises helm commands that change the release in its namespace', () => {
    assert.equal(isHelmChangingRelease(['/bin/helm4', 'upgrade', '--install', 'web', './chart', '--namespace', 'apps'], 'web', 'apps'), true);
    assert.equal(isHelmChangingRelease(['/bin/helm3', 'upgrade', 'web', './chart', '--namespace', 'other'], 'web', 'apps'), false);
    assert.equal(isHelmChangingRelease(['/bin/helm3', 'get', 'manifest', 'web', '--namespace', 'apps'], 'web', 'apps'), false);
    assert.equal(isHelmChangingRelease(['/usr/bin/node', 'upgrade', 'web', '--namespace', 'apps'], 'web', 'apps'), false);
    assert.equal(isHelmChangingRelease(['helm', 'rollback', 'web', '2', '--namespace=apps'], 'web', 'apps'), true);
  });
});
