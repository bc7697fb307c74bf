// Plan and apply agree, on every row of the decision table (decide.ts) that can be built on the local
// cluster, with Helm 3 and Helm 4: each row puts a release in a state (installed, changed, killed
// mid-upgrade, failed, uninstalled, a backup left by a killed reinstall, ...), plans, applies, and checks
// that apply did what plan said (plan's decided action against exec's outcome), and that the row's
// action is the one the table gives.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { parseChartSpec } from '../../src/config/parse.js';
import type { DeployAction } from '../../src/lifecycle/decide.js';
import { computeReleaseDigest, DIGEST_LABEL } from '../../src/lifecycle/digest.js';
import { upgradeRequest } from '../../src/lifecycle/requests.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartResult, ExecOutcome } from '../../src/lifecycle/types.js';
import { planChart, type ChartPlan } from '../../src/stack/plan.js';
import { runDefinitionOf } from '../../src/stack/chart-spec-of.js';
import type { ResolvedChart, StackChart } from '../../src/stack/types.js';
import { backupResources, backupSecretName } from '../../src/toolkit/backup.js';
import { configMapData, env, eventually, fixtures, helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const OUTCOME_OF: Record<DeployAction, ExecOutcome> = { install: 'installed', upgrade: 'upgraded', reinstall: 'reinstalled', skip: 'skipped', unchanged: 'unchanged', restore: 'restored' };

function stackChart(definition: StackChart): ResolvedChart {
  return { name: definition.name, needs: [], definition, file: undefined };
}

/** Plans, then applies, the chart as a stack would (skipUnchanged on); plan and apply must agree. */
async function planThenApply(target: HelmUnderTest, definition: StackChart): Promise<{ plan: ChartPlan; applied: ChartResult }> {
  const { helm, kube } = target;
  const chart = stackChart(definition);
  const plan = await planChart(chart, { helm, kube, command: 'apply' });
  const applied = await runChart(runDefinitionOf(chart, { command: 'apply' }), { helm, kube });
  assert.ok(plan.deploy, `plan decided a deploy action (${plan.reason})`);
  assert.equal(applied.outcome, OUTCOME_OF[plan.deploy], `plan said ${plan.deploy} (${plan.reason}); apply ${applied.outcome} (${applied.payload.exec?.reason})`);
  assert.equal(plan.action === 'recover', applied.payload.preExec?.recovered !== undefined, `plan ${plan.action}, apply recovered ${JSON.stringify(applied.payload.preExec?.recovered)}`);
  return { plan, applied };
}

/** Starts a helm command that waits on never-ready pods and kills it once the release is in `status`. */
async function killWhile(target: HelmUnderTest, namespace: string, status: string, args: string[]): Promise<void> {
  const helm = execa(target.binary, [...args, '-n', namespace, '--set', 'fakeBehavior=never-ready', '--wait', '--timeout', '300s'], { reject: false });
  await eventually(`the release to be ${status}`, async () => ((await target.helm.status({ release: 'web', namespace }))?.status === status ? true : undefined), 120_000);
  helm.kill('SIGKILL');
  await helm;
}

/** A helm command that fails on never-ready pods (no atomic): the release's latest revision is failed. */
async function failWith(target: HelmUnderTest, namespace: string, args: string[]): Promise<void> {
  const result = await execa(target.binary, [...args, '-n', namespace, '--wait', '--timeout', '5s'], { reject: false });
  assert.notEqual(result.exitCode, 0, 'the helm command failed');
  assert.equal((await target.helm.status({ release: 'web', namespace }))?.status, 'failed');
}

const SECRET = 'credentials-credentials';

for (const target of helmsUnderTest()) {
  const { helm, kube } = target;
  const web = (namespace: string, extra: Partial<StackChart> = {}): StackChart => ({ name: 'web', namespace, createNamespace: true, chart: fixtures.web, timeoutSeconds: 60, ...extra });
  const install = (definition: StackChart) => runChart(runDefinitionOf(stackChart(definition), { command: 'apply' }), { helm, kube });
  // Every row has its namespace, removed at the end: the shared cluster's Service IP range is small.
  const created: string[] = [];
  const ns = (row: string) => {
    const name = uniqueNamespace(`dec-${row}-${target.label}`);
    created.push(name);
    return name;
  };
  after(async () => {
    await Promise.all(created.map((name) => kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name })));
  });

  describe(`plan and apply agree, with ${target.label}`, { concurrency: 3 }, () => {
    it('absent: install', async () => {
      const { plan } = await planThenApply(target, web(ns('absent')));
      assert.deepEqual([plan.action, plan.deploy], ['install', 'install']);
    });

    it('deployed with the same digest: unchanged', async () => {
      const namespace = ns('same');
      await install(web(namespace));
      const { plan } = await planThenApply(target, web(namespace));
      assert.deepEqual([plan.action, plan.deploy], ['skip', 'unchanged']);
    });

    it('deployed with the same digest and skipUnchanged off: upgrade', async () => {
      const namespace = ns('force');
      await install(web(namespace));
      const { plan } = await planThenApply(target, web(namespace, { skipUnchanged: false }));
      assert.deepEqual([plan.action, plan.deploy], ['upgrade', 'upgrade']);
    });

    it('deployed with other values: upgrade', async () => {
      const namespace = ns('changed');
      await install(web(namespace));
      const { plan } = await planThenApply(target, web(namespace, { set: { message: 'changed' } }));
      assert.deepEqual([plan.action, plan.deploy], ['upgrade', 'upgrade']);
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'changed');
    });

    it('deployed and skipIfAlreadyInstalled: skip', async () => {
      const namespace = ns('skip');
      await install(web(namespace));
      const { plan } = await planThenApply(target, web(namespace, { set: { message: 'ignored' }, skipIfAlreadyInstalled: true }));
      assert.deepEqual([plan.action, plan.deploy], ['skip', 'skip']);
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'hello');
    });

    it('older than the last breaking version: reinstall', async () => {
      const namespace = ns('breaking');
      const spec = { name: 'web', namespace, createNamespace: true, chart: 'web', repository: env.repo, timeoutSeconds: 60 };
      await install({ ...spec, version: '1.0.0' });
      const { plan, applied } = await planThenApply(target, { ...spec, version: '2.0.0', lastBreakingVersionRequiringRestart: '2.0.0' });
      assert.deepEqual([plan.action, plan.deploy], ['reinstall', 'reinstall']);
      assert.deepEqual([applied.release?.revision, applied.release?.chartVersion], [1, '2.0.0']);
    });

    it('older than the last breaking version with skipIfAlreadyInstalled: skip, and the reason says so', async () => {
      const namespace = ns('breakskip');
      const spec = { name: 'web', namespace, createNamespace: true, chart: 'web', repository: env.repo, timeoutSeconds: 60 };
      await install({ ...spec, version: '1.0.0' });
      const { plan, applied } = await planThenApply(target, { ...spec, version: '2.0.0', lastBreakingVersionRequiringRestart: '2.0.0', skipIfAlreadyInstalled: true });
      assert.deepEqual([plan.action, plan.deploy], ['skip', 'skip']);
      assert.match(plan.reason, /not reinstalling although installed chart 1\.0\.0 is older than the last breaking version 2\.0\.0 \(drop skipIfAlreadyInstalled to reinstall\)/);
      assert.deepEqual([applied.release?.revision, applied.release?.chartVersion], [1, '1.0.0']);
    });

    it('stuck in pending-upgrade: recover (roll back), then upgrade', async () => {
      const namespace = ns('pendup');
      await install(web(namespace));
      await killWhile(target, namespace, 'pending-upgrade', ['upgrade', 'web', fixtures.web]);
      const { plan } = await planThenApply(target, web(namespace));
      assert.deepEqual([plan.action, plan.deploy], ['recover', 'upgrade']);
      assert.match(plan.reason, /^revision 2 is stuck in pending-upgrade: roll back to revision 1, then upgrade to 1\.0\.0$/);
    });

    it('stuck in pending-install: recover (uninstall), then install', async () => {
      const namespace = ns('pendin');
      await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      await killWhile(target, namespace, 'pending-install', ['install', 'web', fixtures.web]);
      const { plan, applied } = await planThenApply(target, web(namespace));
      assert.deepEqual([plan.action, plan.deploy], ['recover', 'install']);
      assert.equal(applied.release?.revision, 1);
    });

    it('a first install that failed: install, measured against nothing, and helm records it over the failed revision', async () => {
      const namespace = ns('failin');
      await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      await failWith(target, namespace, ['install', 'web', fixtures.web, '--set', 'fakeBehavior=never-ready']);
      const { plan, applied } = await planThenApply(target, web(namespace));
      assert.deepEqual([plan.action, plan.deploy], ['install', 'install']);
      assert.match(plan.reason, /^revision 1 failed \(.+\) and nothing is deployed: install 1\.0\.0 \(helm records it as revision 2, over the failed one\)$/);
      assert.deepEqual(plan.changes.map((c) => c.change), ['added', 'added', 'added'], 'nothing runs, so every object is new');
      // What `helm upgrade --install` really does with a release whose only revision failed: it upgrades
      // it (revision 2, "Upgrade complete"), and marks the failed revision superseded.
      assert.equal(applied.release?.revision, 2);
      const history = await helm.history({ release: 'web', namespace });
      assert.deepEqual(history.map((h) => `${h.revision} ${h.status}`), ['1 superseded', '2 deployed']);
      assert.match(history[1]?.description ?? '', /^Upgrade complete/);
    });

    it('an upgrade that failed over a good revision: measured against the good one', async () => {
      const namespace = ns('failup');
      await install(web(namespace, { set: { message: 'good' } }));
      await failWith(target, namespace, ['upgrade', 'web', fixtures.web, '--set', 'message=bad,fakeBehavior=never-ready']);
      const { plan } = await planThenApply(target, web(namespace, { set: { message: 'fixed' } }));
      // Helm 3 rolls back first (its three-way merge would keep the failed revision's changes); Helm 4 applies server-side.
      assert.deepEqual([plan.action, plan.deploy], [target.label === 'helm3' ? 'recover' : 'upgrade', 'upgrade']);
      const configMap = plan.changes.find((c) => c.resource === `ConfigMap/${namespace}/web-web`);
      assert.match(configMap?.patch ?? '', /- {2}message: good\n.*\+ {2}message: fixed/s, 'the diff starts from revision 1, not the failed revision 2');
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'fixed');
    });

    it('uninstalled with its history kept: install', async () => {
      const namespace = ns('kept');
      await install(web(namespace));
      await execa(target.binary, ['uninstall', 'web', '-n', namespace, '--keep-history', '--wait']);
      assert.equal((await helm.status({ release: 'web', namespace }))?.status, 'uninstalled');
      const { plan } = await planThenApply(target, web(namespace));
      assert.deepEqual([plan.action, plan.deploy], ['install', 'install']);
    });
  });

  describe(`a reinstall killed before its restore, with ${target.label}`, { concurrency: 2 }, () => {
    const credentials = (namespace: string, version: '1.0.0' | '2.0.0'): StackChart => ({
      name: 'credentials', namespace, createNamespace: true, chart: 'credentials', repository: env.repo, version, timeoutSeconds: 60,
      lastBreakingVersionRequiringRestart: '2.0.0', backup: [{ apiVersion: 'v1', kind: 'Secret', name: SECRET }],
    });
    const password = async (namespace: string) => ((await kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace, name: SECRET }))?.data as Record<string, string> | undefined)?.password;
    const backupLeft = async (namespace: string) => (await kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace, name: backupSecretName('credentials') })) !== undefined;

    /** credentials 1.0.0 installed, its Secret backed up, then uninstalled: what a reinstall does before its install. */
    async function uninstalledWithBackup(namespace: string): Promise<string> {
      await install(credentials(namespace, '1.0.0'));
      const original = await password(namespace);
      assert.ok(original);
      await backupResources(kube, { release: 'credentials', namespace }, [{ apiVersion: 'v1', kind: 'Secret', namespace, name: SECRET }]);
      await helm.uninstall({ release: 'credentials', namespace, wait: true, timeoutSeconds: 60 });
      return original;
    }

    it('killed after the install (release digest equal, backup still there): plan says restore, apply restores', async () => {
      const namespace = ns('restore');
      const original = await uninstalledWithBackup(namespace);
      // The reinstall's install, exactly as exec makes it (digest label included); then the run is killed.
      const spec = parseChartSpec(runDefinitionOf(stackChart(credentials(namespace, '2.0.0')), { command: 'apply' }));
      const request = upgradeRequest(spec);
      request.options.labels = { ...request.options.labels, [DIGEST_LABEL]: await computeReleaseDigest(spec, '2.0.0') };
      await helm.upgradeInstall(request);
      assert.notEqual(await password(namespace), original, 'the install generated a new password');

      const { plan, applied } = await planThenApply(target, credentials(namespace, '2.0.0'));
      assert.deepEqual([plan.action, plan.deploy, plan.restore], ['restore', 'restore', [`Secret/${namespace}/${SECRET}`]]);
      assert.match(plan.reason, /^restore the backup an interrupted reinstall left/);
      assert.deepEqual(applied.payload.exec?.restored, [`Secret/${namespace}/${SECRET}`]);
      assert.equal(await password(namespace), original, 'the backed-up password is back');
      assert.equal(await backupLeft(namespace), false, 'and the backup is gone');
      const after = await planThenApply(target, credentials(namespace, '2.0.0'));
      assert.deepEqual([after.plan.deploy, after.applied.release?.revision], ['unchanged', 1], 'then nothing is left to do');
    });

    it('killed after the uninstall, before the install: plan says install then restore, apply does both', async () => {
      const namespace = ns('reinst');
      const original = await uninstalledWithBackup(namespace);
      const { plan, applied } = await planThenApply(target, credentials(namespace, '2.0.0'));
      assert.deepEqual([plan.action, plan.deploy], ['install', 'install']);
      assert.match(plan.reason, /; then restore the backup an interrupted reinstall left \(Secret\/.+\/credentials-credentials\)$/);
      assert.deepEqual(applied.payload.exec?.restored, [`Secret/${namespace}/${SECRET}`]);
      assert.equal(await password(namespace), original);
      assert.equal(await backupLeft(namespace), false);
    });
  });
}
