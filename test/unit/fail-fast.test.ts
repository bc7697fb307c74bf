// Fail-fast readiness: which states end helm's wait early (a pod crash-looping, unable to pull or to be
// scheduled for the settle time; a failed Job when helm waits for Jobs), which do not (a pod that was
// there before the deploy, one that heals, a surplus pod of a ready workload), and how observeDeploy
// asks helm to stop and reports the object and the reason.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseChartSpec } from '../../src/config/parse.js';
import { ReadinessFailedError } from '../../src/errors.js';
import { classifyFailure } from '../../src/failures/classify.js';
import { defaultRemedy } from '../../src/failures/remedies.js';
import { recordView, startObservation, type DeployObservation } from '../../src/kube/deploy-observation.js';
import { hopelessWorkload } from '../../src/kube/fail-fast.js';
import { releaseView, type NamespaceLists } from '../../src/kube/release-view.js';
import type { KubeClient, KubeObject } from '../../src/kube/types.js';
import { observeDeploy } from '../../src/lifecycle/observe-deploy.js';
import type { ChartPayload, PhaseContext } from '../../src/lifecycle/types.js';
import { FakeHelm, FakeKube } from './fakes.js';

const ours = { 'meta.helm.sh/release-name': 'web', 'meta.helm.sh/release-namespace': 'apps' };
const key = { release: 'web', namespace: 'apps' };

function deployment(ready: boolean): KubeObject {
  const status = { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: ready ? 1 : 0 };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps', generation: 2, annotations: ours }, spec: { replicas: 1 }, status };
}

function job(failed: boolean): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'apps', annotations: ours }, spec: {}, status: failed ? { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } : {} };
}

type State = 'ready' | 'running' | 'crash-loop' | 'image-pull' | 'unschedulable';

function pod(name: string, state: State, owner = { kind: 'ReplicaSet', name: 'web-new' }): KubeObject {
  const waiting = (reason: string) => ({ name: 'web', ready: false, restartCount: reason === 'CrashLoopBackOff' ? 4 : 0, state: { waiting: { reason } }, ...(reason === 'CrashLoopBackOff' ? { lastState: { terminated: { exitCode: 1, reason: 'Error' } } } : {}) });
  const containers = {
    ready: [{ name: 'web', ready: true, restartCount: 0, state: { running: {} } }],
    // Between back-offs a crash-looping container runs for a moment.
    running: [{ name: 'web', ready: false, restartCount: 5, state: { running: {} }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }],
    'crash-loop': [waiting('CrashLoopBackOff')],
    'image-pull': [waiting('ImagePullBackOff')],
    unschedulable: [],
  }[state];
  const conditions = state === 'unschedulable'
    ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory' }]
    : [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: state === 'ready' ? 'True' : 'False' }];
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'apps', ownerReferences: [{ ...owner, controller: true }] }, status: { phase: state === 'unschedulable' ? 'Pending' : 'Running', conditions, containerStatuses: containers } };
}

const owners = new Map([['web-new', 'web'], ['web-old', 'web']]);
const read = (workloads: KubeObject[], pods: KubeObject[]): NamespaceLists => ({ workloads, pods, replicaSetOwners: owners });

/** Reads one second apart from t=0. */
function observe(reads: NamespaceLists[]): DeployObservation {
  let observation = startObservation(key, 0);
  reads.forEach((r, i) => (observation = recordView(observation, releaseView(r, key), i * 1000)));
  return observation;
}

const options = { settleMs: 3000, jobs: false };

describe('hopelessWorkload', () => {
  it('a pod of this deploy crash-looping for the settle time ends the wait, naming its Deployment, pod and reason', () => {
    const reads = [read([deployment(false)], []), ...Array.from({ length: 5 }, (_, i) => read([deployment(false)], [pod('web-new-1', i === 2 ? 'running' : 'crash-loop')]))];
    assert.equal(hopelessWorkload(observe(reads.slice(0, 4)), 3000, options), undefined, 'two seconds of it: not yet');
    assert.deepEqual(hopelessWorkload(observe(reads), 5000, options), {
      kind: 'Deployment', name: 'web', namespace: 'apps', pod: 'web-new-1', reason: 'web-new-1/web: CrashLoopBackOff (last exit code 1, 4 restarts)',
    });
  });

  it('image pull errors and unschedulable pods are hopeless too', () => {
    const pulls = observe([read([deployment(false)], []), ...Array(4).fill(read([deployment(false)], [pod('web-new-1', 'image-pull')]))]);
    assert.match(hopelessWorkload(pulls, 4000, options)?.reason ?? '', /ImagePullBackOff/);
    const unscheduled = observe([read([deployment(false)], []), ...Array(4).fill(read([deployment(false)], [pod('web-new-1', 'unschedulable')]))]);
    assert.match(hopelessWorkload(unscheduled, 4000, options)?.reason ?? '', /cannot be scheduled: Unschedulable: 0\/3 nodes/);
  });

  it('not: a pod that was there before the deploy, one that became ready, a pod of a workload already ready', () => {
    const old = observe(Array(6).fill(read([deployment(false)], [pod('web-old-1', 'crash-loop', { kind: 'ReplicaSet', name: 'web-old' })])));
    assert.equal(hopelessWorkload(old, 5000, options), undefined, 'the old revision\'s pod may be replaced by a healthy one');
    const healed = observe([read([deployment(false)], []), ...Array(3).fill(read([deployment(false)], [pod('web-new-1', 'crash-loop')])), read([deployment(false)], [pod('web-new-1', 'ready')]), read([deployment(false)], [pod('web-new-1', 'crash-loop')])]);
    assert.equal(hopelessWorkload(healed, 5000, options), undefined, 'ready once: the clock starts again');
    const surplus = observe([read([deployment(false)], []), ...Array(5).fill(read([deployment(true)], [pod('web-new-2', 'crash-loop')]))]);
    assert.equal(hopelessWorkload(surplus, 5000, options), undefined);
  });

  it('a failed Job ends the wait at once, but only when helm waits for Jobs', () => {
    const observation = observe([read([job(false)], []), read([job(true)], [])]);
    assert.equal(hopelessWorkload(observation, 1000, options), undefined);
    assert.deepEqual(hopelessWorkload(observation, 1000, { ...options, jobs: true }), { kind: 'Job', name: 'migrate', namespace: 'apps', pod: undefined, reason: 'job migrate failed: job failed: BackoffLimitExceeded' });
  });
});

