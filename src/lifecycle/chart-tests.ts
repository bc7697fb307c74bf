// The chart's own test hooks (`helm test`), run in validate once the workloads are ready. A failing
// test is not a failed check among others: it throws ChartTestFailedError, so the runner classifies it
// (chart-test-failed) and takes its remedy (rollback unless the chart's policy says otherwise).
import type { ChartSpec } from '../config/chart-spec.js';
import type { TestRequest } from '../helm/types.js';
import { releaseRef } from './requests.js';
import type { CheckResult, ChartPayload, PhaseContext } from './types.js';

/** The helm test request a spec asks for, or undefined when it runs no tests. Pure. */
export function chartTestRequest(spec: ChartSpec): TestRequest | undefined {
  if (spec.action === 'destroy' || spec.tests === undefined || spec.tests === false) return undefined;
  const options = spec.tests === true ? { filter: [] } : spec.tests;
  return { ...releaseRef(spec), timeoutSeconds: options.timeoutSeconds, filter: options.filter };
}

/** Runs the chart's tests when it asks for them; the passed run as a check, nothing when none ran. */
export async function runChartTests<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<CheckResult[]> {
  const request = chartTestRequest(ctx.spec);
  if (!request) return [];
  const run = await ctx.helm.test(request, { signal: ctx.signal });
  const passed = testsRun(run.output);
  const filter = request.filter.length ? ` (filter ${request.filter.join(' ')})` : '';
  return [{ name: 'chart-tests', ok: true, message: passed.length ? `passed: ${passed.join(', ')}${filter}` : `no test hooks ran${filter}` }];
}

/** The tests helm reports as run ("TEST SUITE: <name>", "None" when the chart has none). Pure. */
export function testsRun(output: string): string[] {
  return [...output.matchAll(/^\s*TEST SUITE:\s+(\S+)/gm)].map((m) => m[1]!).filter((name) => name !== 'None');
}
