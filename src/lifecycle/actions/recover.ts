// The recover action: a release planRecovery finds stuck (pending-*, or under Helm 3 failed with a good
// revision before it) is uninstalled or rolled back, once nobody can still be carrying its operation
// out. preExec runs it, the upgrade action between attempts, and the unlock-retry remedy.
import { awaitRecoverable } from '../../lease/await-recoverable.js';
import type { ReleaseInfo } from '../../helm/types.js';
import { planReleaseRecovery } from '../recovery.js';
import { releaseRef } from '../requests.js';
import type { ChartPayload, PhaseContext, RecoveryAction } from '../types.js';

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
