// Leader election on a Lease held by a fake API server that enforces resourceVersion as the real one
// does (409 on a stale write): one leader at a time, a dead leader replaced only after the lease time
// by the follower's own clock, a race for an expired lease won by one, and a clean stop handing it back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeRequestError } from '../../src/errors.js';
import type { KubeObject } from '../../src/kube/types.js';
import { LeaderElection } from '../../src/reconcile/leader.js';
import { FakeKube } from './fakes.js';

class LeaseServer extends FakeKube {
  private version = 0;
  private store(object: KubeObject) {
    this.objects.set(FakeKube.key({ ...object, name: object.metadata.name, namespace: object.metadata.namespace }), structuredClone(object));
    return Promise.resolve(structuredClone(object));
  }
  override async createObject(object: KubeObject) {
    // Checked and written in one step, as the API server does.
    if (this.objects.get(FakeKube.key({ ...object, name: object.metadata.name, namespace: object.metadata.namespace }))) throw new KubeRequestError('already exists', 409);
    return this.store({ ...object, metadata: { ...object.metadata, resourceVersion: String(++this.version) } });
  }
  override async replaceObject(object: KubeObject) {
    const live = this.objects.get(FakeKube.key({ ...object, name: object.metadata.name, namespace: object.metadata.namespace }));
    if (live?.metadata.resourceVersion !== object.metadata.resourceVersion) throw new KubeRequestError('the object has been modified', 409);
    return this.store({ ...object, metadata: { ...object.metadata, resourceVersion: String(++this.version) } });
  }
}

function replica(kube: LeaseServer, identity: string, clock: { time: number }) {
  return new LeaderElection({ kube, name: 'helmcycle-reconcile', namespace: 'default', identity, leaseDurationMs: 15_000, clock: { now: () => clock.time, sleep: async () => undefined } });
}

const lease = async (kube: LeaseServer) => (await kube.getObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'default', name: 'helmcycle-reconcile' }))?.spec as { holderIdentity?: string; leaseTransitions?: number; renewTime?: string };

describe('reconcile leader election', () => {
  it('one replica leads; the other waits while the lease is renewed', async () => {
    const kube = new LeaseServer();
    const clock = { time: 1_000_000 };
    const [a, b] = [replica(kube, 'a', clock), replica(kube, 'b', clock)];
    assert.equal(await a.attempt(), true);
    assert.equal(await b.attempt(), false);
    for (let i = 0; i < 10; i++) {
      clock.time += 5_000;
      assert.equal(await a.attempt(), true);
      assert.equal(await b.attempt(), false, `renewed at ${i}: b must wait`);
    }
    assert.equal((await lease(kube)).holderIdentity, 'a');
    assert.match((await lease(kube)).renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('a dead leader is replaced once the lease time passed on the follower clock, not before', async () => {
    const kube = new LeaseServer();
    const clock = { time: 1_000_000 };
    const [a, b] = [replica(kube, 'a', clock), replica(kube, 'b', clock)];
    await a.attempt();
    await b.attempt(); // b sees the record now
    clock.time += 14_000;
    assert.equal(await b.attempt(), false, 'within the lease time');
    clock.time += 2_000;
    assert.equal(await b.attempt(), true);
    assert.deepEqual([(await lease(kube)).holderIdentity, (await lease(kube)).leaseTransitions], ['b', 1]);
    assert.equal(await a.attempt(), false, 'the old leader, back, follows');
    assert.equal(a.leader, false);
  });

  it('two followers racing for an expired lease: exactly one wins', async () => {
    const kube = new LeaseServer();
    const clock = { time: 1_000_000 };
    const [a, b, c] = [replica(kube, 'a', clock), replica(kube, 'b', clock), replica(kube, 'c', clock)];
    await a.attempt();
    await b.attempt();
    await c.attempt();
    clock.time += 20_000;
    const won = await Promise.all([b.attempt(), c.attempt()]);
    assert.equal(won.filter(Boolean).length, 1, `won: ${won}`);
  });

  it('a stop hands the lease back: the follower takes it at once', async () => {
    const kube = new LeaseServer();
    const clock = { time: 1_000_000 };
    const [a, b] = [replica(kube, 'a', clock), replica(kube, 'b', clock)];
    await a.attempt();
    await a.stop();
    assert.equal(await b.attempt(), true);
  });
});
