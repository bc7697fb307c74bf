// The deploy decision over every combination of its inputs: each release state, with and without a
// pending backup, skipIfAlreadyInstalled, skipUnchanged, a breaking version, a migration's reinstall,
// drift of the live objects, and an earlier recovery; and the destroy decision over each release state. Besides the table, two properties that make plan and apply agree: deciding on a
// release before its recovery (plan) gives what deciding after it gives (exec), and a pending backup is
// never left behind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReleaseInfo, ReleaseStatus, RevisionInfo } from '../../src/helm/types.js';
import type { ResourceDrift } from '../../src/drift/detect.js';
import { decideDeploy, decideDestroy, explainDecision, type DeployAction, type DecisionInput } from '../../src/lifecycle/decide.js';
import { planRecovery } from '../../src/lifecycle/recovery.js';
import { classifyRelease, classifyState, type ReleaseFacts, type ReleaseView } from '../../src/lifecycle/release-state.js';

const OLD = '1.0.0';
const NEW = '1.5.0';
const TARGET = '2.0.0';

function release(status: ReleaseStatus, revision: number, chartVersion: string): ReleaseInfo {
  return { name: 'web', namespace: 'apps', revision, status, chartName: 'web', chartVersion, appVersion: undefined, description: undefined, updated: undefined };
}
function rev(revision: number, status: ReleaseStatus, chartVersion: string): RevisionInfo {
  return { revision, status, chart: `web-${chartVersion}`, appVersion: undefined, description: undefined, updated: undefined };
}

/** The release situations the cluster can be in; `version` is what runs (or would after recovery). */
const SITUATIONS = ['absent', 'uninstalled', 'in-sync', 'out-of-sync', 'pending-install', 'pending-upgrade', 'failed-install', 'failed-upgrade-helm3', 'failed-upgrade-helm4', 'superseded'] as const;
type Situation = (typeof SITUATIONS)[number];

const DRIFT: ResourceDrift[] = [{ resource: 'ConfigMap/apps/web', fields: [{ path: 'data.message', declared: 'hello', live: 'edited' }] }];

/**
 * The facts of a situation, the running chart at `version`, as release-facts.ts would read them: drift
 * is read only from a deployed latest revision (and found when `drifted`).
 */
function factsOf(situation: Situation, version: string, backup: boolean, digestMatches = situation === 'in-sync', drifted = false): ReleaseFacts {
  const pendingBackup = backup ? ['Secret/apps/web-credentials'] : undefined;
  const facts = (r: ReleaseInfo | undefined, history: RevisionInfo[], major: 3 | 4 = 3): ReleaseFacts => ({
    release: r, history, recovery: planRecovery(r, history, major), digestMatches: r?.status === 'deployed' && digestMatches, pendingBackup,
    drift: r?.status === 'deployed' ? (drifted ? DRIFT : []) : undefined,
  });
  switch (situation) {
    case 'absent': return facts(undefined, []);
    case 'uninstalled': return facts(release('uninstalled', 2, version), [rev(1, 'superseded', version), rev(2, 'uninstalled', version)]);
    case 'in-sync':
    case 'out-of-sync': return facts(release('deployed', 2, version), []);
    case 'pending-install': return facts(release('pending-install', 1, TARGET), [rev(1, 'pending-install', TARGET)]);
    // The killed upgrade was to the target; the rollback returns to `version`.
    case 'pending-upgrade': return facts(release('pending-upgrade', 3, TARGET), [rev(1, 'superseded', OLD), rev(2, 'deployed', version), rev(3, 'pending-upgrade', TARGET)]);
    // helm status leaves the description out; the history has it.
    case 'failed-install': return facts(release('failed', 1, TARGET), [{ ...rev(1, 'failed', TARGET), description: 'Release "web" failed: Deployment/web not ready\ncontext deadline exceeded' }]);
    case 'failed-upgrade-helm3': return facts(release('failed', 3, TARGET), [rev(1, 'superseded', OLD), rev(2, 'superseded', version), rev(3, 'failed', TARGET)], 3);
    case 'failed-upgrade-helm4': return facts(release('failed', 3, TARGET), [rev(1, 'superseded', OLD), rev(2, 'superseded', version), rev(3, 'failed', TARGET)], 4);
    case 'superseded': return facts(release('superseded', 2, version), []);
  }
}

