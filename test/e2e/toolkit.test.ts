// The lifecycle toolkit's helpers against the local cluster: each one changes (or reads) real objects,
// and each test checks the cluster afterwards.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { describe, it } from 'node:test';
import { runChart } from '../../src/lifecycle/runner.js';
import type { KubeObject } from '../../src/kube/types.js';
import { backupResources, backupSecretName, BACKUP_TYPE, restoreBackup } from '../../src/toolkit/backup.js';
import { checkCondition, checkHttp, CheckTimeoutError, conditionCheck, httpCheck, retryUntil } from '../../src/lifecycle/custom-checks.js';
import { applyCrds, CrdInUseError, deleteCrds, readChartCrds, readCrdsFromPath } from '../../src/toolkit/crds.js';
import { JobFailedError, runJob } from '../../src/toolkit/job.js';
import { adoptResources, OwnershipConflictError, ownershipPatch, MANAGED_BY_LABEL } from '../../src/toolkit/ownership.js';
import { deleteCrashLoopingPods, restartRollout, RESTARTED_AT_ANNOTATION, waitForWorkloads } from '../../src/toolkit/pods.js';
import { env, eventually, fixtures, helmsUnderTest, uniqueNamespace } from './support.js';

const helm4 = helmsUnderTest().find((t) => t.label === 'helm4');
if (!helm4) throw new Error('Helm 4 is needed for the toolkit tests');
const { helm, kube } = helm4;
const CRD = 'widgets.fixtures.helmcycle.dev';
const CRD_REF = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: CRD };

async function namespace(prefix: string): Promise<string> {
  const name = uniqueNamespace(prefix);
  await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

function configMap(ns: string, name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}

function deployment(ns: string, name: string, podLabels: Record<string, string> = {}): KubeObject {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels: { ...labels, ...podLabels } }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] } } },
  };
}

const ref = (o: KubeObject) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace });

describe('toolkit: adopt', () => {
  it('labels and annotates existing objects for the release, and reports those already owned or missing', async () => {
    const ns = await namespace('adopt');
    const free = await kube.createObject(configMap(ns, 'free', { a: '1' }));
    const owner = { release: 'app', namespace: ns };
    const result = await adoptResources(kube, owner, [ref(free), { ...ref(free), name: 'absent' }]);
    assert.deepEqual(result, { adopted: [`ConfigMap/${ns}/free`], alreadyOwned: [], missing: [`ConfigMap/${ns}/absent`] });
    const live = await kube.getObject(ref(free));
    assert.equal(live?.metadata.labels?.[MANAGED_BY_LABEL], 'Helm');
    assert.deepEqual(live?.metadata.annotations, ownershipPatch(owner).metadata.annotations);
    assert.deepEqual((await adoptResources(kube, owner, [ref(free)])).alreadyOwned, [`ConfigMap/${ns}/free`]);
  });

  it("refuses, changing nothing, when an object belongs to another release", async () => {
    const ns = await namespace('adopt-x');
    const theirs = await kube.createObject({ ...configMap(ns, 'theirs', {}), metadata: { name: 'theirs', namespace: ns, ...ownershipPatch({ release: 'other', namespace: ns }).metadata } });
    const free = await kube.createObject(configMap(ns, 'free', {}));
    await assert.rejects(adoptResources(kube, { release: 'app', namespace: ns }, [ref(free), ref(theirs)]), OwnershipConflictError);
    assert.equal((await kube.getObject(ref(free)))?.metadata.labels?.[MANAGED_BY_LABEL], undefined, 'nothing was adopted');
    assert.equal((await kube.getObject(ref(theirs)))?.metadata.annotations?.['meta.helm.sh/release-name'], 'other');
  });
});

