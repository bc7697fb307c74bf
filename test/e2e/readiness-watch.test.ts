// The readiness watch per namespace against the real API server: every kind watched after one LIST, a
// change seen without a request, and, for a deployer that may list pods but not watch them (and may not
// list DaemonSets at all), pods polled and DaemonSets a gap, the rest still watched.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClients } from '../../src/clients.js';
import type { DeployObservation } from '../../src/kube/deploy-observation.js';
import { NamespaceObserver, type ReleaseSubscription } from '../../src/kube/namespace-observer.js';
import type { WatchingSource } from '../../src/kube/namespace-watch.js';
import type { KubeObject } from '../../src/kube/types.js';
import { clientsForServiceAccount } from './restricted-user.js';
import { uniqueNamespace } from './support.js';

const helmBinary = process.env.HELMCYCLE_HELM4 ?? 'helm';
const { kube } = createClients({ helmBinary });

function deployment(namespace: string, name: string): KubeObject {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace, annotations: { 'meta.helm.sh/release-name': 'web', 'meta.helm.sh/release-namespace': namespace } },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'registry.invalid/helmcycle/web:1.0' }] } } },
  };
}

async function until(what: string, subscription: ReleaseSubscription, seen: (o: DeployObservation) => boolean, timeoutMs = 30_000): Promise<void> {
  const givenUp = Date.now() + timeoutMs;
  while (!seen(subscription.current())) {
    if (Date.now() > givenUp) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(subscription.current().workloads.map((w) => w.generations.at(-1)?.state))}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const modes = (observer: NamespaceObserver) => (observer as unknown as { source: WatchingSource }).source.modes();
const ready = (o: DeployObservation) => o.workloads.length === 1 && o.workloads[0]!.generations.at(-1)!.state.ready && o.pods.some((p) => p.present && p.last.state.ready);

describe('readiness watch per namespace', () => {
  const namespace = uniqueNamespace('watch');
  before(async () => {
    await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  });
  after(async () => {
    await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  });

  it('watches every kind after one LIST each, and sees a rollout without asking again', async () => {
    await kube.createObject(deployment(namespace, 'web'));
    const observer = new NamespaceObserver(kube, namespace);
    const web = observer.subscribe('web');
    try {
      await until('the Deployment ready', web, ready);
      assert.deepEqual(Object.values(modes(observer)), ['watching', 'watching', 'watching', 'watching', 'watching', 'watching']);
      const requests = observer.stats.requests;
      assert.equal(requests, 12, 'a LIST and a watch for each of six kinds');
      const started = Date.now();
      const patched = await kube.patchObject({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'web' }, { spec: { template: { metadata: { annotations: { round: '2' } } } } });
      await until('the new generation', web, (o) => (o.workloads[0]?.generations.at(-1)?.state.generation ?? 0) >= patched.metadata.generation!);
      const seenMs = Date.now() - started;
      await until('the new generation ready', web, ready);
      assert.ok(seenMs < 1_500, `seen ${seenMs} ms after the patch, not at a poll`);
      assert.equal(observer.stats.requests, requests, 'no request: the watches brought it');
      assert.ok(observer.stats.events > 0);
    } finally {
      web.close();
    }
  });

  it('a deployer that may list pods but not watch them polls them; a kind it may not list is a gap', async () => {
    const restricted = await clientsForServiceAccount(kube, {
      namespace, name: 'no-watch', helmBinary,
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
        { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    const observer = new NamespaceObserver(restricted.kube, namespace, { intervalMs: 200 });
    const web = observer.subscribe('web');
    try {
      await until('the Deployment ready', web, ready);
      const expected = { Pod: 'polling', ReplicaSet: 'watching', Deployment: 'watching', StatefulSet: 'watching', DaemonSet: 'refused', Job: 'watching' };
      const givenUp = Date.now() + 10_000;
      while (JSON.stringify(modes(observer)) !== JSON.stringify(expected) && Date.now() < givenUp) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(modes(observer), expected);
      assert.deepEqual(web.current().gaps, [`DaemonSet: not allowed to list them in ${namespace}`]);
      assert.ok(web.current().pods.some((p) => p.present && p.last.state.workload === 'Deployment/web'), 'its pod still seen');
    } finally {
      web.close();
      await restricted.cleanup();
    }
  });
});
