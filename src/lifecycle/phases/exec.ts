// Default exec: observe → classify → act, as Flux's helm-controller does. Deploy: observe and classify
// the release, drift included, and decide (decide-release.ts, the same decision plan shows; its recovery
// is done by preExec before), then take the decided action (actions/): install, upgrade or drift repair
// (upgrade.ts, bounded retries), reinstall (reinstall.ts, then upgrade.ts and restore.ts), skip, or
// restore a backup an interrupted reinstall left (restore.ts). Destroy: decideDestroy, then uninstall
// (uninstall.ts), nothing when the release is already gone.
import { deleteDeclaredCrds } from '../declared-resources.js';
import { decideDestroy, explainDecision } from '../decide.js';
import { decideRelease } from '../decide-release.js';
import { releaseRef } from '../requests.js';
import { describeDrift } from '../../drift/detect.js';
import { validateRenderedObjects } from '../strict-validation.js';
import { clearForReinstall } from '../actions/reinstall.js';
import { restoreLeftBackup } from '../actions/restore.js';
import { uninstallRelease } from '../actions/uninstall.js';
import { upgradeWithRetries } from '../actions/upgrade.js';
import type { ChartPayload, ExecResult, PhaseContext } from '../types.js';

/** Past tense of each decided action: what exec reports. */
const OUTCOMES = { install: 'installed', upgrade: 'upgraded', reinstall: 'reinstalled', skip: 'skipped', unchanged: 'unchanged', restore: 'restored' } as const;

async function deploy<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<ExecResult> {
  const ref = releaseRef(ctx.spec);
  // preExec's view of the release holds for the first pass; a remedy's retry (after a failed exec or
  // validate) looks again, since the failed attempt changed the release.
  const firstPass = payload.preExec !== undefined && payload.exec === undefined && !payload.remedies?.length;
  const found = firstPass ? payload.preExec!.release : await ctx.helm.status(ref, { signal: ctx.signal });
  // The same observation and decision plan shows (decide-release.ts), drift included.
  const { decision, digest } = await decideRelease({
    helm: ctx.helm, kube: ctx.kube, spec: ctx.spec, transform: ctx.transform, found,
    targetVersion: payload.prerequisites?.chart.version,
    reinstallRequested: payload.reinstallRequested,
    recovered: firstPass && payload.preExec!.recovered !== undefined,
    // Only where drift decides (an unchanged release): the decision is plan's all the same.
    driftReading: 'in-sync',
    // Apply makes the namespace's digest key when missing; the run's masker knows every chart's secrets.
    createDigestKey: true,
    revealsSecret: ctx.masker?.reveals,
    options: { signal: ctx.signal },
  });
  const { action } = decision;
  const reason = explainDecision(decision);
  const drift = decision.repairsDrift ? [...decision.repairsDrift] : undefined;
  ctx.log(`${action}: ${reason}`);
  // Recovering is preExec's work (and the unlock-retry remedy's), not exec's: a release still locked here
  // fails the upgrade as stuck-release, whose remedy unlocks it; and a remedy's retry must not roll back
  // what the remedy just prepared (recreate-retry after a failed Helm 3 upgrade would get the old objects back).
  if (action === 'skip' || action === 'unchanged') return { outcome: OUTCOMES[action], release: found, attempts: 0, reason };
  // Every other action changes the release: a chart that deferred its lease takes it now (and starts
  // again from preExec when the release moved meanwhile).
  await ctx.claimLease?.();
  if (action === 'restore') {
    const restored = await restoreLeftBackup(ctx);
    return { outcome: OUTCOMES[action], release: found, attempts: 0, reason, restored };
  }
  // Before anything changes (the reinstall's uninstall included): helm's own schema check is off.
  await validateRenderedObjects(ctx);
  // The copy is in the cluster before anything is deleted; it stays there until the restore succeeds.
  if (action === 'reinstall') await clearForReinstall(ctx);
  // A storage migration rewrote the release's own custom resources, and the API server then gave their
  // fields to "before-first-apply": Helm 4's apply must take them back, as after a hand edit (drift).
  const takeBackFields = drift !== undefined || (payload.preExec?.crdsMigrated?.length ?? 0) > 0;
  const { release, attempts } = await upgradeWithRetries(ctx, digest, takeBackFields);
  ctx.log(`${OUTCOMES[action]}: revision ${release.revision}, chart ${release.chartName} ${release.chartVersion}`);
  if (drift) ctx.log(`repaired drift: ${describeDrift(drift)}`);
  // The reinstall's own backup, or one an interrupted run left between its uninstall and restore.
  const restored = await restoreLeftBackup(ctx);
  return { outcome: OUTCOMES[action], release, attempts, reason, restored, ...(drift ? { repairedDrift: drift } : {}) };
}

async function destroy<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<ExecResult> {
  const ref = releaseRef(ctx.spec);
  const decision = decideDestroy(payload.preExec ? payload.preExec.release : await ctx.helm.status(ref, { signal: ctx.signal }));
  ctx.log(decision.reason);
  if (!decision.installed) {
    // CRDs outlive a release that is already gone (a destroy interrupted after the uninstall).
    const crdsDeleted = await deleteDeclaredCrds(ctx, payload);
    return { outcome: 'absent', release: undefined, attempts: 0, reason: decision.reason, crdsDeleted };
  }
  await uninstallRelease(ctx);
  ctx.log(`uninstalled (was revision ${decision.installed.revision}, chart ${decision.installed.chartVersion})`);
  const crdsDeleted = await deleteDeclaredCrds(ctx, payload);
  return { outcome: 'uninstalled', release: undefined, attempts: 1, reason: decision.reason, crdsDeleted };
}

export async function exec<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P> {
  const result = ctx.spec.action === 'destroy' ? await destroy(ctx, payload) : await deploy(ctx, payload);
  return { ...payload, exec: result };
}
