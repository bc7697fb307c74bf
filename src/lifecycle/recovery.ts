// Recovering a release stuck in pending-* (helm was killed mid-operation, or lost its connection), in
// the shape of Flux's helm-controller: classify the release first (pure), then act on the plan.
//
// A release whose latest revision *failed* is also recovered under Helm 3: its upgrade computes a
// three-way merge against the last *deployed* revision, so fields that the failed revision added to live
// objects (and that neither revision declares) would silently stay. Rolling back first makes the next
// upgrade start from what the cluster really runs. Helm 4 applies server-side, which removes them itself.
import type { CallOptions, HelmClient, HelmMajor, ReleaseInfo, RevisionInfo } from '../helm/types.js';
import { awaitRecoverable } from '../lease/await-recoverable.js';
import { releaseRef } from './requests.js';
import type { ChartPayload, PhaseContext, RecoveryAction } from './types.js';

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

/** Recovers the release when planRecovery says it must be: preExec runs it, exec between upgrade attempts, and the unlock-retry remedy. */
export async function recoverStuckRelease<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<RecoveryAction | undefined> {
  const ref = releaseRef(ctx.spec);
  const release = await recoverableRelease(ctx, await ctx.helm.status(ref, { signal: ctx.signal }));
  const plan = await planReleaseRecovery(ctx.helm, release, { signal: ctx.signal });
  const timeoutSeconds = ctx.spec.timeoutSeconds;
  switch (plan.kind) {
    case 'none':
      return undefined;
    case 'uninstall':
      ctx.log(`${plan.reason}: uninstalling it`, 'warn');
      await ctx.helm.uninstall({ ...ref, wait: true, timeoutSeconds }, { signal: ctx.signal });
      return { kind: 'uninstalled-pending-install', revision: plan.revision };
    case 'rollback':
      ctx.log(`${plan.reason}: rolling back to revision ${plan.to}`, 'warn');
      await ctx.helm.rollback({ ...ref, revision: plan.to, wait: false, timeoutSeconds }, { signal: ctx.signal });
      // A rollback plan is only made for a release that was found.
      return { kind: 'rolled-back', from: plan.from, to: plan.to, status: release!.status };
  }
}

/**
 * A pending release is recovered only once nobody can still be carrying its operation out: not while a
 * live run holds it (this run holds the lease, so only a dead one's or another tool's can be left), not
 * while a helm of it still runs on this machine, and for one another machine or tool left, not before
 * helm's own deadline has passed. Until then this waits (within --lock-timeout), and returns the
 * release as it is when the wait ends: still pending (recover it) or settled (decide afresh).
 */
async function recoverableRelease<P extends ChartPayload>(ctx: PhaseContext<P>, release: ReleaseInfo | undefined): Promise<ReleaseInfo | undefined> {
  if (!ctx.lease || !release?.status.startsWith('pending-')) return release;
  const outcome = await awaitRecoverable({
    release,
    previous: ctx.lease.previous,
    self: ctx.lease.self,
    timeoutSeconds: ctx.spec.timeoutSeconds,
    lockTimeoutMs: ctx.lease.lockTimeoutMs,
    readRelease: async () => {
      await ctx.helm.reread(releaseRef(ctx.spec));
      return ctx.helm.status(releaseRef(ctx.spec), { signal: ctx.signal });
    },
    log: (message) => ctx.log(message, 'warn'),
    signal: ctx.signal,
  });
  if (outcome.kind === 'recover') ctx.log(outcome.reason);
  return outcome.release;
}
