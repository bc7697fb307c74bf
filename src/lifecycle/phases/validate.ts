// Default validate. Deploy: the release is `deployed`, every object of its manifest that a health rule
// judges (workloads, LoadBalancer Services, Ingresses, PVCs, custom resources...: health/) is healthy
// before the timeout, and the chart's own checks pass. Destroy:
// the release is gone, and only the checks that ask to run on destroy (`on: 'destroy' | 'both'`) run. "helm said deployed" is not enough: this is where pods that never came up show.
import { ValidationError } from '../../errors.js';
import { waitForReleaseHealth } from '../../health/release-health.js';
import { runChartTests } from '../chart-tests.js';
import { releaseRef } from '../requests.js';
import type { ChartSpec } from '../../config/chart-spec.js';
import type { ChartPayload, CheckResult, CustomCheck, PhaseContext } from '../types.js';

/** Whether a check runs after this action. Pure. */
export function checkRunsOn(check: Pick<CustomCheck, 'on'>, action: ChartSpec['action']): boolean {
  const on = check.on ?? 'deploy';
  return on === 'both' || on === action;
}

async function runCustomChecks<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of ctx.checks.filter((c) => checkRunsOn(c, ctx.spec.action))) {
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
  const release = await ctx.helm.status(ref, { signal: ctx.signal });
  const statusCheck: CheckResult = release?.status === 'deployed'
    ? { name: 'release', ok: true, message: `revision ${release.revision} deployed` }
    : { name: 'release', ok: false, message: `release status is ${release?.status ?? 'absent'}, not deployed` };
  if (!statusCheck.ok) return [statusCheck];
  const manifest = await ctx.helm.getManifest(ref, { signal: ctx.signal });
  const healthChecks = await waitForReleaseHealth(ctx.kube, manifest, { namespace: ctx.spec.namespace, timeoutMs: ctx.spec.timeoutSeconds * 1_000, signal: ctx.signal, custom: ctx.health });
  const checks = [statusCheck, ...healthChecks, ...(await runCustomChecks(ctx, payload))];
  // Tests only on a release that passed its checks: a test of unhealthy objects tells nothing new.
  return checks.every((c) => c.ok) ? [...checks, ...(await runChartTests(ctx))] : checks;
}

async function validateDestroy<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<CheckResult[]> {
  const release = await ctx.helm.status(releaseRef(ctx.spec), { signal: ctx.signal });
  const gone: CheckResult = !release || release.status === 'uninstalled'
    ? { name: 'release', ok: true, message: 'release is gone' }
    : { name: 'release', ok: false, message: `release still exists (status ${release.status})` };
  if (!gone.ok) return [gone];
  return [gone, ...(await runCustomChecks(ctx, payload))];
}

export async function validate<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P> {
  const checks = ctx.spec.action === 'destroy' ? await validateDestroy(ctx, payload) : await validateDeploy(ctx, payload);
  const failures = checks.filter((c) => !c.ok);
  if (failures.length > 0) throw new ValidationError(ctx.spec.name, failures);
  ctx.log(`${checks.length} checks passed`);
  return { ...payload, validate: { checks } };
}
