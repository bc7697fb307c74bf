// Default exec. Deploy: reinstall when the installed chart predates the last breaking version, skip when
// asked to and already installed, otherwise `helm upgrade --install` with bounded retries. Destroy:
// uninstall, a no-op when the release is already gone.
import { setTimeout as sleep } from 'node:timers/promises';
import semver from 'semver';
import { HelmCancelledError, RenderError } from '../../helm/errors.js';
import type { ReleaseInfo } from '../../helm/types.js';
import { computeReleaseDigest, DIGEST_LABEL } from '../digest.js';
import { backupDeclared, deleteDeclaredCrds, restorePendingBackup } from '../declared-resources.js';
import { deployedWithDigest } from '../release-labels.js';
import { releaseRef, upgradeRequest } from '../requests.js';
import { observeDeploy } from '../observe-deploy.js';
import { recoverStuckRelease } from '../recovery.js';
import type { ChartPayload, ExecResult, PhaseContext } from '../types.js';

/** Why a release must be reinstalled, or undefined. Pure. */
export function breakingReinstallReason(installed: ReleaseInfo | undefined, lastBreaking: string | undefined, targetVersion: string | undefined): string | undefined {
  if (!installed || !lastBreaking) return undefined;
  const current = semver.valid(semver.coerce(installed.chartVersion));
  if (!current || !semver.lt(current, lastBreaking)) return undefined;
  // Going to a version that is itself older than the breaking one needs no reinstall.
  const target = targetVersion ? semver.valid(semver.coerce(targetVersion)) : undefined;
  if (target && semver.lt(target, lastBreaking)) return undefined;
  return `installed chart ${installed.chartVersion} is older than the last breaking version ${lastBreaking}`;
}

/** Failures that another attempt cannot fix. */
function isRetryable(error: unknown): boolean {
  return !(error instanceof RenderError || error instanceof HelmCancelledError);
}

async function upgradeWithRetries<P extends ChartPayload>(ctx: PhaseContext<P>, digest: string): Promise<{ release: ReleaseInfo; attempts: number }> {
  const { attempts, delayMs } = ctx.spec.upgradeRetry;
  const request = upgradeRequest(ctx.spec);
  request.options.labels = { ...request.options.labels, [DIGEST_LABEL]: digest };
  for (let attempt = 1; ; attempt++) {
    try {
      const release = await observeDeploy(ctx, () => ctx.helm.upgradeInstall(request, { signal: ctx.signal }));
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

async function deploy<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<ExecResult> {
  const ref = releaseRef(ctx.spec);
  const installed = payload.preExec ? payload.preExec.release : await ctx.helm.status(ref, { signal: ctx.signal });
  const present = installed && installed.status !== 'uninstalled' ? installed : undefined;

  if (ctx.spec.skipIfAlreadyInstalled && present?.status === 'deployed') {
    ctx.log(`already installed (revision ${present.revision}, chart ${present.chartVersion}); skipping`);
    return { outcome: 'skipped', release: present, attempts: 0, reason: 'skipIfAlreadyInstalled and the release is deployed' };
  }

  const reinstall = (present && payload.reinstallRequested) || breakingReinstallReason(present, ctx.spec.lastBreakingVersionRequiringRestart, payload.prerequisites?.chart.version);
  if (reinstall) {
    ctx.log(`${reinstall}: uninstalling revision ${present?.revision} and installing anew`, 'warn');
    // The copy is in the cluster before anything is deleted; it stays there until the restore succeeds.
    await backupDeclared(ctx);
    await ctx.helm.uninstall({ ...ref, wait: true, timeoutSeconds: ctx.spec.timeoutSeconds }, { signal: ctx.signal });
  }
  const digest = await computeReleaseDigest(ctx.spec, payload.prerequisites?.chart.version || ctx.spec.version || '');
  if (!reinstall && ctx.spec.skipUnchanged && present && (await deployedWithDigest(ctx.kube, present, digest))) {
    ctx.log(`unchanged since revision ${present.revision} (digest ${digest.slice(0, 12)}); not upgrading`);
    return { outcome: 'unchanged', release: present, attempts: 0, reason: 'chart version, values and spec match the deployed revision' };
  }
  const { release, attempts } = await upgradeWithRetries(ctx, digest);
  const outcome = reinstall ? 'reinstalled' : present ? 'upgraded' : 'installed';
  ctx.log(`${outcome}: revision ${release.revision}, chart ${release.chartName} ${release.chartVersion}`);
  // Also restores a backup that a run interrupted between uninstall and restore left behind.
  const restored = await restorePendingBackup(ctx);
  return { outcome, release, attempts, reason: reinstall, restored };
}

async function destroy<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<ExecResult> {
  const ref = releaseRef(ctx.spec);
  const installed = payload.preExec ? payload.preExec.release : await ctx.helm.status(ref, { signal: ctx.signal });
  if (!installed || installed.status === 'uninstalled') {
    ctx.log('release is not installed; nothing to destroy');
    // CRDs outlive a release that is already gone (a destroy interrupted after the uninstall).
    const crdsDeleted = await deleteDeclaredCrds(ctx, payload);
    return { outcome: 'absent', release: undefined, attempts: 0, reason: 'no such release', crdsDeleted };
  }
  await ctx.helm.uninstall({ ...ref, wait: ctx.spec.wait, timeoutSeconds: ctx.spec.timeoutSeconds }, { signal: ctx.signal });
  ctx.log(`uninstalled (was revision ${installed.revision}, chart ${installed.chartVersion})`);
  const crdsDeleted = await deleteDeclaredCrds(ctx, payload);
  return { outcome: 'uninstalled', release: undefined, attempts: 1, reason: undefined, crdsDeleted };
}

export async function exec<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P> {
  const result = ctx.spec.action === 'destroy' ? await destroy(ctx, payload) : await deploy(ctx, payload);
  return { ...payload, exec: result };
}
