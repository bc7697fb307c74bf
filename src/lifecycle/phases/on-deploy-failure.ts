// Default onDeployFailure: gather what a person needs to understand the failure (the release's
// workloads that did not become ready while helm waited, as observed during the deploy, warning events,
// the release's unready pods with their reasons, the failing containers' last log lines), and put the
// failure in its class (with a failed hook's logs). It never throws: what cannot be collected is listed
// as a gap, and the original error stays the one reported. The runner then takes the class's remedy.
import { classifyFailure } from '../../failures/classify.js';
import { collectHookLogs } from '../../failures/hook-logs.js';
import { collectTestPods } from '../../failures/test-pods.js';
import { collectDiagnostics } from '../../kube/diagnostics.js';
import { parseManifest, podSelectorOf, workloadsOf } from '../../kube/manifest.js';
import { observationOf } from '../observe-deploy.js';
import { releaseRef } from '../requests.js';
import type { ChartPayload, PhaseContext } from '../types.js';

async function releasePodSelectors<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<string[]> {
  if (ctx.spec.podSelector) return [ctx.spec.podSelector];
  const manifest = await ctx.helm.getManifest(releaseRef(ctx.spec)).catch(() => '');
  const selectors = workloadsOf(parseManifest(manifest, ctx.spec.namespace))
    .map(podSelectorOf)
    .filter((s): s is string => s !== undefined);
  // Charts following the recommended labels mark their pods with the release name.
  return selectors.length > 0 ? [...new Set(selectors)] : [`app.kubernetes.io/instance=${ctx.spec.name}`];
}

export async function onDeployFailure<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P, error: unknown): Promise<P> {
  const podSelectors = await releasePodSelectors(ctx);
  // What exec saw while helm waited: after an atomic rollback it is all that is left of the failure.
  const observed = observationOf(error);
  const diagnostics = await collectDiagnostics(ctx.kube, { namespace: ctx.spec.namespace, podSelectors, observation: observed });
  const workloads = diagnostics.workloads ? `${diagnostics.workloads.length} workloads not ready while helm waited, ` : '';
  ctx.log(`collected diagnostics: ${workloads}${diagnostics.unreadyPods.length} unready pods, ${diagnostics.warnings.length} warning events`);
  const failure = classifyFailure(error, diagnostics);
  if (failure.class === 'hook-failure') failure.hookLogs = await collectHookLogs(ctx.kube, ctx.spec.namespace, failure.objects);
  if (failure.class === 'chart-test-failed') failure.testPods = await collectTestPods(ctx.kube, ctx.spec.namespace, failure.objects);
  return { ...payload, diagnostics, failure, ...(observed ? { observed } : {}) };
}
