// What state a release is in, classified from what was read about it, apart from what to do about it
// (decide.ts). The shape follows Flux's helm-controller, whose state.go only classifies a release and
// leaves the next action to the reconciler. Plan and exec classify the same facts with this one function,
// so they cannot see the release differently. Pure.
import type { ResourceDrift } from '../drift/detect.js';
import { splitChartColumn } from '../helm/parse.js';
import type { ReleaseInfo, RevisionInfo } from '../helm/types.js';
import { lastGoodRevision, type RecoveryPlan } from './recovery.js';

/** Everything classifyRelease looks at; release-facts.ts reads it from helm and the cluster. */
export interface ReleaseFacts {
  /** The latest revision (helm status); undefined when there is no release at all. */
  release: ReleaseInfo | undefined;
  /** Revisions, oldest first; read only when the latest revision is failed or pending, else empty. */
  history: readonly RevisionInfo[];
  /** What recovery.ts's planRecovery makes of the release (none, uninstall or rollback). */
  recovery: RecoveryPlan;
  /** The latest revision is deployed and recorded exactly this spec's digest (deployedWithDigest). */
  digestMatches: boolean;
  /** kind/namespace/name of the objects in a backup an interrupted reinstall left, or undefined. */
  pendingBackup: readonly string[] | undefined;
  /**
   * The deployed revision's live objects against its manifest (drift/); undefined when not read: the
   * latest revision is not deployed, or the spec ignores drift. Empty when read and nothing drifted.
   */
  drift: readonly ResourceDrift[] | undefined;
}

/** A revision that deployed successfully: what the cluster runs. */
export interface DeployedRevision {
  revision: number;
  chartVersion: string;
}

export type ReleaseState =
  /** No release, or one uninstalled with its history kept: nothing is deployed. */
  | { kind: 'absent' }
  /** The latest revision is deployed and recorded this spec's digest. */
  | { kind: 'in-sync'; release: ReleaseInfo; deployed: DeployedRevision }
  /**
   * The latest revision is deployed and recorded this spec's digest, but live objects differ from its
   * manifest (someone edited them since): the spec is unchanged, the cluster is not.
   */
  | { kind: 'drifted'; release: ReleaseInfo; deployed: DeployedRevision; drift: readonly ResourceDrift[] }
  /** The latest revision is deployed, with another digest (or none): the spec or the chart changed. */
  | { kind: 'out-of-sync'; release: ReleaseInfo; deployed: DeployedRevision }
  /**
   * An operation never finished (pending-*): the recovery undoes it first. `deployed` is what the
   * recovery leaves running (the revision rolled back to), undefined when it uninstalls.
   */
  | { kind: 'locked'; release: ReleaseInfo; recovery: Exclude<RecoveryPlan, { kind: 'none' }>; deployed: DeployedRevision | undefined }
  /**
   * The latest revision failed. `deployed` is the last good revision before it, undefined after a failed
   * first install (nothing runs). Under Helm 3 with a good revision, the recovery rolls back to it first.
   */
  | { kind: 'failed'; release: ReleaseInfo; recovery: RecoveryPlan; deployed: DeployedRevision | undefined; failure: string | undefined }
  /** A latest revision in a state helm leaves only by accident (superseded, uninstalling, unknown). */
  | { kind: 'unknown'; release: ReleaseInfo };

export type ReleaseStateKind = ReleaseState['kind'];

/** The release's state, and a backup an interrupted reinstall left, which is to be restored whatever the state. */
export interface ReleaseView {
  state: ReleaseState;
  pendingBackup: readonly string[] | undefined;
}

function revisionOf(row: RevisionInfo | undefined): DeployedRevision | undefined {
  return row ? { revision: row.revision, chartVersion: splitChartColumn(row.chart).version } : undefined;
}

export function classifyState(facts: ReleaseFacts): ReleaseState {
  const { release, history, recovery } = facts;
  if (!release || release.status === 'uninstalled') return { kind: 'absent' };
  const current: DeployedRevision = { revision: release.revision, chartVersion: release.chartVersion };
  switch (release.status) {
    case 'deployed':
      if (!facts.digestMatches) return { kind: 'out-of-sync', release, deployed: current };
      return facts.drift?.length ? { kind: 'drifted', release, deployed: current, drift: facts.drift } : { kind: 'in-sync', release, deployed: current };
    case 'failed':
      // helm status does not always carry the description (why it failed); the history does.
      const failure = release.description ?? history.find((h) => h.revision === release.revision)?.description;
      return { kind: 'failed', release, recovery, deployed: revisionOf(lastGoodRevision(history, release.revision)), failure };
    case 'pending-install':
    case 'pending-upgrade':
    case 'pending-rollback': {
      // planRecovery always recovers a pending release; 'none' here would mean the facts disagree.
      if (recovery.kind === 'none') return { kind: 'unknown', release };
      const deployed = recovery.kind === 'rollback' ? revisionOf(history.find((h) => h.revision === recovery.to)) : undefined;
      return { kind: 'locked', release, recovery, deployed };
    }
    default:
      return { kind: 'unknown', release };
  }
}

export function classifyRelease(facts: ReleaseFacts): ReleaseView {
  return { state: classifyState(facts), pendingBackup: facts.pendingBackup };
}