/** What the recovery leaves, as exec sees it after preExec ran it (digest as recorded by the revision rolled back to). */
function afterRecovery(situation: Situation, version: string, backup: boolean, digestMatches: boolean, drifted: boolean): ReleaseFacts | undefined {
  if (situation === 'pending-install') return factsOf('absent', version, backup);
  if (situation === 'pending-upgrade' || situation === 'failed-upgrade-helm3') return factsOf(digestMatches ? 'in-sync' : 'out-of-sync', version, backup, digestMatches, drifted);
  return undefined;
}

interface Combination {
  situation: Situation;
  backup: boolean;
  skipIfAlreadyInstalled: boolean;
  skipUnchanged: boolean;
  breaking: boolean;
  migrationReinstall: boolean;
  /** The live objects differ from the deployed manifest (read only where a revision is deployed). */
  drifted: boolean;
}

function* combinations(): Generator<Combination> {
  const both = [false, true];
  for (const situation of SITUATIONS) for (const backup of both) for (const skipIfAlreadyInstalled of both) for (const skipUnchanged of both) for (const breaking of both) for (const migrationReinstall of both) for (const drifted of both) {
    yield { situation, backup, skipIfAlreadyInstalled, skipUnchanged, breaking, migrationReinstall, drifted };
  }
}

const factsOfCombination = (c: Combination) => factsOf(c.situation, versionOf(c), c.backup, c.situation === 'in-sync', c.drifted);

function inputOf(c: Combination, view: ReleaseView, recovered = false): DecisionInput {
  return {
    view,
    spec: { skipIfAlreadyInstalled: c.skipIfAlreadyInstalled, skipUnchanged: c.skipUnchanged, lastBreakingVersionRequiringRestart: c.breaking ? TARGET : undefined, backup: [] },
    targetVersion: TARGET,
    reinstallRequested: c.migrationReinstall ? 'a migration asks for a reinstall' : undefined,
    recovered,
  };
}

/** The running version: older than the breaking version when the combination wants it to cross it. */
const versionOf = (c: Combination) => (c.breaking ? OLD : NEW);
const label = (c: Combination) => Object.entries(c).filter(([, v]) => v !== false).map(([k, v]) => (v === true ? k : v)).join(' + ');

/**
 * The expected action, as the decision table in docs/decisions.md states it (rules 0 to 6 of decide.ts),
 * written as a table of situations rather than as the code's chain of ifs.
 */
function expectedAction(c: Combination): DeployAction {
  const nothingRuns = ['absent', 'uninstalled', 'pending-install', 'failed-install'].includes(c.situation);
  if (nothingRuns) return 'install';
  if (c.situation === 'superseded') return 'upgrade';
  const changesNothing = (why: DeployAction): DeployAction => (c.backup ? 'restore' : why);
  if (c.skipIfAlreadyInstalled) return changesNothing('skip');
  if (c.breaking || c.migrationReinstall) return 'reinstall';
  const recovering = ['pending-upgrade', 'failed-upgrade-helm3'].includes(c.situation);
  // Drift turns "unchanged" into an upgrade that repairs it (the restore, if any, after it).
  if (c.situation === 'in-sync' && c.skipUnchanged && !recovering) return c.drifted ? 'upgrade' : changesNothing('unchanged');
  return 'upgrade';
}

