// One test per failure class on the local cluster, with Helm 3 and Helm 4: each provokes the real
// failure, then checks that the class is named, the chosen remedy ran (or none did), and the cluster
// ends in the intended state.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import { migrationSteps, type Migration, type MigrationStep } from '../../src/lifecycle/migrations.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition, ChartResult } from '../../src/lifecycle/types.js';
import { deleteCrds } from '../../src/toolkit/crds.js';
import { MANAGED_BY_LABEL } from '../../src/toolkit/ownership.js';
import type { NodeKubeClient } from '../../src/kube/client.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { clientsForServiceAccount } from './restricted-user.js';
import { configMapData, env, eventually, fixtures, helmsUnderTest, uniqueNamespace } from './support.js';

const CRD = 'widgets.fixtures.helmcycle.dev';
const STRICT_LABEL = { 'helmcycle.dev/policy': 'strict' };

/**
 * A built-in admission policy (no webhook server needed) that rejects ConfigMaps saying "forbidden" in
 * namespaces labelled strict.
 */
async function applyAdmissionPolicy(kube: NodeKubeClient): Promise<void> {
  const policy = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'helmcycle-no-forbidden-message' },
    spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'] }] },
      validations: [{ expression: "!has(object.data) || !('message' in object.data) || object.data.message != 'forbidden'", message: "the message may not be 'forbidden'" }] } };
  const binding = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'helmcycle-no-forbidden-message' },
    spec: { policyName: 'helmcycle-no-forbidden-message', validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: STRICT_LABEL } } } };
  for (const object of [policy, binding]) await kube.applyObject(object, { fieldManager: 'helmcycle-tests', force: true });
}

/** Waits until the policy denies in the namespace: the API server loads a new policy asynchronously. */
async function admissionPolicyInForce(kube: NodeKubeClient, namespace: string): Promise<void> {
  const probe = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'policy-probe', namespace }, data: { message: 'forbidden' } };
  await eventually('the admission policy to deny', async () => {
    try {
      await kube.applyObject(probe, { fieldManager: 'helmcycle-tests', force: true, dryRun: true });
      return undefined;
    } catch (error) {
      return /denied request/.test((error as Error).message) ? true : undefined;
    }
  });
}

/** Writes the stack to a file and runs `helmcycle plan --output json` on it (exit 0): the plans by chart. */
async function planStack(stack: unknown, args: string[]): Promise<Record<string, ChartPlan>> {
  const file = join(await mkdtemp(join(tmpdir(), 'helmcycle-plan-')), 'helmcycle.yaml');
  await writeFile(file, stringify(stack));
  let stdout = '';
  const code = await main(['-c', file, ...args, '--output', 'json', 'plan'], { stdout: (t) => (stdout += t), stderr: () => {}, interactive: false });
  assert.equal(code, 0, stdout);
  return Object.fromEntries(stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ChartPlan).map((p) => [p.chart, p]));
}

/** A namespace whose ResourceQuota allows one ConfigMap, which kube-root-ca.crt already uses. */
async function namespaceWithFullQuota(kube: NodeKubeClient, name: string): Promise<void> {
  await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  // No ConfigMap at all, rather than "one, already used by kube-root-ca.crt": whether that ConfigMap is
  // counted depends on a race between the quota's first count and the controller that adds it (the count
  // then stays wrong until the quota controller's next resync, minutes later), and the test raced it.
  await kube.createObject({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'configmaps', namespace: name }, spec: { hard: { 'count/configmaps': '0' } } });
  await eventually('the quota to be in force', async () => ((await kube.getObject({ apiVersion: 'v1', kind: 'ResourceQuota', namespace: name, name: 'configmaps' }))?.status?.hard ? true : undefined));
}

