// `apply --strict-values`: before anything changes, every chart apply would install or upgrade has its
// values checked (values-check.ts) on the same decision plan makes (plan-decision.ts); a chart with a
// value it does not read is refused (unused-values, the class plan predicts), and then no chart runs.
// Charts apply would skip are neither pulled nor rendered. Reads only.
import { withRecentReads } from '../kube/recent-reads.js';
import { UnusedValuesError } from '../values/errors.js';
import { mapLimit } from './inspect.js';
import { decideChart, type PlanOptions } from './plan-decision.js';
import type { ResolvedChart } from './types.js';
import { checkValues } from './values-check.js';

const DEPLOYS: ReadonlySet<string> = new Set(['install', 'upgrade', 'reinstall']);

export async function strictValuesRefusals(charts: readonly ResolvedChart[], options: PlanOptions & { concurrency: number }): Promise<UnusedValuesError[]> {
  const run = { ...options, helm: options.helm.forRun(), kube: withRecentReads(options.kube) };
  const refusals = await mapLimit(charts, options.concurrency, async (chart) => {
    const decided = await decideChart(chart, run);
    if (!decided.deploy || !DEPLOYS.has(decided.deploy)) return undefined;
    const present = decided.found && decided.found.status !== 'uninstalled' ? decided.found : undefined;
    const { findings } = await checkValues({ spec: decided.spec, helm: run.helm, kube: run.kube, installedVersion: present?.chartVersion, targetVersion: decided.targetVersion, options: { signal: options.signal } });
    return findings.length ? new UnusedValuesError(chart.name, findings) : undefined;
  }).finally(() => run.helm.endRun());
  return refusals.filter((r): r is UnusedValuesError => r !== undefined);
}
