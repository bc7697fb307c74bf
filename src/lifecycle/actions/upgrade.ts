// Install, upgrade and drift repair: one action, since helm does all three with `upgrade --install`
// (the decision names which; the request differs only in a repair's --force-conflicts). Bounded retries
// (spec.upgradeRetry): a failed attempt can leave the release pending or, under Helm 3, failed with
// drift, so it is recovered before the next.
import { setTimeout as sleep } from 'node:timers/promises';
import { HelmCancelledError, RenderError } from '../../helm/errors.js';
import type { ReleaseInfo } from '../../helm/types.js';
import { DIGEST_LABEL } from '../digest.js';
import { observeDeploy } from '../observe-deploy.js';
import { upgradeRequest } from '../requests.js';
import { postRendererFor, TransformError } from '../transform.js';
import type { ChartPayload, PhaseContext } from '../types.js';
import { recoverStuckRelease } from './recover.js';

/** Failures that another attempt cannot fix. */
function isRetryable(error: unknown): boolean {
  return !(error instanceof RenderError || error instanceof HelmCancelledError || error instanceof TransformError);
}

export async function upgradeWithRetries<P extends ChartPayload>(ctx: PhaseContext<P>, digest: string, takeBackFields = false): Promise<{ release: ReleaseInfo; attempts: number }> {
  const { attempts, delayMs } = ctx.spec.upgradeRetry;
  const request = { ...upgradeRequest(ctx.spec), postRender: postRendererFor(ctx.spec, ctx.transform, ctx.log) };
  request.options.labels = { ...request.options.labels, [DIGEST_LABEL]: digest };
  // A hand edit made its author (kubectl, kubectl-patch) the owner of the drifted fields, and a storage
  // migration leaves them to "before-first-apply": Helm 4's server-side apply refuses to take them back
  // without --force-conflicts (Helm 3's patch has no owners).
  if (takeBackFields) request.options.forceConflicts = true;
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
