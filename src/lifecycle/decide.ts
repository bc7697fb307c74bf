// The deploy decision: from a classified release (release-state.ts) and the spec, what exec does and
// plan predicts. One pure function, so the two cannot disagree. The rules, first match wins:
//
//  0. A backup an interrupted reinstall left is restored, whatever else is decided: after the install or
//     upgrade when one runs (it is the data the reinstall would otherwise lose), alone when none runs.
//  1. A locked release (pending-*), or under Helm 3 a failed one with a good revision, is recovered first
//     (recovery.ts); the rest is decided on what the recovery leaves, and never "unchanged": a killed
//     operation may have changed live objects whatever the recorded digest says.
//  2. Nothing deployed (absent, a pending-install that is uninstalled, a first install that failed):
//     install. skipIfAlreadyInstalled and the breaking version have nothing to act on.
//  3. skipIfAlreadyInstalled and a good revision deployed: skip, even when the chart is older than the
//     last breaking version or a migration asked for a reinstall. The option is an explicit "never touch
//     an installed release", and a reinstall is the most destructive thing helmcycle does (it deletes
//     every object of the release); as with Terraform's ignore_changes over a change that forces
//     replacement, the explicit "leave it" wins, and the reason says what was passed over.
//  4. The deployed chart is older than lastBreakingVersionRequiringRestart (and the target is not), or a
//     migration asked for it: reinstall (backup, uninstall, install, restore).
//  5. skipUnchanged and the deployed revision recorded this spec's digest: unchanged; but when its live
//     objects drifted from its manifest (state drifted), upgrade with the same chart and values to repair
//     them (helm puts the declared fields back: Helm 3's three-way merge, Helm 4's apply).
//  6. Otherwise: upgrade.
//
// Destroy is decided here too (decideDestroy): uninstall what is installed, nothing when it is gone.
// Every reason a plan shows or a run reports is written in this file.
import semver from 'semver';
import type { ChartSpec } from '../config/chart-spec.js';
import { describeDrift, type ResourceDrift } from '../drift/detect.js';
import type { ReleaseInfo } from '../helm/types.js';
import type { RecoveryPlan } from './recovery.js';
import type { DeployedRevision, ReleaseView } from './release-state.js';

/** What exec does to a deployed chart; exec reports the outcome of the same name (past tense). */
export type DeployAction = 'install' | 'upgrade' | 'reinstall' | 'skip' | 'unchanged' | 'restore';

export interface DecisionInput {
  view: ReleaseView;
  spec: Pick<ChartSpec, 'skipIfAlreadyInstalled' | 'skipUnchanged' | 'lastBreakingVersionRequiringRestart' | 'backup'>;
  /** The chart version that would be installed; undefined when unknown (then any version is taken to cross the breaking one). */
  targetVersion: string | undefined;
  /** A migration step asked exec to reinstall, for this reason. */
  reinstallRequested?: string | undefined;
  /** preExec already recovered the release in this run (rule 1 applies, the recovery being done). */
  recovered?: boolean;
}

export interface Decision {
  /** Done before anything else; kind none when the release needs no recovery. */
  recovery: RecoveryPlan;
  action: DeployAction;
  /** A backup is put back after the action: one an interrupted reinstall left, or the reinstall's own. */
  restoreBackup: boolean;
  /** What runs now (after the recovery), which the change is measured against; undefined when nothing runs, or for a reinstall (everything is made anew). */
  baseline: DeployedRevision | undefined;
  /** Why, in words (explainDecision adds the restore to come); plan shows it and exec reports it. */
  reason: string;
  /** The backup an interrupted reinstall left, restored after the action, in words; undefined when none. */
  restoreNote: string | undefined;
  /** The drift the upgrade repairs (rule 5); undefined for any other decision. */
  repairsDrift?: readonly ResourceDrift[] | undefined;
}

/** The decision's reason in full; `detail` (plan's diff summary) goes after the action's own words. Pure. */
export function explainDecision(decision: Decision, detail?: string): string {
  return `${decision.reason}${detail ? `: ${detail}` : ''}${decision.restoreNote ? `; then restore ${decision.restoreNote}` : ''}`;
}

/** What an upgrade's manifest diff found, for the end of its reason (plan's detail). Pure. */
export function describeChanges(changed: number): string {
  return changed ? `${changed} resource(s) change` : 'values or spec changed, manifests render the same';
}

/** Why a deployed chart must be reinstalled for the breaking version, or undefined. Pure. */
export function breakingReinstallReason(deployedVersion: string | undefined, lastBreaking: string | undefined, targetVersion: string | undefined): string | undefined {
  if (!deployedVersion || !lastBreaking) return undefined;
  const current = semver.valid(semver.coerce(deployedVersion));
  if (!current || !semver.lt(current, lastBreaking)) return undefined;
  // Going to a version that is itself older than the breaking one needs no reinstall.
  const target = targetVersion ? semver.valid(semver.coerce(targetVersion)) : undefined;
  if (target && semver.lt(target, lastBreaking)) return undefined;
  return `installed chart ${deployedVersion} is older than the last breaking version ${lastBreaking}`;
}

