// Default exec. Deploy: observe and classify the release, drift included, and decide (decide-release.ts,
// the same decision plan shows; its recovery is done by preExec before), then act: install/upgrade with
// bounded retries (an upgrade that repairs drift takes the drifted fields back), reinstall (backup,
// uninstall, install, restore), skip, or restore a backup an interrupted reinstall left. Destroy:
// decideDestroy, then uninstall, a no-op when the release is already gone.
import { setTimeout as sleep } from 'node:timers/promises';
import { HelmCancelledError, RenderError } from '../../helm/errors.js';
import type { ReleaseInfo } from '../../helm/types.js';
import { DIGEST_LABEL } from '../digest.js';
import { backupDeclared, deleteDeclaredCrds, restorePendingBackup } from '../declared-resources.js';
import { decideDestroy, explainDecision } from '../decide.js';
import { decideRelease } from '../decide-release.js';
import { releaseRef, upgradeRequest } from '../requests.js';
import { describeDrift } from '../../drift/detect.js';
import { observeDeploy } from '../observe-deploy.js';
import { postRendererFor, TransformError } from '../transform.js';
import { recoverStuckRelease } from '../recovery.js';
import { validateRenderedObjects } from '../strict-validation.js';
import type { ChartPayload, ExecResult, PhaseContext } from '../types.js';

/** Failures that another attempt cannot fix. */
function isRetryable(error: unknown): boolean {
  return !(error instanceof RenderError || error instanceof HelmCancelledError || error instanceof TransformError);
}

async function upgradeWithRetries<P extends ChartPayload>(ctx: PhaseContext<P>, digest: string, repairingDrift = false): Promise<{ release: ReleaseInfo; attempts: number }> {
  const { attempts, delayMs } = ctx.spec.upgradeRetry;
  const request = { ...upgradeRequest(ctx.spec), postRender: postRendererFor(ctx.spec, ctx.transform, ctx.log) };
  request.options.labels = { ...request.options.labels, [DIGEST_LABEL]: digest };
  // A hand edit made its author (kubectl, kubectl-patch) the owner of the drifted fields: Helm 4's
  // server-side apply refuses to take them back without --force-conflicts (Helm 3's patch has no owners).
  if (repairingDrift) request.options.forceConflicts = true;
  for (let attempt = 1; ; attempt++) {
    try {
      const release = await observeDeploy(ctx, (options) => ctx.helm.upgradeInstall(request, options));
      return { release, attempts: attempt };
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error) || ctx.signal.aborted) throw error;
      ctx.log(`attempt ${attempt} of ${attempts} failed (${(error as Error).message}); retrying in ${delayMs} ms, ${attempts - attempt} left`, 'warn');
      await sleep(delayMs, undefined, { signal: ctx.signal });
      // A failed attempt can leave the release pending (killed mid-way) or, under Helm 3, failed with
      // drift; recover it before retrying.
      await recoverStuckRelease(ctx);
    }
  }
}

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
    const restored = await restorePendingBackup(ctx);
    return { outcome: OUTCOMES[action], release: found, attempts: 0, reason, restored };
  }
  // Before anything changes (the reinstall's uninstall included): helm's own schema check is off.
  await validateRenderedObjects(ctx);
  if (action === 'reinstall') {
    // The copy is in the cluster before anything is deleted; it stays there until the restore succeeds.
    await backupDeclared(ctx);
    await ctx.helm.uninstall({ ...ref, wait: true, timeoutSeconds: ctx.spec.timeoutSeconds }, { signal: ctx.signal });
  }
  const { release, attempts } = await upgradeWithRetries(ctx, digest, drift !== undefined);
  ctx.log(`${OUTCOMES[action]}: revision ${release.revision}, chart ${release.chartName} ${release.chartVersion}`);
  if (drift) ctx.log(`repaired drift: ${describeDrift(drift)}`);
  // The reinstall's own backup, or one an interrupted run left between its uninstall and restore.
  const restored = await restorePendingBackup(ctx);
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
  await ctx.helm.uninstall({ ...ref, wait: ctx.spec.wait, timeoutSeconds: ctx.spec.timeoutSeconds }, { signal: ctx.signal });
  ctx.log(`uninstalled (was revision ${decision.installed.revision}, chart ${decision.installed.chartVersion})`);
  const crdsDeleted = await deleteDeclaredCrds(ctx, payload);
  return { outcome: 'uninstalled', release: undefined, attempts: 1, reason: decision.reason, crdsDeleted };
}

export async function exec<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P> {
  const result = ctx.spec.action === 'destroy' ? await destroy(ctx, payload) : await deploy(ctx, payload);
  return { ...payload, exec: result };
}
