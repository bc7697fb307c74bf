// Plan and apply on the same (scripted) release: the rows of issue 11 (items 4 and 5) and issue 13
// (item 2) where they used to disagree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChartSpec } from '../../src/config/parse.js';
import { computeReleaseDigest, DIGEST_LABEL } from '../../src/lifecycle/digest.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition } from '../../src/lifecycle/types.js';
import { planChart } from '../../src/stack/plan.js';
import { backupResources, backupSecretName } from '../../src/toolkit/backup.js';
import { FakeHelm, FakeKube, releaseInfo } from './fakes.js';

const MANIFEST = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  message: hello\n';
const base: ChartDefinition = { name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', timeoutSeconds: 1 };

function setup() {
  const helm = new FakeHelm();
  const kube = new FakeKube();
  helm.manifest = MANIFEST;
  helm.dryRunManifest = MANIFEST;
  // What the deployed release made, as it declares it (no drift).
  kube.objects.set('ConfigMap/apps/web', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'apps' }, data: { message: 'hello' } });
  const plan = (definition: ChartDefinition = base) => planChart({ name: definition.name, needs: [], definition, file: undefined }, { helm, kube, command: 'apply' });
  const apply = (definition: ChartDefinition = base) => runChart({ skipUnchanged: true, ...definition }, { helm, kube });
  return { helm, kube, plan, apply };
}

describe('plan and apply decide alike', () => {
  it('skipIfAlreadyInstalled over a chart older than the breaking version: both skip', async () => {
    const { helm, plan, apply } = setup();
    helm.current = releaseInfo({ revision: 4, chartVersion: '1.0.0' });
    helm.chartVersion = '2.0.0';
    const definition = { ...base, skipIfAlreadyInstalled: true, lastBreakingVersionRequiringRestart: '2.0.0' };
    const planned = await plan(definition);
    assert.deepEqual([planned.action, planned.deploy], ['skip', 'skip']);
    assert.match(planned.reason, /not reinstalling although installed chart 1\.0\.0 is older than the last breaking version 2\.0\.0/);
    const applied = await apply(definition);
    assert.equal(applied.outcome, 'skipped');
    assert.ok(!helm.calls.includes('uninstall'));
  });

  it('after a failed first install, plan says install with every object added, not "renders the same"', async () => {
    const { helm, plan, apply } = setup();
    helm.current = releaseInfo({ revision: 1, status: 'failed', description: 'Release "web" failed: context deadline exceeded' });
    helm.historyRows = [{ revision: 1, status: 'failed', chart: 'web-1.0.0', appVersion: undefined, description: undefined, updated: undefined }];
    const planned = await plan();
    assert.equal(planned.action, 'install');
    assert.match(planned.reason, /^revision 1 failed \(Release "web" failed: context deadline exceeded\) and nothing is deployed: install 1\.0\.0/);
    assert.deepEqual(planned.changes.map((c) => [c.resource, c.change]), [['ConfigMap/apps/web', 'added']]);
    const applied = await apply();
    assert.deepEqual([applied.outcome, applied.release?.revision], ['installed', 2]);
  });

  it('a backup left between a reinstall and its restore: plan says restore, apply restores it, whatever the digest says', async () => {
    const { helm, kube, plan, apply } = setup();
    const secretRef = { apiVersion: 'v1', kind: 'Secret', namespace: 'apps', name: 'web-credentials' };
    // The old password, saved before the uninstall; the install that followed made a new one.
    kube.objects.set(FakeKube.key(secretRef), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-credentials', namespace: 'apps' }, data: { password: 'b2xk' } });
    await backupResources(kube, { release: 'web', namespace: 'apps' }, [secretRef]);
    kube.objects.set(FakeKube.key(secretRef), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-credentials', namespace: 'apps' }, data: { password: 'bmV3' } });
    const digest = await computeReleaseDigest(parseChartSpec({ ...base, skipUnchanged: true }), '1.0.0');
    helm.current = releaseInfo({ revision: 1, labels: { [DIGEST_LABEL]: digest } });

    const planned = await plan();
    assert.deepEqual([planned.action, planned.restore], ['restore', ['Secret/apps/web-credentials']]);
    assert.match(planned.reason, /^restore the backup an interrupted reinstall left \(Secret\/apps\/web-credentials\); nothing changed since revision 1/);
    const applied = await apply();
    assert.equal(applied.outcome, 'restored');
    assert.deepEqual(applied.payload.exec?.restored, ['Secret/apps/web-credentials']);
    assert.equal((kube.objects.get(FakeKube.key(secretRef))?.data as Record<string, string>).password, 'b2xk');
    assert.equal(kube.objects.get(FakeKube.key({ ...secretRef, name: backupSecretName('web') })), undefined, 'the backup is gone');
    assert.ok(!helm.calls.includes('upgradeInstall'), 'nothing else changed, so nothing is upgraded');
    assert.equal((await plan()).action, 'skip', 'and the next plan has nothing left to do');
  });

  it('an unchanged release whose live ConfigMap was edited: plan upgrades to repair drift, apply upgrades and lists it, ignoreDrift leaves it', async () => {
    const { helm, kube, plan, apply } = setup();
    const digest = await computeReleaseDigest(parseChartSpec({ ...base, skipUnchanged: true }), '1.0.0');
    helm.current = releaseInfo({ revision: 1, labels: { [DIGEST_LABEL]: digest } });
    kube.objects.set('ConfigMap/apps/web', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'apps' }, data: { message: 'edited' } });
    const drift = [{ resource: 'ConfigMap/apps/web', fields: [{ path: 'data.message', declared: 'hello', live: 'edited' }] }];

    const ignored = await plan({ ...base, ignoreDrift: true });
    assert.deepEqual([ignored.action, ignored.drift], ['skip', []]);
    const skipped = await apply({ ...base, ignoreDrift: true });
    assert.equal(skipped.outcome, 'unchanged');
    assert.ok(!helm.calls.includes('upgradeInstall'));

    const planned = await plan();
    assert.deepEqual([planned.action, planned.deploy, planned.drift], ['upgrade', 'upgrade', drift]);
    assert.match(planned.reason, /upgrade to repair drift: 1 resource\(s\) drifted: ConfigMap\/apps\/web \(data\.message\)/);
    const applied = await apply();
    assert.equal(applied.outcome, 'upgraded');
    assert.deepEqual(applied.payload.exec?.repairedDrift, drift);
    assert.equal(helm.upgradeRequests.at(-1)?.options.forceConflicts, true, 'Helm 4 takes the drifted fields back from their hand editor');
  });
});