/** The recovery, in words (plan's `recovery` field and the start of its reason). Pure. */
export function describeRecovery(plan: RecoveryPlan): string | undefined {
  if (plan.kind === 'none') return undefined;
  return plan.kind === 'rollback' ? `${plan.reason}: roll back to revision ${plan.to}` : `${plan.reason}: uninstall it`;
}

function versions(from: string, to: string | undefined): string {
  return !to || from === to ? `chart ${from}` : `chart ${from} → ${to}`;
}

export function decideDeploy(input: DecisionInput): Decision {
  const { view, spec, targetVersion } = input;
  const { state } = view;
  const target = targetVersion ?? 'the chart';
  const recovery: RecoveryPlan = state.kind === 'locked' || state.kind === 'failed' ? state.recovery : { kind: 'none' };
  const recovering = recovery.kind !== 'none';
  const baseline = state.kind === 'absent' || state.kind === 'unknown' ? undefined : state.deployed;
  const backup = view.pendingBackup;
  const backupNote = backup ? `the backup an interrupted reinstall left (${backup.join(', ') || 'no objects'})` : undefined;

  const decided = (action: DeployAction, reason: string, repairsDrift?: readonly ResourceDrift[]): Decision => {
    const restoreBackup = !!backup || (action === 'reinstall' && spec.backup.length > 0);
    const first = describeRecovery(recovery);
    const restoreNote = action === 'restore' ? undefined : backupNote;
    return { recovery, action, restoreBackup, baseline: action === 'reinstall' ? undefined : baseline, reason: `${first ? `${first}, then ` : ''}${reason}`, restoreNote, ...(repairsDrift ? { repairsDrift } : {}) };
  };
  /** Rule 0 for an action that changes nothing: the restore is what is left to do. */
  const noChange = (action: 'skip' | 'unchanged', reason: string): Decision => (backupNote ? decided('restore', `restore ${backupNote}; ${reason}`) : decided(action, reason));

  if (state.kind === 'unknown') return decided('upgrade', `latest revision ${state.release.revision} is ${state.release.status}: upgrade to ${target}`);
  // Rule 2.
  if (!baseline) {
    if (state.kind === 'failed') {
      // On one line: Helm 4's descriptions carry the wait's report over several.
      const why = state.failure ? ` (${state.failure.replace(/\s*\n\s*/g, '; ')})` : '';
      return decided('install', `revision ${state.release.revision} failed${why} and nothing is deployed: install ${target} (helm records it as revision ${state.release.revision + 1}, over the failed one)`);
    }
    return decided('install', recovering ? `install ${target}` : `not installed: install ${target}`);
  }
  const breaking = breakingReinstallReason(baseline.chartVersion, spec.lastBreakingVersionRequiringRestart, targetVersion);
  const reinstall = input.reinstallRequested ?? breaking;
  // Rule 3.
  if (spec.skipIfAlreadyInstalled) {
    const passedOver = reinstall ? `; not reinstalling although ${reinstall} (drop skipIfAlreadyInstalled to reinstall)` : '';
    return noChange('skip', `skipIfAlreadyInstalled, and revision ${baseline.revision} (chart ${baseline.chartVersion}) is deployed${passedOver}`);
  }
  // Rule 4.
  if (reinstall) return decided('reinstall', `${reinstall}: uninstall revision ${baseline.revision}, then install ${target}`);
  // Rule 1 and 5.
  if (recovering || input.recovered) return decided('upgrade', `upgrade to ${target}`);
  const unchanged = `nothing changed since revision ${baseline.revision}: chart version, values and spec match its digest`;
  if (spec.skipUnchanged && state.kind === 'in-sync') return noChange('unchanged', unchanged);
  if (spec.skipUnchanged && state.kind === 'drifted') return decided('upgrade', `${unchanged}, but live objects differ: upgrade to repair drift: ${describeDrift(state.drift)}`, state.drift);
  // Rule 6.
  if (state.kind === 'failed') return decided('upgrade', `revision ${state.release.revision} failed; upgrade from revision ${baseline.revision}, ${versions(baseline.chartVersion, targetVersion)}`);
  return decided('upgrade', versions(baseline.chartVersion, targetVersion));
}

/** What destroy does to a release: uninstall it, or nothing when it is not installed. */
export type DestroyAction = 'uninstall' | 'absent';

export interface DestroyDecision {
  action: DestroyAction;
  /** What is uninstalled; undefined when nothing is. */
  installed: ReleaseInfo | undefined;
  reason: string;
}

/** The destroy decision over the release as helm status found it (uninstalled with its history kept is gone). Pure. */
export function decideDestroy(release: ReleaseInfo | undefined): DestroyDecision {
  if (!release || release.status === 'uninstalled') return { action: 'absent', installed: undefined, reason: 'not installed; nothing to delete' };
  return { action: 'uninstall', installed: release, reason: `uninstall revision ${release.revision} (chart ${release.chartVersion})` };
}
