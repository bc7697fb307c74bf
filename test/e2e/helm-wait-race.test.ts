// A first install that fails for nothing: Helm 4's hook wait (kstatus) can take a pre-install hook Job
// that is gone before it read it for "not ready. status: NotFound", wait out its timeout and fail the
// install; helmcycle classes that as helm-wait-race and retries it (test/unit/failures.test.ts and
// runner.test.ts, with helm's exact message). The fixture's Job is removed by the garbage collector (its
// owner does not exist). Under Helm 4 which side of the race the watcher lands on depends on the garbage
// collector's timing (one run in four saw "status: Unknown ... context deadline exceeded" instead), so
// only the deterministic half runs here: Helm 3's hook wait takes a deleted Job as done.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import { runChart } from '../../src/lifecycle/runner.js';
import { helmsUnderTest, uniqueNamespace } from './support.js';

const VANISHING_HOOK = resolve('test/fixtures/charts/vanishing-hook');

for (const target of helmsUnderTest().filter((t) => t.label === 'helm3')) {
  const { helm, kube } = target;
  const namespaces: string[] = [];

  describe(`a hook Job gone before helm's wait reads it, with ${target.label}`, () => {
    after(async () => {
      for (const namespace of namespaces) await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    });

    it('is no failure under Helm 3, whose hook wait takes a deleted Job as done', async () => {
      const namespace = uniqueNamespace(`race-${target.label}`);
      namespaces.push(namespace);
      const events: LifecycleEvent[] = [];
      const result = await runChart({ name: 'ingress', namespace, createNamespace: true, chart: VANISHING_HOOK, timeoutSeconds: 6 }, { helm, kube, onEvent: (e) => events.push(e) });
      assert.equal(result.outcome, 'installed');
      const history = (await helm.history({ release: 'ingress', namespace })).map((r) => [r.revision, r.status]);
      const remedies = events.filter((e) => e.type === 'remedy');
      assert.deepEqual(remedies, []);
      assert.deepEqual(history, [[1, 'deployed']]);
    });
  });
}