for (const target of helmsUnderTest()) {
  const { helm, kube } = target;
  const events: LifecycleEvent[] = [];
  const run = (definition: ChartDefinition): Promise<ChartResult> => runChart(definition, { helm, kube, onEvent: (e) => events.push(e) });
  const eventsOf = (chart: string, type: LifecycleEvent['type']) => events.filter((e) => e.chart === chart && e.type === type);
  const namespaceWith = async (prefix: string, labels: Record<string, string> = {}) => {
    const name = uniqueNamespace(`${prefix}-${target.label}`);
    await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
    return name;
  };

  describe(`failure classes and remedies with ${target.label}`, () => {
    before(() => applyAdmissionPolicy(kube));

    it('immutable-field: a changed Deployment selector is recreated and the upgrade retried', async () => {
      const namespace = uniqueNamespace(`imm-${target.label}`);
      const spec = { name: 'cred', namespace, createNamespace: true, chart: 'credentials', repository: env.repo, timeoutSeconds: 60 };
      await run({ ...spec, version: '1.0.0' });
      const deploymentRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'cred-credentials' };
      const before = await kube.getObject(deploymentRef);

      // With the remedy turned off, the failure is named and nothing is deleted.
      const refused = await expectChartFailure(run({ ...spec, version: '2.0.0', remedies: { policy: { 'immutable-field': 'none' } } }));
      assert.equal(refused.failure?.class, 'immutable-field');
      assert.deepEqual(refused.failure?.objects, [{ kind: 'Deployment', name: 'cred-credentials' }]);
      assert.match(refused.message, /failure class: immutable-field: .*Deployment\/cred-credentials \(spec\.selector\)/);
      assert.equal((await kube.getObject(deploymentRef))?.metadata.uid, before?.metadata.uid);

      const result = await run({ ...spec, version: '2.0.0' });
      assert.equal(result.outcome, 'upgraded');
      assert.deepEqual(result.payload.remedies?.map((r) => [r.failureClass, r.remedy, r.ok]), [['immutable-field', 'recreate-retry', true]]);
      const after = await kube.getObject(deploymentRef);
      assert.notEqual(after?.metadata.uid, before?.metadata.uid, 'recreated');
      assert.deepEqual((after?.spec?.selector as { matchLabels: Record<string, string> }).matchLabels, { 'app.kubernetes.io/name': 'credentials', 'app.kubernetes.io/instance': 'cred' });
      assert.equal((await helm.status({ release: 'cred', namespace }))?.chartVersion, '2.0.0');
      const [remedy] = eventsOf('cred', 'remedy');
      assert.ok(remedy?.type === 'remedy' && remedy.attemptsLeft === 0, 'the remedy event says no attempts remain');
    });

    it('ownership-conflict: refuses without allowAdoption, adopts the ConfigMap with it', async () => {
      const namespace = await namespaceWith('own');
      const cmRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'web-web' };
      await kube.createObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-web', namespace }, data: { message: 'made by hand' } });
      const spec = { name: 'web', namespace, chart: fixtures.web, timeoutSeconds: 60 };

      const refused = await expectChartFailure(run(spec));
      assert.equal(refused.failure?.class, 'ownership-conflict');
      assert.deepEqual(refused.failure?.objects, [{ kind: 'ConfigMap', name: 'web-web', namespace }]);
      assert.deepEqual(refused.remedies, [], 'adoption is not taken unless allowed');
      assert.equal((await kube.getObject(cmRef))?.metadata.labels?.[MANAGED_BY_LABEL], undefined);

      const result = await run({ ...spec, remedies: { allowAdoption: true } });
      assert.deepEqual(result.payload.remedies?.map((r) => [r.remedy, r.ok]), [['adopt-retry', true]]);
      assert.equal((await kube.getObject(cmRef))?.metadata.labels?.[MANAGED_BY_LABEL], 'Helm');
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'hello', 'the chart now manages it');
    });

    it('missing-crd: custom resources before their CRD; the CRDs are applied and the install retried', async () => {
      await deleteCrds(kube, [CRD], { force: true });
      const namespace = uniqueNamespace(`crd-${target.label}`);
      const result = await run({ name: 'wa', namespace, createNamespace: true, chart: 'test/fixtures/charts/widget-app', timeoutSeconds: 60,
        crds: { upgrade: false, path: `${fixtures.operatorV2}/crds` } });
      assert.equal(result.outcome, 'installed');
      const [classified] = eventsOf('wa', 'failure-classified');
      assert.ok(classified?.type === 'failure-classified' && classified.failureClass === 'missing-crd');
      assert.match(classified.summary, /Widget \(fixtures\.helmcycle\.dev\/v1\)/);
      assert.deepEqual(result.payload.remedies?.map((r) => [r.remedy, r.ok]), [['apply-crds-retry', true]]);
      assert.deepEqual((await kube.listObjects('fixtures.helmcycle.dev/v1', 'Widget', namespace)).map((w) => w.metadata.name), ['wa-primary']);
      await helm.uninstall({ release: 'wa', namespace, wait: true, timeoutSeconds: 60 });
      await deleteCrds(kube, [CRD], { force: true });
    });

    it('readiness-timeout: a never-ready upgrade is rolled back to the last good revision', async () => {
      const namespace = uniqueNamespace(`rdy-${target.label}`);
      const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web, timeoutSeconds: 5 };
      await run({ ...spec, set: { message: 'good' } });
      const error = await expectChartFailure(run({ ...spec, set: { message: 'bad', fakeBehavior: 'never-ready' } }));
      assert.equal(error.failure?.class, 'readiness-timeout');
      assert.match(error.failure?.summary ?? '', /pods not ready: web-web-[a-z0-9-]+ \(/);
      assert.deepEqual(error.remedies.map((r) => [r.remedy, r.ok]), [['rollback', true]]);
      assert.match(error.message, /remedy 1: rollback for readiness-timeout: rolled back from revision 2 to revision 1/);
      const status = await helm.status({ release: 'web', namespace });
      assert.deepEqual([status?.status, status?.revision], ['deployed', 3]);
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'good');
    });

    it('validate gates success: a failing check after a good helm upgrade rolls the release back', async () => {
      const namespace = uniqueNamespace(`gate-${target.label}`);
      const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web, timeoutSeconds: 30 };
      await run({ ...spec, set: { message: 'v1' } });
      const check = { name: 'the app says v1', run: async () => ((await configMapData(kube, namespace, 'web-web')).message === 'v1' ? undefined : 'the app answers with the wrong message') };
      const error = await expectChartFailure(run({ ...spec, set: { message: 'v2' }, checks: [check] }));
      assert.equal(error.phase, 'validate');
      assert.equal(error.failure?.class, 'readiness-timeout');
      assert.match(error.failure?.summary ?? '', /the app says v1: the app answers with the wrong message/);
      assert.deepEqual(error.remedies.map((r) => r.remedy), ['rollback']);
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'v1', 'back on the revision that passed');
    });

    it('hook-failure: names the failed hook Job with its logs, and takes no remedy', async () => {
      const namespace = uniqueNamespace(`hook-${target.label}`);
      const error = await expectChartFailure(run({ name: 'hk', namespace, createNamespace: true, chart: fixtures.hooked, set: { 'hook.fail': true }, timeoutSeconds: 30 }));
      assert.equal(error.failure?.class, 'hook-failure');
      assert.deepEqual(error.failure?.objects.map((o) => `${o.kind}/${o.name}`), ['Job/hk-migrate']);
      assert.ok(error.failure?.hookLogs?.some((h) => h.lines.includes('kwok: step 2 of 2 done')), 'the hook container log');
      assert.match(error.message, /logs of hook hk-migrate \(pod hk-migrate-[a-z0-9]+\):\n {2}\| kwok:/);
      assert.deepEqual(error.remedies, []);
    });

    it('admission-denied: an admission policy rejects the ConfigMap; nothing is created', async () => {
      const namespace = await namespaceWith('adm', STRICT_LABEL);
      await admissionPolicyInForce(kube, namespace);
      const error = await expectChartFailure(run({ name: 'web', namespace, chart: fixtures.web, set: { message: 'forbidden' }, timeoutSeconds: 30 }));
      assert.equal(error.failure?.class, 'admission-denied');
      assert.match(error.failure?.summary ?? '', /ValidatingAdmissionPolicy 'helmcycle-no-forbidden-message'.*denied request: the message may not be 'forbidden'/);
      assert.deepEqual(error.remedies, []);
      assert.equal(await kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'web-web' }), undefined);
    });

    it('quota-denied: a ResourceQuota denies the ConfigMap', async () => {
      const namespace = uniqueNamespace(`quota-${target.label}`);
      await namespaceWithFullQuota(kube, namespace);
      const error = await expectChartFailure(run({ name: 'web', namespace, chart: fixtures.web, timeoutSeconds: 30 }));
      assert.equal(error.failure?.class, 'quota-denied');
      assert.match(error.failure?.summary ?? '', /exceeded quota: configmaps, requested: count\/configmaps=1/);
      assert.deepEqual(error.remedies, []);
    });

    it('rbac-denied: a deployer that may not write ConfigMaps is named; no remedy, nothing created', async () => {
      const namespace = await namespaceWith('rbac');
      // Enough for helm's release storage and helmcycle's diagnostics, but ConfigMaps are read-only.
      const deployer = await clientsForServiceAccount(kube, {
        namespace, name: 'deployer', helmBinary: target.binary,
        rules: [
          { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
          { apiGroups: ['', 'apps'], resources: ['configmaps', 'pods', 'events', 'services', 'deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
        ],
      });
      try {
        // The plan, as the deployer, predicts the denial.
        const { web: plan } = await planStack({ charts: [{ name: 'web', namespace, chart: resolve(fixtures.web), timeoutSeconds: 30 }] }, ['--kubeconfig', deployer.kubeconfig, '--helm', target.binary]);
        assert.ok(plan!.predictions.length > 0 && plan!.predictions.every((p) => p.class === 'rbac-denied' && p.remedy === 'none'), JSON.stringify(plan!.predictions));
        assert.ok(plan!.predictions.some((p) => p.detail.startsWith(`ConfigMap/${namespace}/web-web: `)));

        const error = await expectChartFailure(runChart({ name: 'web', namespace, chart: fixtures.web, timeoutSeconds: 30 }, { helm: deployer.helm, kube: deployer.kube }));
        assert.equal(error.failure?.class, 'rbac-denied');
        assert.match(error.failure?.summary ?? '', new RegExp(`User "${deployer.user}" cannot (create|patch) resource "configmaps"`));
        assert.deepEqual(error.remedies, []);
        assert.equal(await kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'web-web' }), undefined);
      } finally {
        await deployer.cleanup();
      }
    });

    it('stuck-release: a locked release is unlocked and the upgrade retried', async () => {
      const namespace = uniqueNamespace(`lock-${target.label}`);
      // A short timeout: no helmcycle run held the lock, so unlocking waits for helm's own deadline.
      const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web, timeoutSeconds: 20 };
      await run(spec);
      const stuck = execa(target.binary, ['upgrade', 'web', fixtures.web, '-n', namespace, '--set', 'fakeBehavior=never-ready', '--wait', '--timeout', '120s'], { reject: false });
      await eventually('the upgrade to be pending', async () => ((await helm.status({ release: 'web', namespace }))?.status === 'pending-upgrade' ? true : undefined));
      stuck.kill('SIGKILL');
      await stuck;
      // A preExec that does not recover, so the lock reaches exec (as when another process locks it late).
      const result = await run({ ...spec, set: { message: 'unlocked' }, lifecycle: { preExec: async (_ctx, payload) => payload } });
      assert.equal(result.outcome, 'upgraded');
      assert.deepEqual(result.payload.remedies?.map((r) => [r.failureClass, r.remedy, r.ok]), [['stuck-release', 'unlock-retry', true]]);
      assert.equal((await helm.status({ release: 'web', namespace }))?.status, 'deployed');
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'unlocked');
    });

    it('invalid-values: a value that breaks the chart is named, and nothing is installed', async () => {
      const namespace = uniqueNamespace(`val-${target.label}`);
      const error = await expectChartFailure(run({ name: 'web', namespace, createNamespace: true, chart: fixtures.web, set: { podLabels: 5 }, timeoutSeconds: 30 }));
      assert.equal(error.failure?.class, 'invalid-values');
      assert.match(error.failure?.summary ?? '', /YAML parse error on web\/templates\/deployment.yaml/);
      assert.deepEqual(error.remedies, []);
      assert.equal(await helm.status({ release: 'web', namespace }), undefined);
    });
  });
}


