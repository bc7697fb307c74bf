// Read-only views of a stack: plan every chart, or report each release's status and health.
import type { HelmClient } from '../helm/types.js';
import { releaseHealthNow } from '../health/release-health.js';
import { withRecentReads } from '../kube/recent-reads.js';
import type { KubeClient } from '../kube/types.js';
import { leaseHolder } from '../lease/lease-view.js';
import { chartSpecOf, runSpecOf } from './chart-spec-of.js';
import { crdPredictions } from '../failures/preflight.js';
import { planChart, type ChartPlan, type PlanOptions } from './plan.js';
import type { ResolvedChart } from './types.js';

/** Runs `fn` over the items, at most `limit` at a time, keeping their order in the result. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** Every chart a chart needs, directly or through others. Pure. */
export function ancestorsOf(charts: readonly ResolvedChart[], name: string): Set<string> {
  const byName = new Map(charts.map((c) => [c.name, c]));
  const seen = new Set<string>();
  const visit = (chart: string) => {
    for (const need of byName.get(chart)?.needs ?? []) {
      if (!seen.has(need)) {
        seen.add(need);
        visit(need);
      }
    }
  };
  visit(name);
  return seen;
}

/** Plans every chart, then adds what only the stack can tell: kinds whose CRD nothing installs first. */
export async function planCharts(charts: readonly ResolvedChart[], options: PlanOptions & { concurrency: number }): Promise<ChartPlan[]> {
  // One view of the cluster for the whole plan: each namespace's release records read once, and its
  // objects, backups and leases from a recent list where many charts read them (recent-reads.ts).
  const run = { ...options, helm: options.helm.forRun(), kube: withRecentReads(options.kube) };
  const plans = await mapLimit(charts, options.concurrency, (chart) => planChart(chart, run)).finally(() => run.helm.endRun());
  const missing = crdPredictions(
    charts.map((chart, i) => ({
      chart: chart.name,
      spec: runSpecOf(chart, options),
      ancestors: ancestorsOf(charts, chart.name),
      providedCrds: plans[i]!.providedCrds,
      unservedKinds: plans[i]!.unservedKinds,
    })),
  );
  return plans.map((plan) => ({ ...plan, predictions: [...plan.predictions, ...(missing.get(plan.chart) ?? [])] }));
}

export interface ChartStatus {
  chart: string;
  namespace: string;
  revision: number | undefined;
  status: string;
  chartVersion: string | undefined;
  /**
   * ready: deployed, and every object of its manifest healthy by the rules validate waits on (health/,
   * with the chart's own health functions); degraded: installed but not deployed, or an object not
   * healthy (progressing, degraded or unknown); not-installed: no release.
   */
  health: 'ready' | 'degraded' | 'not-installed';
  /** `Kind/name: why`, one line per object that is not healthy. */
  unready: string[];
  /** The run that holds the release's lease now (it is being changed), if any. */
  heldBy?: string | undefined;
}

/** chartStatus of each chart, `concurrency` at a time, leases read from recent lists where many charts read them. */
export function chartStatuses(charts: readonly ResolvedChart[], clients: { helm: HelmClient; kube: KubeClient }, concurrency: number): Promise<ChartStatus[]> {
  const reading = { helm: clients.helm, kube: withRecentReads(clients.kube) };
  return mapLimit(charts, concurrency, (chart) => chartStatus(chart, reading));
}

export async function chartStatus(chart: ResolvedChart, clients: { helm: HelmClient; kube: KubeClient }): Promise<ChartStatus> {
  const status = await releaseStatus(chart, clients);
  const heldBy = await leaseHolder(clients.kube, status.chart, status.namespace);
  return heldBy ? { ...status, heldBy } : status;
}

async function releaseStatus(chart: ResolvedChart, clients: { helm: HelmClient; kube: KubeClient }): Promise<ChartStatus> {
  const spec = chartSpecOf(chart.definition, chart.file);
  const ref = { release: spec.name, namespace: spec.namespace };
  const release = await clients.helm.status(ref);
  // A release uninstalled with --keep-history is as absent as one never installed: apply installs it.
  if (!release || release.status === 'uninstalled') {
    return { chart: spec.name, namespace: spec.namespace, revision: undefined, status: 'not installed', chartVersion: undefined, health: 'not-installed', unready: [] };
  }
  // Every kind judged as validate judges it, the chart's own health functions included (a TS config's).
  const objects = await releaseHealthNow(clients.kube, await clients.helm.getManifest(ref), { namespace: spec.namespace, custom: chart.definition.health });
  const unready = objects.filter((o) => !o.ok).map((o) => `${o.name}: ${o.message}`);
  const health = release.status === 'deployed' && unready.length === 0 ? 'ready' : 'degraded';
  return { chart: spec.name, namespace: spec.namespace, revision: release.revision, status: release.status, chartVersion: release.chartVersion, health, unready };
}
