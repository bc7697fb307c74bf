// The deploy observer: which objects belong to a release, how sightings over time become findings
// (a generation that never became ready, even after helm rolled it back or deleted it), how one
// namespace read serves several releases, and how the observation reaches the failure's message.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseChartSpec } from '../../src/config/parse.js';
import { findingsOf, recordView, startObservation, type DeployObservation } from '../../src/kube/deploy-observation.js';
import { chooseWarnings, collectDiagnostics, formatDiagnostics } from '../../src/kube/diagnostics.js';
import { NamespaceObserver, observeRelease } from '../../src/kube/namespace-observer.js';
import { podStateOf, releaseView, type NamespaceLists } from '../../src/kube/release-view.js';
import type { EventRecord, KubeClient, KubeObject } from '../../src/kube/types.js';
import { classifyFailure } from '../../src/failures/classify.js';
import { classifyHelmFailure, type HelmFailure } from '../../src/helm/errors.js';
import { KubeRequestError } from '../../src/errors.js';
import { observationOf, observeDeploy } from '../../src/lifecycle/observe-deploy.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartPayload, PhaseContext } from '../../src/lifecycle/types.js';
import type { WaitProgress } from '../../src/lifecycle/events.js';
import { progressThrottle, waitProgressOf } from '../../src/lifecycle/wait-progress.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { FakeHelm, FakeKube } from './fakes.js';

const ours = { 'meta.helm.sh/release-name': 'web', 'meta.helm.sh/release-namespace': 'apps' };
const theirs = { 'meta.helm.sh/release-name': 'other', 'meta.helm.sh/release-namespace': 'apps' };
const key = { release: 'web', namespace: 'apps' };

function deployment(name: string, generation: number, ready: boolean, annotations: Record<string, string> = ours): KubeObject {
  const status = ready
    ? { observedGeneration: generation, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }
    : { observedGeneration: generation, replicas: 1, updatedReplicas: 1, availableReplicas: 0 };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'apps', generation, annotations }, spec: { replicas: 1 }, status };
}

function statefulSet(name: string): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: 'apps', generation: 1, annotations: ours }, spec: { replicas: 1 }, status: { observedGeneration: 1, readyReplicas: 1, currentRevision: 'a', updateRevision: 'a' } };
}

function replicaSet(name: string, deploymentName: string): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'apps', ownerReferences: [{ kind: 'Deployment', name: deploymentName, controller: true }] } };
}

type Behaviour = 'ready' | 'never-ready' | 'crash-loop' | 'unschedulable';

function pod(name: string, owner: { kind: string; name: string } | undefined, behaviour: Behaviour, metadata: Partial<KubeObject['metadata']> = {}): KubeObject {
  const ready = behaviour === 'ready';
  const container = behaviour === 'crash-loop'
    ? { name: 'web', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }
    : { name: 'web', ready, restartCount: 0, state: { running: {} } };
  const conditions = behaviour === 'unschedulable'
    ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available' }]
    : [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'ContainersNotReady' }) }];
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'apps', ...(owner ? { ownerReferences: [{ ...owner, controller: true }] } : {}), ...metadata },
    status: { phase: behaviour === 'unschedulable' ? 'Pending' : 'Running', conditions, containerStatuses: behaviour === 'unschedulable' ? [] : [container] },
  };
}

function lists(workloads: KubeObject[], pods: KubeObject[], replicaSets: KubeObject[] = []): NamespaceLists {
  return { workloads, pods, replicaSetOwners: new Map(replicaSets.map((rs) => [rs.metadata.name, (rs.metadata.ownerReferences as { name: string }[])[0]!.name])) };
}

/** Sightings, one a second from t=0, of the given namespace reads. */
function observe(reads: NamespaceLists[]): DeployObservation {
  let observation = startObservation(key, 0);
  reads.forEach((read, i) => (observation = recordView(observation, releaseView(read, key), i * 1000)));
  return observation;
}