describe('toolkit: CRDs', () => {
  it('applies CRDs from a path and from a chart, waits until served, and deletes them only when unused or forced', async () => {
    await deleteCrds(kube, [CRD], { force: true });
    const v1 = await readCrdsFromPath(`${fixtures.operatorV1}/crds`);
    assert.deepEqual(await applyCrds(kube, v1), [CRD]);
    const established = await kube.getObject(CRD_REF);
    assert.ok((established?.status?.conditions as { type: string; status: string }[]).some((c) => c.type === 'Established' && c.status === 'True'));

    const v2 = await readChartCrds(helm, { chart: 'operator', repository: env.repo, version: '2.0.0' });
    assert.deepEqual(v2.map((c) => c.metadata.name), [CRD]);
    await applyCrds(kube, v2);
    const served = ((await kube.getObject(CRD_REF))?.spec?.versions as { name: string; served: boolean }[]).filter((v) => v.served).map((v) => v.name);
    assert.deepEqual(served, ['v1alpha1', 'v1']);

    const ns = await namespace('crd');
    await kube.createObject({ apiVersion: 'fixtures.helmcycle.dev/v1', kind: 'Widget', metadata: { name: 'w', namespace: ns }, spec: { tier: 'premium' } });
    await assert.rejects(deleteCrds(kube, [CRD]), (error: unknown) => error instanceof CrdInUseError && /widgets.fixtures.helmcycle.dev \(1\)/.test(error.message));
    assert.ok(await kube.getObject(CRD_REF), 'refused: the CRD is still there');
    assert.deepEqual(await deleteCrds(kube, [CRD], { force: true }), [CRD]);
    assert.equal(await kube.getObject(CRD_REF), undefined);
    assert.deepEqual(await deleteCrds(kube, [CRD]), [], 'deleting absent CRDs is a no-op');
  });
});

describe('toolkit: backups', () => {
  it('saves objects into a Secret in the cluster and puts them back, keeping the first copy until restored', async () => {
    const ns = await namespace('bak');
    const secret = await kube.createObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: ns }, data: { password: Buffer.from('s3cret').toString('base64') } });
    const config = await kube.createObject(configMap(ns, 'settings', { mode: 'fast' }));
    const at = { release: 'app', namespace: ns };
    const summary = await backupResources(kube, at, [ref(secret), ref(config), { ...ref(config), name: 'absent' }]);
    assert.deepEqual(summary, { saved: [`Secret/${ns}/db`, `ConfigMap/${ns}/settings`], missing: [`ConfigMap/${ns}/absent`], existing: false });
    const stored = await kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name: backupSecretName('app') });
    assert.equal(stored?.type, BACKUP_TYPE);

    // What a reinstall does: the Secret is made anew with other data, the ConfigMap is gone.
    await kube.deleteObject(ref(secret));
    await kube.createObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: ns, labels: { fresh: 'yes' } }, data: { password: Buffer.from('new').toString('base64') } });
    await kube.deleteObject(ref(config));
    assert.equal((await backupResources(kube, at, [ref(secret)])).existing, true, 'a second backup keeps the first copy');

    assert.deepEqual(await restoreBackup(kube, at), [`Secret/${ns}/db`, `ConfigMap/${ns}/settings`]);
    const restored = await kube.getObject(ref(secret));
    assert.equal(Buffer.from((restored?.data as Record<string, string>).password!, 'base64').toString(), 's3cret');
    assert.equal(restored?.metadata.labels?.fresh, 'yes', 'the live metadata stays');
    assert.deepEqual((await kube.getObject(ref(config)))?.data, { mode: 'fast' });
    assert.equal(await kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name: backupSecretName('app') }), undefined);
    assert.equal(await restoreBackup(kube, at), undefined, 'nothing left to restore');
  });

  it('restores on the next deploy what a run killed between uninstall and restore left in the backup', async () => {
    const ns = uniqueNamespace('bak-crash');
    const spec = { name: 'credentials', namespace: ns, createNamespace: true, chart: 'credentials', repository: env.repo, timeoutSeconds: 60 };
    await runChart({ ...spec, version: '1.0.0' }, { helm, kube });
    const secretRef = { apiVersion: 'v1', kind: 'Secret', namespace: ns, name: 'credentials-credentials' };
    const original = (await kube.getObject(secretRef))?.data;
    // The killed run: backed up, uninstalled, and died before installing and restoring.
    await backupResources(kube, { release: 'credentials', namespace: ns }, [secretRef]);
    await helm.uninstall({ release: 'credentials', namespace: ns, wait: true, timeoutSeconds: 60 });
    assert.equal(await kube.getObject(secretRef), undefined);

    const next = await runChart({ ...spec, version: '2.0.0', lastBreakingVersionRequiringRestart: '2.0.0', backup: [{ apiVersion: 'v1', kind: 'Secret', name: 'credentials-credentials' }] }, { helm, kube });
    assert.equal(next.outcome, 'installed');
    assert.deepEqual(next.payload.exec?.restored, [`Secret/${ns}/credentials-credentials`]);
    assert.deepEqual((await kube.getObject(secretRef))?.data, original);
  });
});

