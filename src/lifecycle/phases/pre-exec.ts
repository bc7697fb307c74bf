// Default preExec: make the release deployable. A release stuck in pending-* (or, under Helm 3, left
// failed; see recovery.ts) is recovered (uninstalled or rolled back), and crash-looping pods of the
// chart's podSelector are deleted so that an upgrade is not held up waiting on them.
import { releaseRef } from '../requests.js';
import { planReleaseRecovery } from '../recovery.js';
import type { ChartPayload, PhaseContext, RecoveryAction } from '../types.js';

/** Recovers the release when planRecovery says it must be; exec reuses it between upgrade attempts. */
export async function recoverStuckRelease<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<RecoveryAction | undefined> {
  const ref = releaseRef(ctx.spec);
  const release = await ctx.helm.status(ref, { signal: ctx.signal });
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

export async function deleteCrashLoopingPods<P extends ChartPayload>(ctx: PhaseContext<P>, selector: string): Promise<string[]> {
  const pods = await ctx.kube.listPods(ctx.spec.namespace, selector);
  const crashing = pods.filter((pod) => pod.containers.some((c) => c.reason === 'CrashLoopBackOff'));
  for (const pod of crashing) {
    ctx.log(`deleting crash-looping pod ${pod.name}`);
    await ctx.kube.deletePod(ctx.spec.namespace, pod.name);
  }
  return crashing.map((pod) => pod.name);
}

export async function preExec<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P> {
  if (ctx.spec.action === 'destroy') {
    return { ...payload, preExec: { release: await ctx.helm.status(releaseRef(ctx.spec)), recovered: undefined, deletedPods: [] } };
  }
  const recovered = await recoverStuckRelease(ctx);
  const deletedPods = ctx.spec.podSelector ? await deleteCrashLoopingPods(ctx, ctx.spec.podSelector) : [];
  const release = await ctx.helm.status(releaseRef(ctx.spec), { signal: ctx.signal });
  return { ...payload, preExec: { release, recovered, deletedPods } };
}
