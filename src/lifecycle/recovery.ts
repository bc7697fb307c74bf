// Recovering a release stuck in pending-* (helm was killed mid-operation, or lost its connection), in
// the shape of Flux's helm-controller: this file classifies the release and plans (pure, plus the reads
// the plan needs); actions/recover.ts acts on the plan.
//
// A release whose latest revision *failed* is also recovered under Helm 3: its upgrade computes a
// three-way merge against the last *deployed* revision, so fields that the failed revision added to live
// objects (and that neither revision declares) would silently stay. Rolling back first makes the next
// upgrade start from what the cluster really runs. Helm 4 applies server-side, which removes them itself.
import type { CallOptions, HelmClient, HelmMajor, ReleaseInfo, RevisionInfo } from '../helm/types.js';

export type RecoveryPlan =
  | { kind: 'none' }
  /** A first install never finished: nothing worth keeping, remove it. */
  | { kind: 'uninstall'; revision: number; reason: string }
  /** An upgrade or rollback never finished: return to the last good revision. */
  | { kind: 'rollback'; from: number; to: number; reason: string };

const GOOD: ReadonlySet<string> = new Set(['deployed', 'superseded']);

/** The newest revision before `revision` that deployed successfully (deployed or superseded). Pure. */
export function lastGoodRevision(history: readonly RevisionInfo[], revision: number): RevisionInfo | undefined {
  return history.filter((h) => h.revision < revision && GOOD.has(h.status)).sort((a, b) => b.revision - a.revision)[0];
}

export function planRecovery(release: ReleaseInfo | undefined, history: readonly RevisionInfo[], helmMajor: HelmMajor): RecoveryPlan {
  if (!release) return { kind: 'none' };
  const { status, revision } = release;
  if (status === 'pending-install') {
    return { kind: 'uninstall', revision, reason: `revision ${revision} is stuck in pending-install` };
  }
  const earlier = history.filter((h) => h.revision < revision).sort((a, b) => b.revision - a.revision);
  if (status === 'failed' && helmMajor === 3) {
    const deployed = lastGoodRevision(history, revision);
    if (!deployed) return { kind: 'none' };
    const reason = `revision ${revision} failed and Helm 3 would upgrade from revision ${deployed.revision} without undoing it`;
    return { kind: 'rollback', from: revision, to: deployed.revision, reason };
  }
  if (status !== 'pending-upgrade' && status !== 'pending-rollback') return { kind: 'none' };
  const target = lastGoodRevision(history, revision) ?? earlier[0];
  if (!target) return { kind: 'uninstall', revision, reason: `revision ${revision} is stuck in ${status} with no earlier revision` };
  return { kind: 'rollback', from: revision, to: target.revision, reason: `revision ${revision} is stuck in ${status}` };
}

/** True when the latest revision is failed or pending: only then are history and helm's major needed. Pure. */
export function mayNeedRecovery(release: ReleaseInfo | undefined): release is ReleaseInfo {
  return !!release && (release.status === 'failed' || release.status.startsWith('pending-'));
}

/** The release's history and helm's major, read only for a release that may need recovering. */
export async function readRecoveryInputs(helm: HelmClient, release: ReleaseInfo | undefined, options: CallOptions = {}): Promise<{ history: RevisionInfo[]; major: HelmMajor } | undefined> {
  if (!mayNeedRecovery(release)) return undefined;
  const { major } = await helm.version(options);
  const history = await helm.history({ release: release.name, namespace: release.namespace }, options);
  return { history, major };
}

/** Reads what planRecovery needs (history, helm's major) only for a release that may need recovering. */
export async function planReleaseRecovery(helm: HelmClient, release: ReleaseInfo | undefined, options: CallOptions = {}): Promise<RecoveryPlan> {
  const inputs = await readRecoveryInputs(helm, release, options);
  return inputs ? planRecovery(release, inputs.history, inputs.major) : { kind: 'none' };
}
