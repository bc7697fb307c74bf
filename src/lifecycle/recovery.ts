// Recovering a release stuck in pending-* (helm was killed mid-operation, or lost its connection), in
// the shape of Flux's helm-controller: classify the release first (pure), then act on the plan.
import type { ReleaseInfo, RevisionInfo } from '../helm/types.js';

export type RecoveryPlan =
  | { kind: 'none' }
  /** A first install never finished: nothing worth keeping, remove it. */
  | { kind: 'uninstall'; revision: number; reason: string }
  /** An upgrade or rollback never finished: return to the last good revision. */
  | { kind: 'rollback'; from: number; to: number; reason: string };

const GOOD: ReadonlySet<string> = new Set(['deployed', 'superseded']);

export function planRecovery(release: ReleaseInfo | undefined, history: readonly RevisionInfo[]): RecoveryPlan {
  if (!release) return { kind: 'none' };
  const { status, revision } = release;
  if (status === 'pending-install') {
    return { kind: 'uninstall', revision, reason: `revision ${revision} is stuck in pending-install` };
  }
  if (status !== 'pending-upgrade' && status !== 'pending-rollback') return { kind: 'none' };
  const earlier = history.filter((h) => h.revision < revision).sort((a, b) => b.revision - a.revision);
  const target = earlier.find((h) => GOOD.has(h.status)) ?? earlier[0];
  if (!target) return { kind: 'uninstall', revision, reason: `revision ${revision} is stuck in ${status} with no earlier revision` };
  return { kind: 'rollback', from: revision, to: target.revision, reason: `revision ${revision} is stuck in ${status}` };
}