describe('releaseView', () => {
  it('finds the release by its Helm annotations and its pods through their owners, not their labels', () => {
    const view = releaseView(lists(
      [deployment('web', 1, false), deployment('other', 1, false, theirs), statefulSet('db')],
      [
        pod('web-abc-1', { kind: 'ReplicaSet', name: 'web-abc' }, 'never-ready'),
        pod('other-xyz-1', { kind: 'ReplicaSet', name: 'other-xyz' }, 'never-ready'),
        pod('db-0', { kind: 'StatefulSet', name: 'db' }, 'ready'),
        pod('bare', undefined, 'crash-loop', { annotations: ours }),
        pod('stray', undefined, 'crash-loop'),
      ],
      [replicaSet('web-abc', 'web'), replicaSet('other-xyz', 'other')],
    ), key);
    assert.deepEqual(view.workloads.map((w) => `${w.kind}/${w.name}:${w.ready}`), ['Deployment/web:false', 'StatefulSet/db:true']);
    assert.deepEqual(view.pods.map((p) => `${p.name}→${p.workload}`), ['web-abc-1→Deployment/web', 'db-0→StatefulSet/db', 'bare→Pod/bare']);
  });

  it('reads pod states from raw JSON: crash loops, unschedulable pods, waiting init containers', () => {
    const crash = podStateOf(pod('p', undefined, 'crash-loop'));
    assert.deepEqual([crash.containers[0]?.reason, crash.containers[0]?.lastTerminationReason, crash.containers[0]?.lastExitCode, crash.containers[0]?.restartCount], ['CrashLoopBackOff', 'Error', 1, 3]);
    assert.equal(podStateOf(pod('p', undefined, 'unschedulable')).unschedulable, 'Unschedulable: 0/2 nodes are available');
    const withInit = pod('p', undefined, 'never-ready');
    withInit.status!.initContainerStatuses = [
      { name: 'done', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      { name: 'migrate', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } },
    ];
    assert.deepEqual(podStateOf(withInit).containers.map((c) => `${c.name}:${c.reason ?? '-'}`), ['migrate:ImagePullBackOff', 'web:-']);
  });
});

describe('findingsOf', () => {
  const rs = [replicaSet('web-old', 'web'), replicaSet('web-new', 'web')];

  it('an upgrade rolled back by helm: the generation that never became ready, with its deleted pod', () => {
    const observation = observe([
      lists([deployment('web', 1, true)], [pod('web-old-1', { kind: 'ReplicaSet', name: 'web-old' }, 'ready')], rs),
      lists([deployment('web', 2, false)], [pod('web-old-1', { kind: 'ReplicaSet', name: 'web-old' }, 'ready'), pod('web-new-1', { kind: 'ReplicaSet', name: 'web-new' }, 'never-ready')], rs),
      lists([deployment('web', 2, false)], [pod('web-old-1', { kind: 'ReplicaSet', name: 'web-old' }, 'ready'), pod('web-new-1', { kind: 'ReplicaSet', name: 'web-new' }, 'never-ready')], rs),
      // helm's rollback: a new generation, the old template, ready; the new pod deleted.
      lists([deployment('web', 3, false)], [pod('web-old-1', { kind: 'ReplicaSet', name: 'web-old' }, 'ready')], rs),
      lists([deployment('web', 3, true)], [pod('web-old-1', { kind: 'ReplicaSet', name: 'web-old' }, 'ready')], rs),
    ]);
    const [finding, ...others] = findingsOf(observation);
    assert.deepEqual(others, []);
    assert.deepEqual([finding?.kind, finding?.name, finding?.state.generation, finding?.state.message, finding?.at, finding?.since], ['Deployment', 'web', 2, '0 of 1 updated replicas available', 2000, 'changed']);
    assert.deepEqual(finding?.pods.map((p) => [p.pod.name, p.pod.notReadyReason, p.gone, p.at]), [['web-new-1', 'ContainersNotReady', true, 2000]]);
  });

  it('a failed install that helm uninstalled: the workload and its pods as last seen', () => {
    const observation = observe([
      lists([deployment('web', 1, false)], [pod('web-new-1', { kind: 'ReplicaSet', name: 'web-new' }, 'crash-loop')], rs),
      lists([], []),
    ]);
    const [finding] = findingsOf(observation);
    assert.deepEqual([finding?.since, finding?.pods[0]?.pod.containers[0]?.reason, finding?.pods[0]?.gone], ['gone', 'CrashLoopBackOff', true]);
    assert.equal(finding?.wontHeal, 'web-new-1/web: CrashLoopBackOff');
  });

  it('says which states waiting cannot heal, and which it might', () => {
    const view = (behaviour: Behaviour) => observe([lists([deployment('web', 1, false)], [pod('web-new-1', { kind: 'ReplicaSet', name: 'web-new' }, behaviour)], rs)]);
    assert.equal(findingsOf(view('unschedulable'))[0]?.wontHeal, 'pod web-new-1 cannot be scheduled: Unschedulable: 0/2 nodes are available');
    assert.equal(findingsOf(view('never-ready'))[0]?.wontHeal, undefined, 'a failing readiness probe may still pass');
  });

  it('a workload that was slow but became ready is no finding; one still waiting is', () => {
    const observation = observe([
      lists([deployment('slow', 1, false), deployment('web', 1, false)], []),
      lists([deployment('slow', 1, true), deployment('web', 1, false)], []),
    ]);
    assert.deepEqual(findingsOf(observation).map((f) => `${f.name}:${f.since}`), ['web:not ready']);
  });

  it('a failed Job is a failure, not a wait', () => {
    const job: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'apps', annotations: ours }, spec: {}, status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } };
    const [finding] = findingsOf(observe([lists([job], [])]));
    assert.deepEqual([finding?.kind, finding?.state.failed, finding?.state.message], ['Job', true, 'job failed: BackoffLimitExceeded']);
  });
});