describe('toolkit: pods', () => {
  it('deletes crash-looping pods of a selector', async () => {
    const ns = await namespace('pods');
    await kube.createObject(deployment(ns, 'crashy', { 'helmcycle.dev/fake-behavior': 'crash-loop' }));
    const crashing = await eventually('a crash-looping pod', async () => {
      const pods = await kube.listPods(ns, 'app=crashy');
      return pods.some((p) => p.containers.some((c) => c.reason === 'CrashLoopBackOff')) ? pods.map((p) => p.name) : undefined;
    });
    const deleted = await deleteCrashLoopingPods(kube, ns, 'app=crashy');
    assert.deepEqual(deleted.sort(), crashing.sort());
    // Deletion is graceful: a pod lingers until kwok's delete stage removes it; the ReplicaSet makes new ones.
    await eventually('the crash-looping pods to be gone', async () => {
      const remaining = (await kube.listPods(ns, 'app=crashy')).map((p) => p.name);
      return remaining.every((name) => !deleted.includes(name)) ? remaining : undefined;
    });
  });

  it('restarts a rollout and waits for workloads, naming the ones that are not ready', async () => {
    const ns = await namespace('roll');
    const healthy = await kube.createObject(deployment(ns, 'healthy'));
    const stuck = await kube.createObject(deployment(ns, 'stuck', { 'helmcycle.dev/fake-behavior': 'never-ready' }));
    assert.deepEqual((await waitForWorkloads(kube, [ref(healthy)], { timeoutMs: 30_000 })).map((s) => s.ok), [true]);
    const podsBefore = (await kube.listPods(ns, 'app=healthy')).map((p) => p.name);

    const restarted = await restartRollout(kube, ref(healthy), new Date('2026-01-02T03:04:05Z'));
    assert.equal((restarted.spec?.template as { metadata: { annotations: Record<string, string> } }).metadata.annotations[RESTARTED_AT_ANNOTATION], '2026-01-02T03:04:05.000Z');
    await eventually('new pods after the restart', async () => {
      const pods = await kube.listPods(ns, 'app=healthy');
      return pods.length > 0 && pods.every((p) => !podsBefore.includes(p.name) && p.ready) ? true : undefined;
    });

    const states = await waitForWorkloads(kube, [ref(healthy), ref(stuck)], { timeoutMs: 3_000 });
    assert.deepEqual(states.map((s) => [s.name, s.ok]), [['Deployment/healthy', true], ['Deployment/stuck', false]]);
    assert.match(states[1]!.message, /not ready before the timeout/);
    await assert.rejects(restartRollout(kube, { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: ns }), /only Deployment, StatefulSet and DaemonSet/);
  });
});

function hostAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

