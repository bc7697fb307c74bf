// The run view belongs to HelmClient: a whole stack run through the fakes uses the run's memory of the
// cluster (each fact asked once per run), reads each release again once its lease is held, and a stack
// rollback reads a release again before deciding its step. Before, the runner reached the view only
// through `instanceof StorageBackedHelmClient`, and a fake got silent no-ops.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveStack } from '../../src/stack/load.js';
import { runStack } from '../../src/stack/run-stack.js';
import type { StackDefinition } from '../../src/stack/types.js';
import { FakeHelm, FakeKube } from './fakes.js';

const chart = (name: string, needs: string[] = []) => ({ name, namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', version: '1.0.0', timeoutSeconds: 1, needs });

function stackOf(definition: Partial<StackDefinition> = {}) {
  return resolveStack({ name: 'view', charts: [chart('a'), chart('b', ['a']), chart('c', ['b'])], ...definition }, {});
}

/** A FakeKube that counts the cluster facts check-prerequisites asks. */
function countingKube() {
  const kube = new FakeKube();
  const counts = { serverVersion: 0, reviewRules: 0, namespaceExists: 0 };
  const serverVersion = kube.serverVersion.bind(kube);
  const reviewRules = kube.reviewRules.bind(kube);
  const namespaceExists = kube.namespaceExists.bind(kube);
  kube.serverVersion = async () => { counts.serverVersion++; return serverVersion(); };
  kube.reviewRules = async () => { counts.reviewRules++; return reviewRules(); };
  kube.namespaceExists = async () => { counts.namespaceExists++; return namespaceExists(); };
  return { kube, counts };
}

describe('a stack run through the run view', () => {
  it("asks each cluster fact once for the whole run, and ends the run's view", async () => {
    const helm = new FakeHelm();
    const { kube, counts } = countingKube();
    const result = await runStack(await stackOf(), { helm, kube, command: 'apply' });
    assert.equal(result.ok, true, JSON.stringify(result.charts.map((c) => [c.name, c.status, String(c.error ?? '')])));
    assert.deepEqual(helm.asked.toSorted(), ['namespace:apps', 'rules:apps', 'server-version'], 'three charts, one namespace: each fact asked once');
    assert.equal(counts.serverVersion, 1, 'the server version is asked once, not once per chart');
    assert.equal(counts.reviewRules, 1, "the namespace's access rules are reviewed once");
    assert.deepEqual(helm.runs, { started: 1, ended: 1 });
  });

  it('asks them again in the next run (a run keeps its facts, not the client)', async () => {
    const helm = new FakeHelm();
    const { kube, counts } = countingKube();
    const stack = await stackOf();
    await runStack(stack, { helm, kube, command: 'apply' });
    await runStack(stack, { helm, kube, command: 'apply' });
    assert.equal(counts.serverVersion, 2);
    assert.deepEqual(helm.runs, { started: 2, ended: 2 });
  });

  it('reads each release again once its lease is held, before deciding on it', async () => {
    const helm = new FakeHelm();
    await runStack(await stackOf(), { helm, kube: new FakeKube(), command: 'apply' });
    assert.deepEqual(helm.rereads, ['apps/a', 'apps/b', 'apps/c']);
  });

  it('a stack rollback reads each release again under its lease before deciding its step', async () => {
    const helm = new FakeHelm();
    // a installs, b fails for good (no remedy for an unknown failure), c never starts.
    helm.upgradeOutcomes = ['ok', new Error('b broke')];
    const result = await runStack(await stackOf({ rollbackStackOnFailure: true }), { helm, kube: new FakeKube(), command: 'apply' });
    assert.equal(result.ok, false);
    // Put back in reverse order, each step decided on a read of the release taken under its lease: after
    // a's and b's own leases come the rollback's reads of b, then a.
    assert.deepEqual(result.rollback?.map((step) => step.chart), ['b', 'a']);
    assert.deepEqual(helm.rereads, ['apps/a', 'apps/b', 'apps/b', 'apps/a']);
    assert.ok(helm.calls.includes('uninstall'), 'the release this run installed was removed again');
  });
});
