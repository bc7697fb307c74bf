import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRunIdentity } from '../../src/lease/lease-record.js';
import { noteWrites, runStackRollback, RunWrites } from '../../src/stack/stack-rollback.js';
import { FakeHelm, FakeKube, releaseInfo } from './fakes.js';
import type { UpgradeRequest } from '../../src/helm/types.js';

const upgrade = { release: 'web', namespace: 'apps' } as UpgradeRequest;
const target = { chart: 'web', namespace: 'apps', recorded: { revision: 1, status: 'deployed' }, timeoutSeconds: 60 };
const history = [1, 2].map((revision) => ({ revision, status: 'deployed' as const, chart: 'web-1.0.0', appVersion: undefined, description: undefined, updated: undefined }));

test('a release this run upgraded is rolled back to the recorded revision, under its lease', async () => {
  const helm = new FakeHelm();
  const kube = new FakeKube();
  helm.current = releaseInfo({ revision: 1 });
  helm.historyRows = history;
  const writes = new RunWrites();
  await noteWrites(helm, writes).upgradeInstall(upgrade);
  assert.deepEqual(writes.of(upgrade), { revision: 2, status: 'deployed' });
  const steps = await runStackRollback([target], { helm, kube, writes, lease: { self: newRunIdentity('helmcycle apply'), lockTimeoutMs: 1_000 } });
  assert.deepEqual(steps, [{ kind: 'rollback', chart: 'web', namespace: 'apps', from: 2, to: 1, ok: true }]);
  assert.ok(helm.calls.includes('rollback:1'));
  assert.ok(kube.calls.some((c) => /Lease/.test(c)), `no lease was taken: ${kube.calls.join(', ')}`);
});

test('a release another run changed after this run is left alone', async () => {
  const helm = new FakeHelm();
  helm.current = releaseInfo({ revision: 1 });
  helm.historyRows = history;
  const writes = new RunWrites();
  await noteWrites(helm, writes).upgradeInstall(upgrade);
  helm.current = releaseInfo({ revision: 3 }); // another run's upgrade
  const steps = await runStackRollback([target], { helm, kube: new FakeKube(), writes, lease: false });
  assert.equal(steps[0]!.kind, 'leave');
  assert.ok(!helm.calls.some((c) => c.startsWith('rollback')));
});

test('a failed rollback step is reported and the next step still runs', async () => {
  const helm = new FakeHelm();
  helm.current = releaseInfo({ revision: 1 });
  helm.historyRows = history;
  const writes = new RunWrites();
  await noteWrites(helm, writes).upgradeInstall(upgrade);
  let first = true;
  helm.rollback = async () => {
    if (first) { first = false; throw new Error('rollback refused'); }
  };
  const steps = await runStackRollback([target, { ...target, chart: 'web' }], { helm, kube: new FakeKube(), writes, lease: false });
  assert.equal(steps.length, 2);
  assert.deepEqual([steps[0]!.ok, steps[0]!.error], [false, 'rollback refused']);
  assert.equal(steps[1]!.ok, true);
});

test('an interrupt stops the steps not yet started', async () => {
  const helm = new FakeHelm();
  helm.current = releaseInfo({ revision: 1 });
  const writes = new RunWrites();
  await noteWrites(helm, writes).upgradeInstall(upgrade);
  const controller = new AbortController();
  controller.abort();
  const steps = await runStackRollback([target], { helm, kube: new FakeKube(), writes, lease: false, signal: controller.signal });
  assert.deepEqual(steps, [{ kind: 'leave', chart: 'web', namespace: 'apps', reason: 'not rolled back: interrupted', ok: false }]);
  assert.ok(!helm.calls.some((c) => c.startsWith('rollback')));
});

test('under stopStartingOnFailure a failure starts nothing more, and what runs finishes', async () => {
  const { buildGraph } = await import('../../src/stack/graph.js');
  const { runGraph } = await import('../../src/stack/scheduler.js');
  const graph = buildGraph([{ name: 'slow', needs: [] }, { name: 'bad', needs: [] }, { name: 'later', needs: [] }]);
  let releaseSlow!: () => void;
  const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
  const outcomes = await runGraph<string>({
    graph,
    concurrency: 2,
    stopStartingOnFailure: true,
    run: async (name) => {
      if (name === 'bad') { setImmediate(releaseSlow); throw new Error('failed for good'); }
      if (name === 'slow') await slowGate;
      return name;
    },
  });
  assert.equal(outcomes.get('slow')!.status, 'succeeded');
  assert.equal(outcomes.get('bad')!.status, 'failed');
  assert.deepEqual(outcomes.get('later'), { status: 'cancelled', reason: 'not started: a chart failed and the stack is rolled back' });
});