for (const target of helmsUnderTest()) {
  const { helm, kube } = target;
  const marker = (namespace: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'migration-marker' });
  /** A step that leaves a mark in the cluster and takes it away on undo. */
  const markStep = (namespace: string): MigrationStep => ({
    name: 'mark',
    run: async () => { await kube.createObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'migration-marker', namespace }, data: { step: 'mark' } }); },
    undo: async () => { await kube.deleteObject(marker(namespace)); },
  });

  describe(`version-range migrations with ${target.label}`, () => {
    it('from below 2.0.0: backs up the Secret and reinstalls, keeping the password', async () => {
      const namespace = uniqueNamespace(`mig-${target.label}`);
      const spec = { name: 'cred', namespace, createNamespace: true, chart: 'credentials', repository: env.repo, timeoutSeconds: 60 };
      await runChart({ ...spec, version: '1.0.0' }, { helm, kube });
      const secretRef = { apiVersion: 'v1', kind: 'Secret', namespace, name: 'cred-credentials' };
      const password = (await kube.getObject(secretRef))?.data;
      const migrations: Migration[] = [{
        name: 'to 2.x', from: '<2.0.0', to: '>=2.0.0',
        steps: [migrationSteps.backup([secretRef]), migrationSteps.reinstall('2.0.0 changed the Deployment selector')],
      }];
      const result = await runChart({ ...spec, version: '2.0.0', migrations }, { helm, kube });
      assert.equal(result.outcome, 'reinstalled');
      assert.deepEqual(result.payload.migrations, [{ migration: 'to 2.x', steps: ['back up Secret/cred-credentials', 'reinstall'], undone: false }]);
      assert.deepEqual((await kube.getObject(secretRef))?.data, password);
      assert.deepEqual(result.payload.remedies ?? [], [], 'no failure on the way: the reinstall avoided the immutable selector');

      const again = await runChart({ ...spec, version: '2.0.0', migrations }, { helm, kube });
      assert.deepEqual([again.outcome, again.payload.migrations], ['upgraded', []], 'installed 2.0.0 is outside <2.0.0');
    });

    it('undoes the steps that ran when a later step fails, before anything is deployed', async () => {
      const namespace = uniqueNamespace(`mig-undo-${target.label}`);
      const spec = { name: 'web', namespace, createNamespace: true, chart: 'web', repository: env.repo, timeoutSeconds: 30 };
      await runChart({ ...spec, version: '1.0.0' }, { helm, kube });
      const failing: MigrationStep = { name: 'convert data', run: async () => { throw new Error('the data is not convertible'); } };
      const error = await expectChartFailure(runChart({ ...spec, version: '2.0.0', migrations: [{ name: 'to 2.x', from: '<2.0.0', steps: [markStep(namespace), failing] }] }, { helm, kube }));
      assert.match(error.message, /migration 'to 2.x' failed at step 'convert data': the data is not convertible; undone: mark/);
      assert.equal(await kube.getObject(marker(namespace)), undefined, 'the mark was undone');
      assert.equal((await helm.status({ release: 'web', namespace }))?.chartVersion, '1.0.0', 'nothing was deployed');
    });

    it('undoes the steps when the upgrade after them fails', async () => {
      const namespace = uniqueNamespace(`mig-fail-${target.label}`);
      const spec = { name: 'web', namespace, createNamespace: true, chart: 'web', repository: env.repo, timeoutSeconds: 5 };
      await runChart({ ...spec, version: '1.0.0' }, { helm, kube });
      const error = await expectChartFailure(runChart({
        ...spec, version: '2.0.0', set: { fakeBehavior: 'never-ready' }, remedies: { policy: { 'readiness-timeout': 'none' } },
        migrations: [{ name: 'to 2.x', from: '<2.0.0', steps: [markStep(namespace)] }],
      }, { helm, kube }));
      assert.equal(error.failure?.class, 'readiness-timeout');
      assert.equal(await kube.getObject(marker(namespace)), undefined, 'the mark was undone after the failed upgrade');
    });
  });
}

