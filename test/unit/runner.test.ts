import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { classifyHelmFailure, HelmTimeoutError, RenderError } from '../../src/helm/errors.js';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition, ChartPayload } from '../../src/lifecycle/types.js';
import { SpecError } from '../../src/errors.js';
import { parseChartSpec } from '../../src/config/parse.js';
import { computeReleaseDigest, DIGEST_LABEL } from '../../src/lifecycle/digest.js';
import type { KubeObject } from '../../src/kube/types.js';
import { leaseObject, newRunIdentity } from '../../src/lease/lease-record.js';
import { crashingPod, FakeHelm, FakeKube, releaseInfo } from './fakes.js';
import { expectChartFailure } from '../support/expect-failure.js';

const failure = { argv: ['upgrade'], exitCode: 1, stderrTail: '', durationMs: 1, timedOut: false, cancelled: false };
const timeout = () => new HelmTimeoutError('HELM_TIMEOUT', 'helm upgrade failed: context deadline exceeded', failure);
const base: ChartDefinition = { name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', timeoutSeconds: 1 };

function setup() {
  const helm = new FakeHelm();
  const kube = new FakeKube();
  const events: LifecycleEvent[] = [];
  return { helm, kube, events, options: { helm, kube, onEvent: (e: LifecycleEvent) => events.push(e) } };
}

function phaseSequence(events: LifecycleEvent[]): string[] {
  return events.filter((e) => e.type === 'phase-started' || e.type === 'phase-failed').map((e) => (e.type === 'phase-failed' ? `${e.phase}!` : (e as { phase: string }).phase));
}

describe('runChart', () => {
  it('runs the phases in order and hands the payload along', async () => {
    const { options, events } = setup();
    const result = await runChart(base, options);
    assert.deepEqual(phaseSequence(events), ['checkPrerequisites', 'preExec', 'exec', 'postExec', 'validate']);
    assert.equal(result.outcome, 'installed');
    assert.equal(result.payload.prerequisites?.chart.version, '1.0.0');
    assert.equal(result.payload.exec?.release?.revision, 1);
    assert.deepEqual(result.payload.validate?.checks.map((c) => c.name), ['release']);
    assert.equal(result.timings.length, 5);
  });

  it('leaves no listener on the caller\'s signal, which every chart of a stack run shares', async () => {
    const { options } = setup();
    const shared = new AbortController();
    for (let i = 0; i < 12; i++) await runChart({ ...base, name: `web${i}` }, { ...options, signal: shared.signal });
    await expectChartFailure(runChart({ ...base, name: 'bad', timeoutSeconds: 1, lifecycle: { exec: async () => { throw timeout(); } } }, { ...options, signal: shared.signal }));
    assert.equal(getEventListeners(shared.signal, 'abort').length, 0);
  });

  it('rejects a bad spec before touching helm or the cluster', async () => {
    const { options, helm } = setup();
    await assert.rejects(runChart({ ...base, timeoutSeconds: -1 }, options), SpecError);
    assert.deepEqual(helm.calls, []);
  });

  it('routes an exec failure through onDeployFailure and attaches the diagnostics', async () => {
    const { options, helm, kube, events } = setup();
    helm.upgradeOutcomes = [timeout()];
    kube.pods = [crashingPod('web-1')];
    const error = await expectChartFailure(runChart(base, options));
    assert.deepEqual(phaseSequence(events), ['checkPrerequisites', 'preExec', 'exec', 'exec!', 'onDeployFailure']);
    assert.equal(error.code, 'DEPLOY_FAILED');
    assert.equal(error.phase, 'exec');
    assert.ok(error.cause instanceof HelmTimeoutError);
    assert.equal(error.diagnostics?.unreadyPods[0]?.name, 'web-1');
    assert.match(error.message, /web-1 \(Running, ContainersNotReady\)/);
    assert.match(error.message, /CrashLoopBackOff/);
    assert.match(error.message, /panic: cannot connect to database/);
    assert.match(error.message, /BackOff: Back-off restarting/);
  });

  it('does not run onDeployFailure when a prerequisite fails', async () => {
    const { options, kube, events } = setup();
    kube.allowed = false;
    const error = await expectChartFailure(runChart(base, options));
    assert.equal(error.phase, 'checkPrerequisites');
    assert.equal(error.code, 'PHASE_FAILED');
    assert.match(error.message, /not allowed to get secrets in namespace apps/);
    assert.ok(!phaseSequence(events).includes('onDeployFailure'));
  });

  it('keeps the original error when collecting diagnostics fails', async () => {
    const { options, helm } = setup();
    helm.upgradeOutcomes = [timeout()];
    const error = await expectChartFailure(runChart({ ...base, lifecycle: { onDeployFailure: async () => { throw new Error('no access to events'); } } }, options));
    assert.ok(error.cause instanceof HelmTimeoutError);
  });

  it('lets an override call the default it replaces and extend the payload', async () => {
    interface Payload extends ChartPayload { notified?: string }
    const { options, helm } = setup();
    const definition: ChartDefinition<Payload> = {
      ...base,
      lifecycle: {
        exec: async (ctx, payload) => {
          const done = await ctx.defaults.exec(ctx, payload);
          return { ...done, notified: `revision ${done.exec?.release?.revision}` };
        },
        postExec: async (_ctx, payload) => {
          assert.equal(payload.notified, 'revision 1', 'the next phase receives what the override added');
          return payload;
        },
      },
    };
    const result = await runChart(definition, { ...options, payload: {} as Payload });
    assert.equal(result.payload.notified, 'revision 1');
    assert.ok(helm.calls.includes('upgradeInstall'));
  });

  it('retries a failed upgrade within the attempts allowed, then succeeds', async () => {
    const { options, helm, events } = setup();
    helm.upgradeOutcomes = [timeout(), 'ok'];
    const result = await runChart({ ...base, upgradeRetry: { attempts: 3, delayMs: 0 } }, options);
    assert.equal(result.payload.exec?.attempts, 2);
    assert.ok(events.some((e) => e.type === 'message' && /attempt 1 of 3 failed.*2 left/.test(e.message)));
  });

  describe('a failure of helm\'s wait (helm-wait-race)', () => {
    // Helm 4's words when its hook wait lost a completed hook Job; helm leaves the first install failed.
    const race = () => classifyHelmFailure('Error: INSTALLATION FAILED: failed pre-install: resource Job/apps/web-admission-create not ready. status: NotFound, message: Resource not found\ncontext deadline exceeded', failure);
    /** helm as it is after a failed pre-install hook: the release recorded, its latest revision failed. */
    function failingInstalls(helm: FakeHelm, failures: number) {
      helm.upgradeOutcomes = [...Array.from({ length: failures }, race), 'ok'];
      const upgradeInstall = helm.upgradeInstall.bind(helm);
      helm.upgradeInstall = async (request) => {
        const revision = (helm.current?.revision ?? 0) + 1;
        try {
          return await upgradeInstall(request);
        } catch (error) {
          helm.current = releaseInfo({ revision, status: 'failed' });
          helm.historyRows = [...helm.historyRows, { revision, status: 'failed', chart: 'web-1.0.0', appVersion: undefined, description: 'failed pre-install: resource Job/apps/web-admission-create not ready. status: NotFound', updated: undefined }];
          throw error;
        }
      };
    }

    it('retries the same action, an upgrade --install over the failed first install, and says why', async () => {
      const { options, helm, events } = setup();
      failingInstalls(helm, 2);
      const result = await runChart(base, options);
      assert.equal(result.outcome, 'installed');
      assert.equal(helm.upgradeRequests.length, 3, 'two retries');
      assert.deepEqual(helm.upgradeRequests.map((r) => [r.release, r.namespace]), [['web', 'apps'], ['web', 'apps'], ['web', 'apps']]);
      assert.equal(result.release?.revision, 3, 'helm records the retry over the failed revisions');
      assert.ok(events.some((e) => e.type === 'message' && e.phase === 'exec' && /^install: revision 2 failed \(failed pre-install: .*\) and nothing is deployed: install/.test(e.message)), 'exec decided afresh from the failed release');
      const remedies = events.filter((e) => e.type === 'remedy');
      assert.deepEqual(remedies.map((e) => [e.failureClass, e.remedy, e.attempt, e.attemptsLeft]), [['helm-wait-race', 'retry', 1, 1], ['helm-wait-race', 'retry', 2, 0]]);
      assert.match(remedies[0]!.message, /^retrying the same action: helm's own wait lost an object .*: Job\/web-admission-create not found by helm's wait$/);
      assert.ok(events.some((e) => e.type === 'failure-classified' && e.failureClass === 'helm-wait-race'));
      assert.deepEqual(result.payload.remedies?.map((r) => [r.failureClass, r.remedy, r.ok]), [['helm-wait-race', 'retry', true], ['helm-wait-race', 'retry', true]]);
    });

    it('gives up after 2 retries, with the class and the remedies taken in the error', async () => {
      const { options, helm, events } = setup();
      failingInstalls(helm, 5);
      const error = await expectChartFailure(runChart(base, options));
      assert.equal(helm.upgradeRequests.length, 3, 'the first try and 2 retries, no more');
      assert.equal(error.failure?.class, 'helm-wait-race');
      assert.deepEqual(error.remedies.map((r) => r.remedy), ['retry', 'retry']);
      assert.ok(events.some((e) => e.type === 'message' && /remedy retry for helm-wait-race not taken: all 2 attempts used/.test(e.message)));
    });

    it('takes no retry when remedies are off', async () => {
      const { options, helm } = setup();
      failingInstalls(helm, 1);
      await expectChartFailure(runChart({ ...base, remedies: { maxAttempts: 0 } }, options));
      assert.equal(helm.upgradeRequests.length, 1);
    });
  });

  it('does not retry a render error', async () => {
    const { options, helm } = setup();
    helm.upgradeOutcomes = [new RenderError('HELM_RENDER_FAILED', 'template: bad', failure), 'ok'];
    await expectChartFailure(runChart({ ...base, upgradeRetry: { attempts: 3, delayMs: 0 } }, options));
    assert.equal(helm.calls.filter((c) => c === 'upgradeInstall').length, 1);
  });

  it('reinstalls when the installed chart predates the last breaking version', async () => {
    const { options, helm, events } = setup();
    helm.current = releaseInfo({ revision: 5, chartVersion: '1.4.0' });
    helm.chartVersion = '2.0.0';
    const result = await runChart({ ...base, lastBreakingVersionRequiringRestart: '2.0.0' }, options);
    assert.equal(result.outcome, 'reinstalled');
    assert.equal(result.release?.revision, 1, 'a reinstall starts again at revision 1');
    const calls = helm.calls.filter((c) => c === 'uninstall' || c === 'upgradeInstall');
    assert.deepEqual(calls, ['uninstall', 'upgradeInstall']);
    assert.ok(events.some((e) => e.type === 'message' && /1\.4\.0 is older than the last breaking version 2\.0\.0/.test(e.message)));
  });

  it('skips an installed release when asked to', async () => {
    const { options, helm } = setup();
    helm.current = releaseInfo({ revision: 3 });
    const result = await runChart({ ...base, skipIfAlreadyInstalled: true }, options);
    assert.equal(result.outcome, 'skipped');
    assert.ok(!helm.calls.includes('upgradeInstall'));
  });

  it('recovers a stuck upgrade by rolling back before upgrading', async () => {
    const { options, helm } = setup();
    helm.current = releaseInfo({ revision: 3, status: 'pending-upgrade' });
    helm.historyRows = [
      { revision: 2, status: 'deployed', chart: 'web-1.0.0', appVersion: undefined, description: undefined, updated: undefined },
      { revision: 3, status: 'pending-upgrade', chart: 'web-1.0.0', appVersion: undefined, description: undefined, updated: undefined },
    ];
    const result = await runChart(base, options);
    assert.deepEqual(result.payload.preExec?.recovered, { kind: 'rolled-back', from: 3, to: 2, status: 'pending-upgrade' });
    assert.ok(helm.calls.indexOf('rollback:2') < helm.calls.indexOf('upgradeInstall'));
    assert.equal(result.outcome, 'upgraded');
  });

  it('deletes crash-looping pods of the podSelector before the upgrade', async () => {
    const { options, kube } = setup();
    kube.pods = [crashingPod('web-1'), { ...crashingPod('web-2'), containers: [] }];
    const result = await runChart({ ...base, podSelector: 'app=web' }, options);
    assert.deepEqual(result.payload.preExec?.deletedPods, ['web-1']);
    assert.deepEqual(kube.calls.filter((c) => !c.includes('Lease/')), ['deletePod:web-1']);
  });

  it('holds the release lease from preExec to the end, and gives it back after a failure too', async () => {
    const { options, kube, helm } = setup();
    let heldDuringExec = false;
    const lifecycle: ChartDefinition['lifecycle'] = {
      exec: async (ctx, payload) => {
        heldDuringExec = kube.objects.has('Lease/apps/helmcycle-release-web');
        return ctx.defaults.exec(ctx, payload);
      },
    };
    await runChart({ ...base, lifecycle }, options);
    assert.equal(heldDuringExec, true);
    assert.deepEqual(kube.calls.filter((c) => c.includes('Lease/')), ['create:Lease/helmcycle-release-web', 'delete:Lease/apps/helmcycle-release-web']);
    helm.upgradeOutcomes = [new RenderError('HELM_RENDER_FAILED', 'parse error', failure)];
    await assert.rejects(runChart(base, options));
    assert.equal(kube.objects.has('Lease/apps/helmcycle-release-web'), false, 'the lease was given back after the failure');
  });

  describe('a lease taken only before the first change', () => {
    const leaseCalls = (kube: FakeKube) => kube.calls.filter((c) => c.includes('Lease/'));
    // As a stack runs its charts: a release whose digest matches is left unchanged.
    const chart: ChartDefinition = { ...base, skipUnchanged: true };
    const digestOf = (definition: ChartDefinition) => computeReleaseDigest(parseChartSpec(definition), '1.0.0');

    it('an unchanged deployed release is checked without a lease; one to upgrade takes it before helm runs', async () => {
      const { options, kube, helm } = setup();
      helm.current = releaseInfo({ revision: 2, labels: { [DIGEST_LABEL]: await digestOf(chart) } });
      const unchanged = await runChart(chart, options);
      assert.equal(unchanged.outcome, 'unchanged');
      assert.deepEqual(leaseCalls(kube), [], 'nothing written for a chart that changes nothing');

      helm.current = releaseInfo({ revision: 2, labels: { [DIGEST_LABEL]: 'an older digest' } });
      let heldDuringUpgrade = false;
      const upgrade = helm.upgradeInstall.bind(helm);
      helm.upgradeInstall = async (request) => {
        heldDuringUpgrade = kube.objects.has('Lease/apps/helmcycle-release-web');
        return upgrade(request);
      };
      const upgraded = await runChart(chart, options);
      assert.equal(upgraded.outcome, 'upgraded');
      assert.equal(heldDuringUpgrade, true, 'helm upgraded while the lease was held');
      assert.deepEqual(leaseCalls(kube), ['create:Lease/helmcycle-release-web', 'delete:Lease/apps/helmcycle-release-web']);
    });

    it('starts again from preExec, holding the lease, when the release moved before the lease was taken', async () => {
      const { options, kube, helm, events } = setup();
      helm.current = releaseInfo({ revision: 2, labels: { [DIGEST_LABEL]: 'an older digest' } });
      const digest = await digestOf(chart);
      // Another run upgraded the release to this very config while this one went for the lease.
      const create = kube.createObject.bind(kube);
      kube.createObject = async (object: KubeObject) => {
        if (object.kind === 'Lease') helm.current = releaseInfo({ revision: 3, labels: { [DIGEST_LABEL]: digest } });
        return create(object);
      };
      const result = await runChart(chart, options);
      assert.equal(result.outcome, 'unchanged', 'decided again on revision 3, which already has this config');
      assert.ok(!helm.calls.includes('upgradeInstall'), 'no upgrade over the other run\'s');
      assert.deepEqual(phaseSequence(events), ['checkPrerequisites', 'preExec', 'exec', 'preExec', 'exec', 'postExec', 'validate']);
      assert.ok(events.some((e) => e.type === 'message' && /revision 2 deployed, now revision 3 deployed/.test(e.message)));
      assert.deepEqual(leaseCalls(kube), ['create:Lease/helmcycle-release-web', 'delete:Lease/apps/helmcycle-release-web']);
    });

    it('refuses, with nothing remedied, when the lease it goes for is held past the lock timeout', async () => {
      const { options, kube, helm, events } = setup();
      helm.current = releaseInfo({ revision: 2, labels: { [DIGEST_LABEL]: 'an older digest' } });
      const other = { runId: 'other', host: 'elsewhere', pid: 1, command: 'helmcycle apply' };
      await kube.createObject(leaseObject('web', 'apps', other, new Date()));
      const error = await expectChartFailure(runChart(chart, { ...options, lease: { self: newRunIdentity('helmcycle apply'), lockTimeoutMs: 50 } }));
      assert.equal(error.phase, 'exec');
      assert.match(error.message, /is being changed by helmcycle apply/);
      assert.ok(!events.some((e) => e.type === 'phase-started' && e.phase === 'onDeployFailure'), 'no diagnosis, no remedy');
      assert.ok(!helm.calls.includes('upgradeInstall'));
    });

    it('fails the chart, with its failure event, when the lease a remedy needs is held past the lock timeout', async () => {
      const { options, kube, helm, events } = setup();
      helm.current = releaseInfo({ revision: 2, labels: { [DIGEST_LABEL]: await digestOf(chart) } });
      helm.manifest = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n';
      kube.objects.set('Deployment/apps/web', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0 } });
      const other = { runId: 'other', host: 'elsewhere', pid: 1, command: 'helmcycle apply' };
      await kube.createObject(leaseObject('web', 'apps', other, new Date()));
      const error = await expectChartFailure(runChart(chart, { ...options, lease: { self: newRunIdentity('helmcycle apply'), lockTimeoutMs: 50 } }));
      assert.equal(error.phase, 'validate');
      assert.match(error.message, /is being changed by helmcycle apply/);
      assert.ok(events.some((e) => e.type === 'chart-failed'), 'the failure is an event like any other');
      assert.ok(!helm.calls.some((call) => call.startsWith('rollback')), 'nothing rolled back under the other run');
    });

    it('holds the lease from preExec for a chart with a check, or a release that is not deployed', async () => {
      const { options, kube, helm } = setup();
      helm.current = releaseInfo({ revision: 2, labels: { [DIGEST_LABEL]: await digestOf(chart) } });
      await runChart({ ...chart, checks: [{ name: 'homepage', run: () => undefined }] }, options);
      assert.deepEqual(leaseCalls(kube), ['create:Lease/helmcycle-release-web', 'delete:Lease/apps/helmcycle-release-web']);
      kube.calls = [];
      helm.current = releaseInfo({ revision: 2, status: 'failed' });
      await runChart(chart, options);
      assert.deepEqual(leaseCalls(kube), ['create:Lease/helmcycle-release-web', 'delete:Lease/apps/helmcycle-release-web']);
    });
  });

  it('takes no lease when told not to (read-only runs)', async () => {
    const { options, kube } = setup();
    await runChart(base, { ...options, lease: false });
    assert.deepEqual(kube.calls.filter((c) => c.includes('Lease/')), []);
  });

  it('fails validate when a workload is not ready, with the workload named', async () => {
    const { options, helm, kube } = setup();
    helm.manifest = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n';
    kube.objects.set('Deployment/apps/web', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0 } });
    const error = await expectChartFailure(runChart(base, options));
    assert.equal(error.phase, 'validate');
    assert.match(error.message, /Deployment\/web: not ready before the timeout: 0 of 1 updated replicas available/);
  });

  it('runs custom checks in validate', async () => {
    const { options } = setup();
    const error = await expectChartFailure(runChart({ ...base, checks: [{ name: 'homepage', run: () => 'HTTP 503' }] }, options));
    assert.match(error.message, /homepage: HTTP 503/);
  });

  it('destroys an installed release, and is a no-op when it is gone', async () => {
    const { options, helm } = setup();
    helm.current = releaseInfo();
    const first = await runChart({ ...base, action: 'destroy' }, options);
    assert.equal(first.outcome, 'uninstalled');
    const second = await runChart({ ...base, action: 'destroy' }, options);
    assert.equal(second.outcome, 'absent');
    assert.equal(helm.calls.filter((c) => c === 'uninstall').length, 1);
  });

  it('stops before the next phase once cancelled', async () => {
    const { options, helm } = setup();
    const controller = new AbortController();
    const error = await expectChartFailure(runChart({ ...base, lifecycle: { preExec: async (_ctx, p) => { controller.abort(); return p; } } }, { ...options, signal: controller.signal }));
    assert.equal(error.phase, 'exec');
    assert.match(error.message, /cancelled before exec/);
    assert.ok(!helm.calls.includes('upgradeInstall'));
  });
});
