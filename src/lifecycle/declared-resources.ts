// What the spec's adopt, crds and backup options ask of the toolkit, for the default phases. Each step
// logs what it did, in words, as an event of the phase that runs it. The CRD steps live in declared-crds.ts.
import { resolveRef } from '../kube/manifest.js';
import { adoptResources, type AdoptResult } from '../toolkit/ownership.js';
import { backupResources, restoreBackup } from '../toolkit/backup.js';
import type { ChartPayload, PhaseContext } from './types.js';

export { applyDeclaredCrds, checkDeclaredCrdsDeletable, deleteDeclaredCrds } from './declared-crds.js';

/** A spec's resource reference with its namespace filled in (kube/manifest.ts). Pure. */
export { resolveRef };

function owner<P extends ChartPayload>(ctx: PhaseContext<P>) {
  return { release: ctx.spec.name, namespace: ctx.spec.namespace };
}

export async function adoptDeclared<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<AdoptResult | undefined> {
  if (ctx.spec.adopt.length === 0) return undefined;
  const result = await adoptResources(ctx.kube, owner(ctx), ctx.spec.adopt.map((ref) => resolveRef(ref, ctx.spec.namespace)));
  if (result.adopted.length > 0) ctx.log(`adopted for the release: ${result.adopted.join(', ')}`);
  if (result.missing.length > 0) ctx.log(`nothing to adopt (not found): ${result.missing.join(', ')}`);
  return result;
}

/** Saves the spec's backup objects before a reinstall (keeping a backup an interrupted run left). */
export async function backupDeclared<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<void> {
  if (ctx.spec.backup.length === 0) return;
  const summary = await backupResources(ctx.kube, owner(ctx), ctx.spec.backup.map((ref) => resolveRef(ref, ctx.spec.namespace)));
  if (summary.existing) ctx.log(`keeping the backup an interrupted run left (${summary.saved.join(', ')})`, 'warn');
  else ctx.log(`backed up ${summary.saved.join(', ') || 'nothing'}${summary.missing.length ? `; not found: ${summary.missing.join(', ')}` : ''}`);
}

/** Restores a backup of this release when one is in the cluster (from this run or an interrupted one). */
export async function restorePendingBackup<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<string[] | undefined> {
  const restored = await restoreBackup(ctx.kube, owner(ctx));
  if (restored) ctx.log(`restored from backup: ${restored.join(', ')}`);
  return restored;
}
