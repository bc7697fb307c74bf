// Default preExec: make the release deployable. A release stuck in pending-* (or, under Helm 3, left
// failed; see recovery.ts) is recovered (uninstalled or rolled back); the objects the spec lists under
// `adopt` are handed to the release; the chart's CRDs are applied when `crds` asks; and crash-looping
// pods of the chart's podSelector are deleted so that an upgrade is not held up waiting on them.
import { deleteCrashLoopingPods } from '../../toolkit/pods.js';
import { adoptDeclared, applyDeclaredCrds, checkDeclaredCrdsDeletable } from '../declared-resources.js';
import { releaseRef } from '../requests.js';
import { recoverStuckRelease } from '../actions/recover.js';
import type { ChartPayload, PhaseContext } from '../types.js';

export async function preExec<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P> {
  if (ctx.spec.action === 'destroy') {
    const release = await ctx.helm.status(releaseRef(ctx.spec), { signal: ctx.signal });
    const crdsToDelete = await checkDeclaredCrdsDeletable(ctx, release);
    return { ...payload, preExec: { release, recovered: undefined, deletedPods: [], adopted: undefined, crdsApplied: [], crdsToDelete } };
  }
  const recovered = await recoverStuckRelease(ctx);
  const adopted = await adoptDeclared(ctx);
  // CRDs first: the templates of the new chart version may use kinds only its new CRDs serve.
  const { names: crdsApplied, migrated: crdsMigrated } = await applyDeclaredCrds(ctx);
  const deletedPods = ctx.spec.podSelector ? await deleteCrashLoopingPods(ctx.kube, ctx.spec.namespace, ctx.spec.podSelector) : [];
  for (const pod of deletedPods) ctx.log(`deleted crash-looping pod ${pod}`);
  const release = await ctx.helm.status(releaseRef(ctx.spec), { signal: ctx.signal });
  return { ...payload, preExec: { release, recovered, deletedPods, adopted, crdsApplied, ...(crdsMigrated.length > 0 ? { crdsMigrated } : {}) } };
}