describe('decideDeploy over every combination', () => {
  const all = [...combinations()];

  it('covers every situation with every spec option and drift, 640 combinations', () => {
    assert.equal(all.length, SITUATIONS.length * 2 ** 6);
  });

  it('decides the action the table says', () => {
    const wrong = all
      .map((c) => ({ c, got: decideDeploy(inputOf(c, classifyRelease(factsOfCombination(c)))).action, want: expectedAction(c) }))
      .filter((r) => r.got !== r.want)
      .map((r) => `${label(r.c)}: got ${r.got}, want ${r.want}`);
    assert.deepEqual(wrong, []);
  });

  it('decides before a recovery (plan) what it decides after it (apply), whatever the digest of the revision rolled back to', () => {
    const disagreements: string[] = [];
    for (const c of all) {
      const before = decideDeploy(inputOf(c, classifyRelease(factsOfCombination(c))));
      for (const digestMatches of [false, true]) {
        const recovered = afterRecovery(c.situation, versionOf(c), c.backup, digestMatches, c.drifted);
        if (!recovered) continue;
        assert.notEqual(before.recovery.kind, 'none', `${label(c)}: plan recovers first`);
        const after = decideDeploy(inputOf(c, classifyRelease(recovered), true));
        assert.equal(after.recovery.kind, 'none', `${label(c)}: nothing left to recover`);
        if (after.action !== before.action || after.restoreBackup !== before.restoreBackup) disagreements.push(`${label(c)} (digest ${digestMatches ? 'equal' : 'differs'}): plan ${before.action}, apply ${after.action}`);
      }
    }
    assert.deepEqual(disagreements, []);
  });

  it('never leaves a pending backup behind, and restores only when there is one or a reinstall makes one', () => {
    for (const c of all) {
      const decision = decideDeploy({ ...inputOf(c, classifyRelease(factsOfCombination(c))), spec: { ...inputOf(c, { state: { kind: 'absent' }, pendingBackup: undefined }).spec, backup: [{ apiVersion: 'v1', kind: 'Secret', name: 'web-credentials' }] } });
      if (c.backup) {
        assert.ok(decision.restoreBackup, `${label(c)}: restores`);
        assert.ok(!['skip', 'unchanged'].includes(decision.action), `${label(c)}: ${decision.action} would return before the restore`);
        assert.match(explainDecision(decision), /restore the backup an interrupted reinstall left \(Secret\/apps\/web-credentials\)/, label(c));
      } else {
        assert.equal(decision.restoreBackup, decision.action === 'reinstall', label(c));
      }
    }
  });

  it('repairs drift exactly when it turns an unchanged release into an upgrade, and says what drifted', () => {
    for (const c of all) {
      const decision = decideDeploy(inputOf(c, classifyRelease(factsOfCombination(c))));
      const repairs = c.drifted && c.situation === 'in-sync' && c.skipUnchanged && !c.skipIfAlreadyInstalled && !c.breaking && !c.migrationReinstall;
      assert.deepEqual(decision.repairsDrift, repairs ? DRIFT : undefined, label(c));
      if (repairs) assert.match(explainDecision(decision), /^nothing changed since revision 2: chart version, values and spec match its digest, but live objects differ: upgrade to repair drift: 1 resource\(s\) drifted: ConfigMap\/apps\/web \(data\.message\)/, label(c));
    }
  });

  it('measures a change against what runs: the last good revision, never a failed or pending one', () => {
    for (const c of all) {
      const decision = decideDeploy(inputOf(c, classifyRelease(factsOfCombination(c))));
      const expected = { 'in-sync': 2, 'out-of-sync': 2, 'pending-upgrade': 2, 'failed-upgrade-helm3': 2, 'failed-upgrade-helm4': 2 }[c.situation as string];
      assert.equal(decision.baseline?.revision, decision.action === 'reinstall' ? undefined : expected, label(c));
      if (decision.baseline) assert.equal(decision.baseline.chartVersion, versionOf(c), label(c));
    }
  });
});