// The observer's timer does not hold the process open; here nothing else would while a test awaits.
let keepAlive: NodeJS.Timeout;
before(() => { keepAlive = setInterval(() => {}, 1000); });
after(() => clearInterval(keepAlive));

describe('observeDeploy with failFast', () => {
  function cluster() {
    const kube = Object.assign(new FakeKube(), { byKind: new Map<string, KubeObject[]>() });
    (kube as KubeClient).listObjects = async (_apiVersion: string, kind: string) => (kube.byKind.get(kind) ?? []).map(({ kind: _k, apiVersion: _a, ...rest }) => rest as unknown as KubeObject);
    return kube;
  }
  function context(kube: KubeClient, spec: Record<string, unknown> = {}): PhaseContext<ChartPayload> & { logged: string[] } {
    const logged: string[] = [];
    return { spec: parseChartSpec({ name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', ...spec }), kube, helm: new FakeHelm(), signal: new AbortController().signal, log: (m: string) => logged.push(m), logged } as unknown as PhaseContext<ChartPayload> & { logged: string[] };
  }
  /** A helm that applies a crash-looping pod, then waits until interrupted (or a bound), and fails as helm does. */
  function helmWaiting(kube: ReturnType<typeof cluster>, boundMs: number) {
    return async (call: { interrupt?: AbortSignal }) => {
      // helm starts, renders and applies: the observer's first read comes before that.
      await new Promise((resolve) => setTimeout(resolve, 30));
      kube.byKind.set('Deployment', [deployment(false)]);
      kube.byKind.set('ReplicaSet', [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-new', namespace: 'apps', ownerReferences: [{ kind: 'Deployment', name: 'web', controller: true }] } }]);
      kube.byKind.set('Pod', [pod('web-new-1', 'crash-loop')]);
      const interrupted = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), boundMs);
        call.interrupt?.addEventListener('abort', () => { clearTimeout(timer); resolve(true); });
      });
      throw new Error(interrupted ? 'UPGRADE FAILED: release web failed, and has been rolled back due to atomic being set: context canceled' : 'context deadline exceeded');
    };
  }

  it('interrupts helm once the pod has stayed hopeless, and fails with the object and the reason, classified readiness-failed', async () => {
    const kube = cluster();
    const ctx = context(kube);
    const started = Date.now();
    const error = await observeDeploy(ctx, helmWaiting(kube, 5000), { intervalMs: 20, failFast: { settleMs: 100 } }).catch((e: unknown) => e);
    assert.ok(error instanceof ReadinessFailedError, String(error));
    assert.ok(Date.now() - started < 4000, 'ended before helm\'s own bound');
    assert.match(error.message, /chart 'web': Deployment\/web will not become ready: web-new-1\/web: CrashLoopBackOff \(last exit code 1, 4 restarts\); helm's wait was ended early/);
    assert.match(String((error.cause as Error).message), /rolled back due to atomic/, 'helm\'s own error is the cause');
    assert.ok(ctx.logged.some((line) => /ending helm's wait/.test(line)));
    const report = classifyFailure(error);
    assert.equal(report.class, 'readiness-failed');
    assert.deepEqual(report.objects, [{ kind: 'Deployment', name: 'web', namespace: 'apps' }]);
    assert.match(report.summary, /Deployment\/web: web-new-1\/web: CrashLoopBackOff/);
    assert.equal(defaultRemedy('readiness-failed', ctx.spec), 'rollback');
  });

  it('with failFast: false (or wait: false) helm is left to its own timeout', async () => {
    for (const spec of [{ failFast: false }, { wait: false }]) {
      const kube = cluster();
      const error = await observeDeploy(context(kube, spec), helmWaiting(kube, 400), { intervalMs: 20 }).catch((e: unknown) => e);
      assert.ok(!(error instanceof ReadinessFailedError), JSON.stringify(spec));
      assert.match(String((error as Error).message), /deadline exceeded/);
    }
  });
});
