import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHelmVersion, parseList, parseReleaseMetadata, splitChartColumn } from '../../src/helm/parse.js';
import type { ReleaseInfo, RevisionInfo } from '../../src/helm/types.js';
import { planRecovery } from '../../src/lifecycle/recovery.js';

describe('helm output parsers', () => {
  it('reads helm versions and refuses Helm 2', () => {
    assert.deepEqual(parseHelmVersion('v3.17.2'), { version: 'v3.17.2', major: 3, minor: 17, patch: 2 });
    assert.equal(parseHelmVersion('v4.1.4+g05fa379').major, 4);
    assert.throws(() => parseHelmVersion('v2.17.0'), /not supported/);
  });

  it('splits the chart column of helm list', () => {
    assert.deepEqual(splitChartColumn('kube-prometheus-stack-45.2.0'), { name: 'kube-prometheus-stack', version: '45.2.0' });
    assert.deepEqual(splitChartColumn('web-1.0.0-rc.1'), { name: 'web', version: '1.0.0-rc.1' });
    const [row] = parseList('[{"name":"a","namespace":"n","revision":"3","status":"failed","chart":"web-1.1.0","app_version":""}]');
    assert.equal(row?.revision, 3);
    assert.equal(row?.status, 'failed');
    assert.equal(row?.appVersion, undefined);
  });

  it('reads helm get metadata', () => {
    const info = parseReleaseMetadata('{"name":"oci","chart":"web","version":"1.1.0","appVersion":"1.0","namespace":"t","revision":2,"status":"pending-upgrade","deployedAt":"2026-11-24T14:51:05Z"}');
    assert.equal(info.chartVersion, '1.1.0');
    assert.equal(info.status, 'pending-upgrade');
    assert.equal(info.revision, 2);
  });
});

function release(status: ReleaseInfo['status'], revision: number): ReleaseInfo {
  return { name: 'web', namespace: 'n', revision, status, chartName: 'web', chartVersion: '1.0.0', appVersion: undefined, description: undefined, updated: undefined };
}
function rev(revision: number, status: RevisionInfo['status']): RevisionInfo {
  return { revision, status, chart: 'web-1.0.0', appVersion: undefined, description: undefined, updated: undefined };
}

describe('planRecovery', () => {
  it('leaves healthy, failed and absent releases alone', () => {
    assert.equal(planRecovery(undefined, [], 3).kind, 'none');
    assert.equal(planRecovery(release('deployed', 3), [], 3).kind, 'none');
    assert.equal(planRecovery(release('failed', 1), [rev(1, 'failed')], 3).kind, 'none');
    assert.equal(planRecovery(release('failed', 2), [rev(1, 'deployed'), rev(2, 'failed')], 4).kind, 'none');
  });

  it('under Helm 3, rolls a failed upgrade back so its changes do not survive the next three-way merge', () => {
    assert.deepEqual(planRecovery(release('failed', 3), [rev(1, 'superseded'), rev(2, 'deployed'), rev(3, 'failed')], 3), {
      kind: 'rollback', from: 3, to: 2, reason: 'revision 3 failed and Helm 3 would upgrade from revision 2 without undoing it',
    });
  });

  it('uninstalls a first install that never finished', () => {
    assert.deepEqual(planRecovery(release('pending-install', 1), [rev(1, 'pending-install')], 3), {
      kind: 'uninstall', revision: 1, reason: 'revision 1 is stuck in pending-install',
    });
  });

  it('rolls a stuck upgrade back to the last good revision, skipping failed ones', () => {
    const plan = planRecovery(release('pending-upgrade', 4), [rev(1, 'superseded'), rev(2, 'deployed'), rev(3, 'failed'), rev(4, 'pending-upgrade')], 4);
    assert.deepEqual(plan, { kind: 'rollback', from: 4, to: 2, reason: 'revision 4 is stuck in pending-upgrade' });
  });

  it('rolls back to the latest earlier revision when none was good, and uninstalls when there is none', () => {
    assert.equal((planRecovery(release('pending-rollback', 3), [rev(1, 'failed'), rev(2, 'failed'), rev(3, 'pending-rollback')], 3) as { to: number }).to, 2);
    assert.equal(planRecovery(release('pending-upgrade', 1), [rev(1, 'pending-upgrade')], 3).kind, 'uninstall');
  });
});