describe('decideDeploy reasons', () => {
  const decide = (situation: Situation, spec: Partial<DecisionInput['spec']> = {}, backup = false, version = NEW) =>
    decideDeploy({ view: classifyRelease(factsOf(situation, version, backup)), spec: { skipIfAlreadyInstalled: false, skipUnchanged: true, lastBreakingVersionRequiringRestart: undefined, backup: [], ...spec }, targetVersion: TARGET });

  it('skipIfAlreadyInstalled wins over a breaking version, and says what it passed over', () => {
    const decision = decide('in-sync', { skipIfAlreadyInstalled: true, lastBreakingVersionRequiringRestart: TARGET }, false, OLD);
    assert.equal(decision.action, 'skip');
    assert.equal(explainDecision(decision), 'skipIfAlreadyInstalled, and revision 2 (chart 1.0.0) is deployed; not reinstalling although installed chart 1.0.0 is older than the last breaking version 2.0.0 (drop skipIfAlreadyInstalled to reinstall)');
  });

  it('after a failed first install, installs, and says how helm records it', () => {
    const decision = decide('failed-install');
    assert.deepEqual([decision.action, decision.baseline], ['install', undefined]);
    assert.equal(explainDecision(decision), 'revision 1 failed (Release "web" failed: Deployment/web not ready; context deadline exceeded) and nothing is deployed: install 2.0.0 (helm records it as revision 2, over the failed one)');
  });

  it('restores a pending backup of an unchanged release instead of calling it unchanged', () => {
    const decision = decide('in-sync', {}, true);
    assert.equal(decision.action, 'restore');
    assert.equal(explainDecision(decision), 'restore the backup an interrupted reinstall left (Secret/apps/web-credentials); nothing changed since revision 2: chart version, values and spec match its digest');
  });

  it('puts the recovery first and the restore last', () => {
    const decision = decide('pending-upgrade', {}, true);
    assert.equal(explainDecision(decision), 'revision 3 is stuck in pending-upgrade: roll back to revision 2, then upgrade to 2.0.0; then restore the backup an interrupted reinstall left (Secret/apps/web-credentials)');
    assert.equal(explainDecision(decide('out-of-sync'), '2 resource(s) change'), 'chart 1.5.0 → 2.0.0: 2 resource(s) change');
  });

  it('upgrades a failed upgrade from the last good revision under Helm 4', () => {
    const decision = decide('failed-upgrade-helm4');
    assert.deepEqual([decision.action, decision.recovery.kind, decision.baseline?.revision], ['upgrade', 'none', 2]);
    assert.equal(decision.reason, 'revision 3 failed; upgrade from revision 2, chart 1.5.0 → 2.0.0');
  });
});

describe('decideDestroy over every situation', () => {
  it('uninstalls whatever is installed, in any state, and does nothing when nothing is', () => {
    const decided = Object.fromEntries(SITUATIONS.map((s) => [s, decideDestroy(factsOf(s, NEW, false).release).action]));
    assert.deepEqual(decided, {
      absent: 'absent', uninstalled: 'absent', 'in-sync': 'uninstall', 'out-of-sync': 'uninstall', 'pending-install': 'uninstall', 'pending-upgrade': 'uninstall',
      'failed-install': 'uninstall', 'failed-upgrade-helm3': 'uninstall', 'failed-upgrade-helm4': 'uninstall', superseded: 'uninstall',
    });
    assert.deepEqual(decideDestroy(factsOf('in-sync', NEW, false).release), { action: 'uninstall', installed: factsOf('in-sync', NEW, false).release, reason: 'uninstall revision 2 (chart 1.5.0)' });
    assert.equal(decideDestroy(undefined).reason, 'not installed; nothing to delete');
  });
});

describe('classifyState', () => {
  it('classifies a deployed release in sync whose live objects differ as drifted, and drift under another digest as out of sync', () => {
    assert.deepEqual(classifyState(factsOf('in-sync', NEW, false, true, true)), { kind: 'drifted', release: release('deployed', 2, NEW), deployed: { revision: 2, chartVersion: NEW }, drift: DRIFT });
    assert.equal(classifyState(factsOf('out-of-sync', NEW, false, false, true)).kind, 'out-of-sync');
    assert.equal(classifyState(factsOf('in-sync', NEW, false, true, false)).kind, 'in-sync');
  });

  it('tells every release status apart', () => {
    const kinds = Object.fromEntries(SITUATIONS.map((s) => [s, classifyState(factsOf(s, NEW, false)).kind]));
    assert.deepEqual(kinds, {
      absent: 'absent', uninstalled: 'absent', 'in-sync': 'in-sync', 'out-of-sync': 'out-of-sync', 'pending-install': 'locked', 'pending-upgrade': 'locked',
      'failed-install': 'failed', 'failed-upgrade-helm3': 'failed', 'failed-upgrade-helm4': 'failed', superseded: 'unknown',
    });
  });

  it('knows the chart a rollback returns to, and the last good revision of a failed release', () => {
    const locked = classifyState(factsOf('pending-upgrade', OLD, false));
    assert.deepEqual(locked.kind === 'locked' && locked.deployed, { revision: 2, chartVersion: OLD });
    const failed = classifyState(factsOf('failed-upgrade-helm4', OLD, false));
    assert.deepEqual(failed.kind === 'failed' && [failed.deployed, failed.recovery.kind], [{ revision: 2, chartVersion: OLD }, 'none']);
    const failedInstall = classifyState(factsOf('failed-install', OLD, false));
    assert.deepEqual(failedInstall.kind === 'failed' && failedInstall.deployed, undefined);
  });
});