describe('pre-flight in plan (helm4)', () => {
  const target = helmsUnderTest().find((t) => t.label === 'helm4')!;
  const { helm, kube } = target;

  it('predicts ownership conflicts, immutable changes, CRDs nothing installs and locked releases, changing nothing', async () => {
    await deleteCrds(kube, [CRD], { force: true });
    const namespace = await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: uniqueNamespace('preflight') } }).then((ns) => ns.metadata.name);
    const defaults = { namespace, timeoutSeconds: 60 };
    // What is in the cluster before: credentials 1.0.0, a locked release, and a ConfigMap made by hand.
    await runChart({ ...defaults, name: 'cred', chart: 'credentials', repository: env.repo, version: '1.0.0' }, { helm, kube });
    await runChart({ ...defaults, name: 'locked', chart: fixtures.web }, { helm, kube });
    const stuck = execa(target.binary, ['upgrade', 'locked', fixtures.web, '-n', namespace, '--set', 'fakeBehavior=never-ready', '--wait', '--timeout', '120s'], { reject: false });
    await eventually('the upgrade to be pending', async () => ((await helm.status({ release: 'locked', namespace }))?.status === 'pending-upgrade' ? true : undefined));
    stuck.kill('SIGKILL');
    await stuck;
    await kube.createObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned-web', namespace }, data: { message: 'by hand' } });

    const stack = {
      defaults,
      charts: [
        { name: 'cred', chart: 'credentials', repository: env.repo, version: '2.0.0' },
        { name: 'locked', chart: resolve(fixtures.web) },
        { name: 'owned', chart: resolve(fixtures.web) },
        { name: 'adoptable', chart: resolve(fixtures.web), remedies: { allowAdoption: true } },
        { name: 'widgets', chart: resolve('test/fixtures/charts/widget-app') },
      ],
    };
    await kube.createObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'adoptable-web', namespace } });
    const snapshot = async () => JSON.stringify([
      (await helm.list(namespace)).map((r) => `${r.name}:${r.revision}:${r.status}`),
      (await kube.listObjects('v1', 'ConfigMap', namespace)).map((c) => `${c.metadata.name}:${c.metadata.resourceVersion}`),
      (await kube.listObjects('apps/v1', 'Deployment', namespace)).map((d) => `${d.metadata.name}:${d.metadata.resourceVersion}`),
      await kube.kindServed('fixtures.helmcycle.dev/v1', 'Widget'),
    ]);
    const before = await snapshot();

    const plans = await planStack(stack, ['--helm', target.binary]);
    const predicted = (chart: string) => plans[chart]!.predictions.map((p) => [p.class, p.remedy]);
    assert.deepEqual(predicted('cred'), [['immutable-field', 'recreate-retry']]);
    assert.match(plans.cred!.predictions[0]!.detail, /Deployment\/.*cred-credentials: .*field is immutable|Deployment\/.*cred-credentials: .*Deployment\/cred-credentials \(spec\.selector\)/);
    assert.deepEqual(predicted('locked'), [['stuck-release', 'unlock-retry']]);
    assert.deepEqual(predicted('owned'), [['ownership-conflict', 'none']]);
    assert.match(plans.owned!.predictions[0]!.detail, new RegExp(`ConfigMap/${namespace}/owned-web exists and does not belong to release owned`));
    assert.deepEqual(predicted('adoptable'), [['ownership-conflict', 'adopt-retry']]);
    assert.deepEqual(predicted('widgets'), [['missing-crd', 'none']]);
    assert.match(plans.widgets!.predictions[0]!.detail, /Widget \(fixtures\.helmcycle\.dev\/v1\) is not served, and no chart in the stack installs its CRD/);
    assert.equal(await snapshot(), before, 'plan changed nothing');

    // With the operator in the stack but not in `needs`, the plan says which chart to need.
    const withOperator = { ...stack, charts: [...stack.charts, { name: 'operator', chart: 'operator', repository: env.repo, version: '2.0.0' }] };
    const { widgets } = await planStack(withOperator, ['--helm', target.binary, '--only', 'widgets,operator']);
    assert.match(widgets?.predictions[0]?.detail ?? '', /its CRD comes from operator, which widgets does not need \(add it to needs\)/);
  });
});