describe('toolkit: checks', () => {
  it('GETs a real HTTP server through the API server service proxy, as a chart check', async (t) => {
    const address = hostAddress();
    // The API server refuses to proxy to loopback; without another address there is nothing to reach.
    if (!address) return t.skip('this machine has no non-loopback IPv4 address');
    const requests: string[] = [];
    const server: Server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/healthz') res.end('healthy');
      else { res.statusCode = 500; res.end('broken on purpose'); }
    });
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const ns = uniqueNamespace('http');
      const result = await runChart({
        name: 'web', namespace: ns, createNamespace: true, chart: fixtures.web, timeoutSeconds: 60,
        values: { containerPort: port, podAnnotations: { 'helmcycle.dev/fake-pod-ip': address } },
      }, { helm, kube });
      assert.equal(result.outcome, 'installed');
      // The check as a chart declares it, run by validate against the deployed release.
      const check = httpCheck({ service: 'web-web', path: '/healthz', bodyIncludes: 'healthy', timeoutSeconds: 30 });
      const validated = await runChart({ name: 'web', namespace: ns, chart: fixtures.web, timeoutSeconds: 60, skipIfAlreadyInstalled: true, checks: [check] }, { helm, kube });
      assert.deepEqual(validated.payload.validate?.checks.find((c) => c.name === check.name), { name: 'GET web-web/healthz', ok: true, message: 'passed' });
      assert.ok(requests.includes('/healthz'), 'the request reached the server');

      const failure = await checkHttp(kube, { namespace: ns, service: 'web-web', path: '/broken' });
      assert.match(failure ?? '', /GET \/broken on service .*web-web: HTTP 500: broken on purpose/);
      assert.match((await checkHttp(kube, { namespace: ns, service: 'web-web', path: '/healthz' }, { bodyIncludes: 'nope' })) ?? '', /does not contain "nope"/);
    } finally {
      server.close();
    }
  });

  it('checks an object condition, and retries until a timeout', async () => {
    const ns = await namespace('cond');
    const app = await kube.createObject(deployment(ns, 'app'));
    const available = conditionCheck({ resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' }, type: 'Available', timeoutSeconds: 30 });
    const result = await runChart({ name: 'cond', namespace: ns, chart: fixtures.web, timeoutSeconds: 60, checks: [available] }, { helm, kube });
    assert.ok(result.payload.validate?.checks.some((c) => c.name === 'Deployment/app Available=True' && c.ok));
    assert.equal(await checkCondition(kube, ref(app), { type: 'Available' }), undefined);
    assert.match((await checkCondition(kube, ref(app), { type: 'Available', status: 'False' })) ?? '', /Available is True, not False/);
    assert.match((await checkCondition(kube, ref(app), { type: 'Bogus' })) ?? '', /has no Bogus condition/);
    assert.match((await checkCondition(kube, { ...ref(app), name: 'absent' }, { type: 'Available' })) ?? '', /does not exist/);

    let attempts = 0;
    await retryUntil('third time lucky', async () => (++attempts < 3 ? `attempt ${attempts}` : undefined), { timeoutMs: 5_000, intervalMs: 10 });
    assert.equal(attempts, 3);
    await assert.rejects(
      retryUntil('never', async () => { throw new Error('still down'); }, { timeoutMs: 200, intervalMs: 50 }),
      (error: unknown) => error instanceof CheckTimeoutError && /never did not pass .* last failure: still down/.test(error.message),
    );
  });
});

describe('toolkit: one-off Job', () => {
  it('runs a Job from a named image, streams its log lines, and deletes it', async () => {
    const ns = await namespace('job');
    const expected = (await readFile('cluster/container.log', 'utf8')).trim().split('\n').map((line) => line.split(' ').slice(3).join(' '));
    const streamed: string[] = [];
    const result = await runJob(kube, { namespace: ns, name: 'migrate', image: 'registry.invalid/tools/migrate:1', args: ['--up'], onLog: (line) => streamed.push(line), timeoutSeconds: 60 });
    assert.equal(result.succeeded, true);
    assert.deepEqual(streamed, expected, 'the container log, line by line, through the API');
    assert.deepEqual(result.logs, expected);
    await eventually('the Job to be deleted', async () => ((await kube.getObject({ apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name: result.name })) ? undefined : true));
  });

  it('reports a failed Job with its log, and keeps it when asked', async () => {
    const ns = await namespace('job-fail');
    let failed: JobFailedError | undefined;
    try {
      await runJob(kube, { namespace: ns, name: 'migrate', image: 'registry.invalid/tools/migrate:1', labels: { 'helmcycle.dev/fake-behavior': 'fail' }, keep: true, timeoutSeconds: 60 });
    } catch (error) {
      failed = error as JobFailedError;
    }
    assert.ok(failed instanceof JobFailedError, 'the Job failed');
    assert.match(failed.message, /Job .*migrate-\w+ failed/);
    assert.ok(failed.logs.length > 0, 'with its log');
    const jobs = await kube.listObjects('batch/v1', 'Job', ns);
    assert.equal(jobs.length, 1, 'kept for inspection');
  });
});