/** A cluster fake whose lists answer by kind (as the API does: items without a kind), and count what they were asked. */
function clusterFake() {
  const fake = Object.assign(new FakeKube(), {
    byKind: new Map<string, KubeObject[]>(),
    listed: [] as string[],
    refuse: new Set<string>(),
    failOnce: new Set<string>(),
  });
  const client: KubeClient = fake;
  client.listObjects = async (_apiVersion: string, kind: string) => {
    fake.listed.push(kind);
    if (fake.refuse.has(kind)) throw new KubeRequestError(`listing ${kind} failed (HTTP 403): forbidden`, 403);
    if (fake.failOnce.delete(kind)) throw new KubeRequestError(`listing ${kind} failed: socket hang up`, undefined);
    return (fake.byKind.get(kind) ?? []).map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest as unknown as KubeObject);
  };
  return fake;
}

// The observer's timer does not hold the process open (a forgotten subscription must not); here nothing
// else would while a test awaits a read.
let keepAlive: NodeJS.Timeout;
before(() => { keepAlive = setInterval(() => {}, 1000); });
after(() => clearInterval(keepAlive));

describe('NamespaceObserver', () => {
  it('one read serves every release of the namespace; ReplicaSets are listed only for pods of an unknown one', async () => {
    const kube = clusterFake();
    kube.byKind.set('Deployment', [deployment('web', 1, false), deployment('other', 1, true, theirs)]);
    kube.byKind.set('ReplicaSet', [replicaSet('web-abc', 'web')]);
    kube.byKind.set('Pod', [pod('web-abc-1', { kind: 'ReplicaSet', name: 'web-abc' }, 'never-ready')]);
    const observer = new NamespaceObserver(kube, 'apps', { intervalMs: 3_600_000 });
    const web = observer.subscribe('web');
    const other = observer.subscribe('other');
    await observer.nextRead();
    await observer.readOnce();
    assert.deepEqual(kube.listed.filter((k) => k === 'Pod').length, 2, 'two reads, each shared by both releases');
    assert.deepEqual(kube.listed.filter((k) => k === 'ReplicaSet').length, 1, 'the ReplicaSet owner is remembered');
    assert.deepEqual(findingsOf(web.close()).map((f) => [f.name, f.pods.map((p) => p.pod.name)]), [['web', ['web-abc-1']]]);
    assert.deepEqual(findingsOf(other.close()), []);
  });

  it('a kind it may not list is a gap, not asked again; a failed read does not make objects look deleted', async () => {
    const kube = clusterFake();
    kube.refuse.add('DaemonSet');
    kube.byKind.set('Deployment', [deployment('web', 1, false)]);
    const observer = new NamespaceObserver(kube, 'apps', { intervalMs: 3_600_000 });
    const web = observer.subscribe('web');
    await observer.nextRead();
    kube.failOnce.add('Pod');
    await observer.readOnce();
    const observation = web.close();
    assert.equal(kube.listed.filter((k) => k === 'DaemonSet').length, 1);
    assert.deepEqual(observation.gaps.map((g) => g.split(':')[0]), ['DaemonSet', 'Pod']);
    assert.deepEqual(observation.workloads.map((w) => [w.name, w.present]), [['web', true]]);
  });

  it('observeRelease shares one observer per client and namespace, and stops reading when the last release closes', async () => {
    const kube = clusterFake();
    const a = observeRelease(kube, { release: 'a', namespace: 'apps' }, { intervalMs: 10 });
    const b = observeRelease(kube, { release: 'b', namespace: 'apps' }, { intervalMs: 10 });
    while (a.current().reads < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const reads = a.close().reads;
    assert.equal(b.close().reads, reads, 'b saw every read a saw');
    const podLists = kube.listed.filter((k) => k === 'Pod').length;
    assert.ok(podLists <= reads + 1, `one Pod list a read for both releases (${podLists} lists, ${reads} reads)`);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.ok(kube.listed.filter((k) => k === 'Pod').length <= podLists + 1, 'no reads after the last close');
  });
});

function helmError(stderr: string) {
  const failure: HelmFailure = { argv: ['upgrade', '--install', 'web'], exitCode: 1, stderrTail: stderr, durationMs: 1, timedOut: false, cancelled: false };
  return classifyHelmFailure(stderr, failure);
}

const HELM3_ATOMIC = 'Error: UPGRADE FAILED: release web failed, and has been rolled back due to atomic being set: context deadline exceeded';

describe('diagnostics from the observation', () => {
  const rolledBack = observe([
    lists([deployment('web', 2, false)], [pod('web-new-1', { kind: 'ReplicaSet', name: 'web-new' }, 'never-ready')], [replicaSet('web-new', 'web')]),
    lists([deployment('web', 3, true)], []),
  ]);

  it('names the workload and its deleted pod after a rollback, where the cluster alone shows nothing', async () => {
    const kube = new FakeKube();
    kube.listEvents = async () => [];
    const without = await collectDiagnostics(kube, { namespace: 'apps', podSelectors: ['app=web'] });
    assert.equal(formatDiagnostics(without), 'no unready pods or warning events found');

    const diagnostics = await collectDiagnostics(kube, { namespace: 'apps', podSelectors: ['app=web'], observation: rolledBack });
    const text = formatDiagnostics(diagnostics);
    assert.match(text, /workloads not ready in apps while helm waited:\n {2}Deployment\/web: 0 of 1 updated replicas available; pods not ready: web-new-1 \[seen 00:00:00, changed since, e\.g\. rolled back\]/);
    assert.match(text, /pods not ready in apps:\n {2}web-new-1 \(Running, ContainersNotReady\) \[seen 00:00:00, deleted since\]\n {4}web: not ready/);

    const failure = classifyFailure(helmError(HELM3_ATOMIC), diagnostics);
    assert.equal(failure.class, 'readiness-timeout');
    assert.equal(failure.helmRolledBack, true);
    assert.deepEqual(failure.objects, [{ kind: 'Deployment', name: 'web', namespace: 'apps' }]);
    assert.match(failure.summary, /Deployment\/web not ready \(0 of 1 updated replicas available\); pods not ready: web-new-1 \(ContainersNotReady\)/);
  });

  it('keeps the warnings about the failed workloads first in a busy namespace', () => {
    const event = (object: string, i: number): EventRecord => ({ type: 'Warning', reason: 'R', message: `m${i}`, object, count: 1, lastSeen: new Date(i * 1000).toISOString() });
    const events = [event('ReplicaSet/web-new', 1), event('Pod/web-new-1', 2), ...Array.from({ length: 20 }, (_, i) => event(`Pod/other-${i}`, 10 + i))];
    const chosen = chooseWarnings(events, findingsOf(rolledBack), 5);
    assert.deepEqual(chosen.map((e) => e.object), ['ReplicaSet/web-new', 'Pod/web-new-1', 'Pod/other-17', 'Pod/other-18', 'Pod/other-19']);
  });
});

describe('observeDeploy', () => {
  function context(kube: KubeClient): PhaseContext<ChartPayload> {
    return { spec: parseChartSpec({ name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1' }), kube, helm: new FakeHelm(), signal: new AbortController().signal, log: () => {} } as unknown as PhaseContext<ChartPayload>;
  }

  it('a failed deploy carries what was seen while it ran; a passing one returns its result', async () => {
    const kube = clusterFake();
    kube.byKind.set('Deployment', [deployment('web', 1, false)]);
    const boom = new Error('helm upgrade failed: context deadline exceeded');
    const error = await observeDeploy(context(kube), async () => {
      const givenUp = Date.now() + 2000;
      while (!kube.listed.includes('Pod') && Date.now() < givenUp) await new Promise((resolve) => setTimeout(resolve, 1));
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw boom;
    }).catch((e: unknown) => e);
    assert.equal(error, boom, 'the error is the deploy\'s own');
    assert.deepEqual(findingsOf(observationOf(new Error('wrapped', { cause: error }))!).map((f) => f.name), ['web'], 'found along the cause chain');
    assert.equal(await observeDeploy(context(kube), async () => 'ok'), 'ok');
  });

  it('runChart: an atomic upgrade that helm rolled back fails naming the Deployment and its pod', async () => {
    const kube = clusterFake();
    const helm = new FakeHelm();
    helm.current = { name: 'web', namespace: 'apps', revision: 1, status: 'deployed', chartName: 'web', chartVersion: '1.0.0', appVersion: undefined, description: undefined, updated: undefined };
    helm.upgradeInstall = async () => {
      // helm applies the upgrade; its pod never becomes ready; helm rolls back and deletes the pod.
      kube.byKind.set('Deployment', [deployment('web', 2, false)]);
      kube.byKind.set('ReplicaSet', [replicaSet('web-new', 'web')]);
      kube.byKind.set('Pod', [pod('web-new-1', { kind: 'ReplicaSet', name: 'web-new' }, 'never-ready')]);
      // Until the namespace has been read once (bounded: without an observer, nothing reads it).
      const givenUp = Date.now() + 2000;
      while (!kube.listed.includes('Pod') && Date.now() < givenUp) await new Promise((resolve) => setTimeout(resolve, 1));
      await new Promise((resolve) => setTimeout(resolve, 5));
      kube.byKind.set('Deployment', [deployment('web', 3, true)]);
      kube.byKind.set('Pod', []);
      throw helmError(HELM3_ATOMIC);
    };
    kube.listEvents = async () => [];
    const error = await expectChartFailure(runChart({ name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', atomic: true, remedies: { maxAttempts: 0 } }, { helm, kube }));
    assert.equal(error.failure?.class, 'readiness-timeout');
    assert.match(error.message, /Deployment\/web not ready \(0 of 1 updated replicas available\); pods not ready: web-new-1 \(ContainersNotReady\)/);
    assert.match(error.message, /web-new-1 \(Running, ContainersNotReady\) \[seen \d\d:\d\d:\d\d, deleted since\]/);
  });
});

describe('wait progress', () => {
  it('names the workloads not ready at their latest sighting, and the time against the deadline', () => {
    const observation = observe([lists([deployment('web', 1, false), statefulSet('db')], []), lists([deployment('web', 1, false), statefulSet('db')], [])]);
    assert.deepEqual(waitProgressOf(observation, 40_500, 300_000), {
      waitingOn: [{ kind: 'Deployment', name: 'web', message: '0 of 1 updated replicas available' }],
      workloads: 2,
      elapsedMs: 40_500,
      timeoutMs: 300_000,
    });
    const ready = observe([lists([deployment('web', 1, false)], []), lists([deployment('web', 1, true)], [])]);
    assert.deepEqual(waitProgressOf(ready, 2_000, 300_000).waitingOn, [], 'ready at the last sighting');
  });

  it('is reported on a change (at most once a second), and every 5 s while nothing changes', () => {
    const due = progressThrottle();
    const waiting = (message: string): WaitProgress => ({ waitingOn: [{ kind: 'Deployment', name: 'web', message }], workloads: 1, elapsedMs: 0, timeoutMs: 1 });
    const reported = [0, 500, 1000, 2000, 3000, 6000, 7000, 11000].filter((t) => due(waiting(t === 500 || t === 1000 ? 'b' : t >= 7000 ? 'c' : 'a'), t));
    // 0: first; 500: changed, too soon; 1000: changed since 0; 2000: changed back; 7000: changed; 11000: unchanged, < 5 s.
    assert.deepEqual(reported, [0, 1000, 2000, 7000]);
    assert.equal(due(waiting('c'), 12_000), true, 'a heartbeat 5 s after the last report');
  });

  it('observeDeploy reports through ctx.progress while helm waits, and not when helm does not wait', async () => {
    for (const wait of [true, false]) {
      const kube = clusterFake();
      kube.byKind.set('Deployment', [deployment('web', 1, false)]);
      const reports: WaitProgress[] = [];
      const ctx = {
        spec: parseChartSpec({ name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', wait, timeoutSeconds: 120 }),
        kube, helm: new FakeHelm(), signal: new AbortController().signal, log: () => {}, progress: (p: WaitProgress) => reports.push(p),
      } as unknown as PhaseContext<ChartPayload>;
      await observeDeploy(ctx, async () => {
        const givenUp = Date.now() + 2000;
        while (kube.listed.filter((k) => k === 'Pod').length < 3 && Date.now() < givenUp) await new Promise((resolve) => setTimeout(resolve, 2));
        return 'ok';
      }, { intervalMs: 1 });
      if (!wait) assert.deepEqual(reports, [], 'no wait, no progress');
      else {
        assert.ok(reports.length >= 1, 'reported');
        assert.deepEqual(reports[0]!.waitingOn, [{ kind: 'Deployment', name: 'web', message: '0 of 1 updated replicas available' }]);
        assert.equal(reports[0]!.timeoutMs, 120_000);
      }
    }
  });
});
