// The saved plan (`plan --out FILE`, `apply FILE`): each chart's decision and the inputs it was decided
// on, and the checks that tell whether those inputs still hold. A saved plan is applied only as long as
// the config it was made from and the releases it saw are what they were; otherwise it is stale and
// apply refuses before changing anything (see docs/saved-plans.md). Pure.
//
// The file holds no secret: reasons come masked from planChart, and the inputs are fingerprints
// (plan-inputs.ts), never values.
import { z } from 'zod';
import { HelmcycleError, StackConfigError } from '../errors.js';
import type { ChartPlan } from './plan.js';

export const PLAN_FILE_FORMAT = 'helmcycle-plan';
export const PLAN_FILE_VERSION = 1;

/** A release as plan saw it; null when there was none (never installed, or uninstalled). */
export type SeenRelease = { revision: number; status: string } | null;

const seenRelease = z.object({ revision: z.number().int().nonnegative(), status: z.string() }).nullable();

const savedChart = z.object({
  chart: z.string(),
  namespace: z.string(),
  action: z.string(),
  deploy: z.string().optional(),
  reason: z.string(),
  /** The chart version plan resolved: apply installs exactly this one. */
  targetVersion: z.string().optional(),
  /** Fingerprint of the chart's resolved definition, values (files read) and target version. */
  inputs: z.string().regex(/^[0-9a-f]{64}$/),
  release: seenRelease,
});

const savedPlan = z.object({
  format: z.literal(PLAN_FILE_FORMAT),
  version: z.literal(PLAN_FILE_VERSION),
  createdAt: z.string(),
  command: z.enum(['apply', 'destroy']),
  config: z.object({
    file: z.string(),
    environment: z.string().optional(),
    selectors: z.array(z.string()),
    only: z.array(z.string()),
    forceUpgrade: z.boolean(),
  }),
  /** The API server plan read (the kubeconfig's cluster for the context used). */
  cluster: z.object({ server: z.string() }),
  /** Random per plan; the fingerprints are keyed with it. Hex. */
  salt: z.string().regex(/^[0-9a-f]{32}$/),
  /** Fingerprint of the whole selection: the stack's settings, the charts in order, their needs and inputs. */
  configDigest: z.string().regex(/^[0-9a-f]{64}$/),
  charts: z.array(savedChart),
});

export type SavedPlan = z.infer<typeof savedPlan>;
export type SavedChartPlan = z.infer<typeof savedChart>;

/** What the saved plan records of a chart's plan, with its fingerprint. */
export function savedChartOf(plan: ChartPlan, inputs: string): SavedChartPlan {
  return {
    chart: plan.chart,
    namespace: plan.namespace,
    action: plan.action,
    ...(plan.deploy ? { deploy: plan.deploy } : {}),
    reason: plan.reason,
    ...(plan.targetVersion ? { targetVersion: plan.targetVersion } : {}),
    inputs,
    release: seenOf(plan.installed),
  };
}

/** The release state a plan or a check compares: revision and status, or null when there is none. */
export function seenOf(release: { revision: number; status: string } | undefined): SeenRelease {
  return release && release.status !== 'uninstalled' ? { revision: release.revision, status: release.status } : null;
}

/** Reads a plan file's text; anything else than a plan this version wrote is bad input naming the file. */
export function parseSavedPlan(text: string, file: string): SavedPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StackConfigError(`not a plan file (not JSON: ${error instanceof Error ? error.message : String(error)})`, { file });
  }
  const parsed = savedPlan.safeParse(raw);
  if (parsed.success) return parsed.data;
  const format = (raw as { format?: unknown; version?: unknown } | null)?.format;
  if (format !== PLAN_FILE_FORMAT) throw new StackConfigError(`not a plan file written by 'helmcycle plan --out'`, { file });
  const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(file)', message: i.message }));
  throw new StackConfigError(`a plan file this helmcycle cannot read (format version ${PLAN_FILE_VERSION} expected)`, { file, issues });
}

function describeSeen(release: SeenRelease): string {
  return release ? `revision ${release.revision} ${release.status}` : 'not installed';
}

/** Why a chart's release is no longer what the plan saw; undefined while it is. */
export function releaseMoved(chart: string, planned: SeenRelease, now: SeenRelease): string | undefined {
  if (planned === null && now === null) return undefined;
  if (planned && now && planned.revision === now.revision && planned.status === now.status) return undefined;
  return `${chart}: the plan saw ${describeSeen(planned)}, the release is now ${describeSeen(now)} (something changed it since)`;
}

/** What apply finds now, to hold against a saved plan. */
export interface CurrentInputs {
  configDigest: string;
  /** Each chart of the selection, in order, with its fingerprint computed as the plan's was. */
  charts: { chart: string; inputs: string }[];
  server: string;
  /** Each chart's release now, by chart name; only for charts the plan has. */
  releases: ReadonlyMap<string, SeenRelease>;
}

/** Every way the saved plan no longer matches the config and the cluster; empty when it still does. */
export function staleReasons(plan: SavedPlan, now: CurrentInputs): string[] {
  const reasons: string[] = [];
  if (plan.cluster.server !== now.server) reasons.push(`the plan was made against ${plan.cluster.server}, this run talks to ${now.server}`);
  if (plan.configDigest !== now.configDigest) {
    const planned = new Map(plan.charts.map((c) => [c.chart, c.inputs]));
    const current = new Map(now.charts.map((c) => [c.chart, c.inputs]));
    const changed = now.charts.filter((c) => planned.has(c.chart) && planned.get(c.chart) !== c.inputs).map((c) => c.chart);
    const added = now.charts.filter((c) => !planned.has(c.chart)).map((c) => c.chart);
    const removed = plan.charts.filter((c) => !current.has(c.chart)).map((c) => c.chart);
    if (changed.length) reasons.push(`the config of ${changed.join(', ')} changed since the plan (definition, values, values files or chart files)`);
    if (added.length) reasons.push(`${added.join(', ')} joined the selection since the plan`);
    if (removed.length) reasons.push(`${removed.join(', ')} left the stack or the selection since the plan`);
    if (!changed.length && !added.length && !removed.length) reasons.push('the stack changed since the plan (its settings, the charts\' order or needs)');
  }
  for (const chart of plan.charts) {
    const moved = releaseMoved(chart.chart, chart.release, now.releases.get(chart.chart) ?? null);
    if (moved) reasons.push(moved);
  }
  return reasons;
}

/** A saved plan that no longer holds: nothing was changed for the charts it refused. Exit code 5. */
export class StalePlanError extends HelmcycleError {
  readonly reasons: readonly string[];
  constructor(file: string, reasons: readonly string[], chart?: string) {
    super('PLAN_STALE', `${file}: the saved plan is stale:\n${reasons.map((r) => `  - ${r}`).join('\n')}`, {
      ...(chart ? { chart } : {}),
      hint: `nothing was changed${chart ? ` for ${chart}` : ''}; run 'helmcycle plan --out ${file}' again, review it, then apply it`,
    });
    this.reasons = reasons;
  }
}

/** The text of a plan file: one JSON object, keys in a stable order. */
export function formatSavedPlan(plan: SavedPlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
