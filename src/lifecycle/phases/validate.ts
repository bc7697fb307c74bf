// Default validate. Deploy: the release is `deployed`, every Deployment, StatefulSet, DaemonSet and Job
// in its manifest is ready or complete before the timeout, and the chart's own checks pass. Destroy:
// the release is gone. "helm said deployed" is not enough: this is where pods that never came up show.
import { setTimeout as sleep } from 'node:timers/promises';
import { ValidationError } from '../../errors.js';
import { parseManifest, refOf, workloadsOf } from '../../kube/manifest.js';
import { workloadReadiness, type Readiness } from '../../kube/readiness.js';
import type { KubeClient, KubeObject } from '../../kube/types.js';
import { releaseRef } from '../requests.js';
import type { ChartPayload, CheckResult, PhaseContext } from '../types.js';

const POLL_MS = 1_000;

function label(object: KubeObject): string {
  return `${object.kind}/${object.metadata.name}`;
}

/** A workload's readiness as the cluster has it now. */
export async function liveReadiness(kube: KubeClient, workload: KubeObject): Promise<Readiness> {
  const live = await kube.getObject(refOf(workload));
  return live ? workloadReadiness(live) : { ready: false, failed: false, message: 'not found in the cluster' };
}

/** Polls every workload until all are ready, one fails, or the deadline passes. */
export async function waitForWorkloads<P extends ChartPayload>(ctx: PhaseContext<P>, workloads: readonly KubeObject[], deadline: number): Promise<CheckResult[]> {
  const results = new Map<string, CheckResult>();
  let pending = [...workloads];
  for (;;) {
    const still: KubeObject[] = [];
    for (const workload of pending) {
      const readiness = await liveReadiness(ctx.kube, workload);
      results.set(label(workload), { name: label(workload), ok: readiness.ready, message: readiness.message });
      if (!readiness.ready && !readiness.failed) still.push(workload);
    }
    pending = still;
    if (pending.length === 0 || Date.now() >= deadline) break;
    await sleep(POLL_MS, undefined, { signal: ctx.signal });
  }
  return [...results.values()].map((r) =>
    !r.ok && pending.some((w) => label(w) === r.name) ? { ...r, message: `not ready before the timeout: ${r.message}` } : r,
  );
}

async function runCustomChecks<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of ctx.checks) {
    try {
      const failure = await check.run(ctx, payload);
      results.push(failure ? { name: check.name, ok: false, message: failure } : { name: check.name, ok: true, message: 'passed' });
    } catch (error) {
      results.push({ name: check.name, ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}

async function validateDeploy<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<CheckResult[]> {
  const ref = releaseRef(ctx.spec);
  const deadline = Date.now() + ctx.spec.timeoutSeconds * 1_000;
  const release = await ctx.helm.status(ref, { signal: ctx.signal });
  const statusCheck: CheckResult = release?.status === 'deployed'
    ? { name: 'release', ok: true, message: `revision ${release.revision} deployed` }
    : { name: 'release', ok: false, message: `release status is ${release?.status ?? 'absent'}, not deployed` };
  if (!statusCheck.ok) return [statusCheck];
  const workloads = workloadsOf(parseManifest(await ctx.helm.getManifest(ref, { signal: ctx.signal }), ctx.spec.namespace));
  const workloadChecks = await waitForWorkloads(ctx, workloads, deadline);
  return [statusCheck, ...workloadChecks, ...(await runCustomChecks(ctx, payload))];
}

async function validateDestroy<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<CheckResult[]> {
  const release = await ctx.helm.status(releaseRef(ctx.spec), { signal: ctx.signal });
  const gone: CheckResult = !release || release.status === 'uninstalled'
    ? { name: 'release', ok: true, message: 'release is gone' }
    : { name: 'release', ok: false, message: `release still exists (status ${release.status})` };
  return [gone, ...(await runCustomChecks(ctx, payload))];
}

export async function validate<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P> {
  const checks = ctx.spec.action === 'destroy' ? await validateDestroy(ctx, payload) : await validateDeploy(ctx, payload);
  const failures = checks.filter((c) => !c.ok);
  if (failures.length > 0) throw new ValidationError(ctx.spec.name, failures);
  ctx.log(`${checks.length} checks passed`);
  return { ...payload, validate: { checks } };
}