describe('pre-flight of admission and quota (helm4)', () => {
  const target = helmsUnderTest().find((t) => t.label === 'helm4')!;
  const { helm, kube } = target;

  it('predicts what an admission policy and a ResourceQuota would deny, changing nothing', async () => {
    await applyAdmissionPolicy(kube);
    const strict = uniqueNamespace('pf-strict');
    await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: strict, labels: STRICT_LABEL } });
    await admissionPolicyInForce(kube, strict);
    const full = uniqueNamespace('pf-quota');
    await namespaceWithFullQuota(kube, full);
    const stack = {
      defaults: { timeoutSeconds: 60 },
      charts: [
        { name: 'denied', namespace: strict, chart: resolve(fixtures.web), set: { message: 'forbidden' } },
        { name: 'allowed', namespace: strict, chart: resolve(fixtures.web), set: { message: 'fine' } },
        { name: 'over-quota', namespace: full, chart: resolve(fixtures.web) },
      ],
    };
    const plans = await planStack(stack, ['--helm', target.binary]);
    assert.deepEqual(plans.denied!.predictions.map((p) => [p.class, p.remedy]), [['admission-denied', 'none']]);
    assert.match(plans.denied!.predictions[0]!.detail, new RegExp(`ConfigMap/${strict}/denied-web: .*the message may not be 'forbidden'`));
    assert.deepEqual(plans.allowed!.predictions, []);
    assert.deepEqual(plans['over-quota']!.predictions.map((p) => [p.class, p.remedy]), [['quota-denied', 'none']]);
    assert.match(plans['over-quota']!.predictions[0]!.detail, /exceeded quota: configmaps/);
    for (const namespace of [strict, full]) assert.deepEqual(await helm.list(namespace), [], 'plan installed nothing');
    // kube-root-ca.crt is there or not by a race between its publisher and the quota of 0 (see namespaceWithFullQuota).
    assert.deepEqual((await kube.listObjects('v1', 'ConfigMap', full)).map((c) => c.metadata.name).filter((name) => name !== 'kube-root-ca.crt'), [], 'plan created nothing');
  });
});

