// Default preExec: make the release deployable. A release stuck in pending-* (or, under Helm 3, left
// failed; see recovery.ts) is recovered (uninstalled or rolled back); the objects the spec lists under
// `adopt` are handed to the release; the chart's CRDs are applied when `crds` asks; and crash-looping
// pods of the chart's podSelector are deleted so that an upgrade is not held up waiting on them.
import { deleteCrashLoopingPods } from '../../toolkit/pods.js';
import { adoptDeclared, applyDeclaredCrds, checkDeclaredCrdsDeletable } from '../declared-resources.js';
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

export async function preExec<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P> {
  if (ctx.spec.action === 'destroy') {
    await checkDeclaredCrdsDeletable(ctx);
    const release = await ctx.helm.status(releaseRef(ctx.spec), { signal: ctx.signal });
    return { ...payload, preExec: { release, recovered: undefined, deletedPods: [], adopted: undefined, crdsApplied: [] } };
  }
  const recovered = await recoverStuckRelease(ctx);
  const adopted = await adoptDeclared(ctx);
  // CRDs first: the templates of the new chart version may use kinds only its new CRDs serve.
  const crdsApplied = await applyDeclaredCrds(ctx);
  const deletedPods = ctx.spec.podSelector ? await deleteCrashLoopingPods(ctx.kube, ctx.spec.namespace, ctx.spec.podSelector) : [];
  for (const pod of deletedPods) ctx.log(`deleted crash-looping pod ${pod}`);
  const release = await ctx.helm.status(releaseRef(ctx.spec), { signal: ctx.signal });
  return { ...payload, preExec: { release, recovered, deletedPods, adopted, crdsApplied } };
}
