// A first install that fails for nothing: Helm 4's hook wait (kstatus) takes a pre-install hook Job that
// is gone before it read it for "not ready. status: NotFound", waits out its timeout and fails the
// install, leaving the release failed. helmcycle puts that in its own class (helm-wait-race) and runs the
// same action again: over the failed first install, helm's upgrade --install upgrades (and runs no
// pre-install hook). The fixture's Job is removed by the garbage collector (its owner does not exist),
// which makes deterministic what a real chart's completed hook Job, removed by its delete policy or TTL
// before helm's watcher reads it, does now and then. Helm 3's hook wait takes a deleted Job as done.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import { runChart } from '../../src/lifecycle/runner.js';
import { helmsUnderTest, uniqueNamespace } from './support.js';

const VANISHING_HOOK = resolve('test/fixtures/charts/vanishing-hook');

for (const target of helmsUnderTest()) {
  const { helm, kube } = target;
  const namespaces: string[] = [];

  describe(`a hook Job gone before helm's wait reads it, with ${target.label}`, () => {
    after(async () => {
      for (const namespace of namespaces) await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    });

    it(target.label === 'helm4'
      ? 'fails Helm 4\'s first install as helm-wait-race, and the retry (an upgrade over the failed release) installs it'
      : 'is no failure under Helm 3, whose hook wait takes a deleted Job as done', async () => {
      const namespace = uniqueNamespace(`race-${target.label}`);
      namespaces.push(namespace);
      const events: LifecycleEvent[] = [];
      const result = await runChart({ name: 'ingress', namespace, createNamespace: true, chart: VANISHING_HOOK, timeoutSeconds: 6 }, { helm, kube, onEvent: (e) => events.push(e) });
      assert.equal(result.outcome, 'installed');
      const history = (await helm.history({ release: 'ingress', namespace })).map((r) => [r.revision, r.status]);
      const remedies = events.filter((e) => e.type === 'remedy');
      if (target.label === 'helm3') {
        assert.deepEqual(remedies, []);
        assert.deepEqual(history, [[1, 'deployed']]);
        return;
      }
      const classified = events.find((e) => e.type === 'failure-classified');
      assert.ok(classified?.type === 'failure-classified' && classified.failureClass === 'helm-wait-race', JSON.stringify(classified));
      assert.match(classified.summary, /Job\/ingress-admission-create not found by helm's wait/);
      assert.deepEqual(remedies.map((e) => [e.failureClass, e.remedy, e.attempt, e.attemptsLeft]), [['helm-wait-race', 'retry', 1, 1]]);
      // The upgrade over the failed first install supersedes it (helm's own bookkeeping).
      assert.deepEqual(history, [[1, 'superseded'], [2, 'deployed']], 'helm upgraded over the failed first install');
      assert.deepEqual(result.payload.remedies?.map((r) => [r.failureClass, r.remedy, r.ok]), [['helm-wait-race', 'retry', true]]);
    });
  });
}