describe('helmcycle validate (helm4)', () => {
  const target = helmsUnderTest().find((t) => t.label === 'helm4')!;
  const { helm, kube } = target;

  it('runs the checks on demand, names the failure class, and takes no remedy', async () => {
    const namespace = uniqueNamespace('validate');
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-validate-'));
    const file = join(dir, 'helmcycle.yaml');
    await writeFile(file, stringify({ defaults: { namespace, createNamespace: true, timeoutSeconds: 5 }, charts: [{ name: 'web', chart: resolve(fixtures.web) }] }));
    const io = () => { let out = ''; return { get out() { return out; }, io: { stdout: (t: string) => (out += t), stderr: () => {}, interactive: false } }; };
    const applied = io();
    assert.equal(await main(['-c', file, '--helm', target.binary, 'apply'], applied.io), 0, applied.out);
    // The workload breaks behind helm's back: its new pods never become ready.
    await kube.patchObject({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'web-web' }, { spec: { template: { metadata: { labels: { 'helmcycle.dev/fake-behavior': 'never-ready' } } } } });
    const validated = io();
    const code = await main(['-c', file, '--helm', target.binary, '--output', 'json', 'validate'], validated.io);
    assert.equal(code, 1);
    const failed = validated.out.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'chart-failed');
    assert.equal(failed?.failureClass, 'readiness-timeout');
    assert.ok(!validated.out.includes('"type":"remedy"'), 'no remedy on an on-demand validation');
    const status = await helm.status({ release: 'web', namespace });
    assert.deepEqual([status?.revision, status?.status], [1, 'deployed'], 'nothing was rolled back');
  });
});
