// The saved plan (`plan --out FILE`, `apply FILE`): each chart's decision and what it was decided on, and
// the checks that tell whether it still holds. A saved plan is applied only while the stack file, the
// flags, the releases, their drift and so every decision are what they were; otherwise it is stale and
// apply refuses before changing anything (see docs/saved-plans.md). Pure.
//
// A plan file is data: it names nothing that is run. The stack apply loads comes from the command line
// (-c, or the same discovery as without a plan); the plan's stack path and digest are only compared.
// The file holds no secret: reasons come masked from planChart, drift as resources and field paths, and
// the inputs are fingerprints (plan-inputs.ts), never values.
import { z } from 'zod';
import { HelmcycleError, StackConfigError } from '../errors.js';
import type { ResourceDrift } from '../drift/detect.js';
import type { ChartPlan } from './plan.js';

export const PLAN_FILE_FORMAT = 'helmcycle-plan';
export const PLAN_FILE_VERSION = 2;

/** A release as plan saw it; null when there was none (never installed, or uninstalled). */
export type SeenRelease = { revision: number; status: string } | null;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const seenRelease = z.object({ revision: z.number().int().nonnegative(), status: z.string() }).strict().nullable();
/** Drift as plan showed it: each drifted resource with its field paths (no values). */
const seenDrift = z.array(z.object({ resource: z.string(), fields: z.array(z.string()) }).strict());
export type SeenDrift = z.infer<typeof seenDrift>;

const savedChart = z.object({
  chart: z.string(),
  namespace: z.string(),
  /** The decision: plan's action and the deploy action after any recovery (decide.ts). */
  action: z.string(),
  deploy: z.string().optional(),
  reason: z.string(),
  /** The chart version plan resolved: apply installs exactly this one. */
  targetVersion: z.string().optional(),
  /** Fingerprint of the chart's resolved definition, values (files read) and target version. */
  inputs: hex64,
  release: seenRelease,
  drift: seenDrift,
}).strict();

/** A release of the stack's inventory no longer in the stack, as plan decided it (plan-prune.ts). */
const savedPrune = z.object({ release: z.string(), namespace: z.string(), action: z.string(), seen: seenRelease }).strict();
export type SavedPrune = z.infer<typeof savedPrune>;

/** Every command-line flag that changes what apply decides or does; apply FILE runs with these and takes none. */
const savedFlags = z.object({
  forceUpgrade: z.boolean(),
  ignoreDrift: z.boolean(),
  failFast: z.boolean(),
  /** undefined: the stack's rollbackStackOnFailure decides. */
  rollbackStackOnFailure: z.boolean().optional(),
  /** --prune and --adopt-inventory (absent in a plan written before prune: false). */
  prune: z.boolean().optional(),
  adoptInventory: z.boolean().optional(),
}).strict();
export type SavedFlags = z.infer<typeof savedFlags>;

const savedPlan = z.object({
  format: z.literal(PLAN_FILE_FORMAT),
  version: z.literal(PLAN_FILE_VERSION),
  createdAt: z.string(),
  command: z.enum(['apply', 'destroy']),
  /** The stack file plan read, and a keyed digest of its bytes: compared with the one apply loads, never loaded. */
  stack: z.object({ file: z.string(), digest: hex64 }).strict(),
  selection: z.object({ environment: z.string().optional(), selectors: z.array(z.string()), only: z.array(z.string()) }).strict(),
  flags: savedFlags,
  /** The API server plan read (the kubeconfig's cluster for the context used). */
  cluster: z.object({ server: z.string() }).strict(),
  /** Random per plan; the fingerprints are keyed with it. Hex. */
  salt: z.string().regex(/^[0-9a-f]{32}$/),
  /** Fingerprint of the whole selection: the stack's settings, the charts in order, their needs and inputs. */
  configDigest: hex64,
  charts: z.array(savedChart),
  /** The inventory's releases no longer in the stack, in the order apply removes them (absent in a plan written before prune: none). */
  prune: z.array(savedPrune).optional(),
}).strict();

export type SavedPlan = z.infer<typeof savedPlan>;
export type SavedChartPlan = z.infer<typeof savedChart>;

/** Drift as a saved plan keeps it: resources and field paths, in the order found. Pure. */
export function seenDriftOf(drift: readonly ResourceDrift[] | undefined): SeenDrift {
  return (drift ?? []).map((d) => ({ resource: d.resource, fields: d.fields.map((f) => f.path) }));
}

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
    drift: seenDriftOf(plan.drift),
  };
}

/** What a saved plan records of a prune entry's plan. */
export function savedPruneOf(plan: ChartPlan): SavedPrune {
  return { release: plan.chart, namespace: plan.namespace, action: plan.action, seen: seenOf(plan.installed) };
}

/** How the prune decisions moved since the plan: an entry added, gone, or decided otherwise. Pure. */
export function pruneMoved(planned: readonly SavedPrune[], now: readonly SavedPrune[]): string[] {
  const key = (p: SavedPrune) => `${p.namespace}/${p.release}`;
  const describe = (p: SavedPrune) => `${p.action} (${describeSeen(p.seen)})`;
  const before = new Map(planned.map((p) => [key(p), p]));
  const after = new Map(now.map((p) => [key(p), p]));
  const reasons: string[] = [];
  for (const [k, p] of before) {
    const q = after.get(k);
    if (!q) reasons.push(`prune of ${k}: the plan decided ${describe(p)}, apply would no longer touch it (the stack or an inventory changed)`);
    else if (describe(p) !== describe(q)) reasons.push(`prune of ${k}: the plan decided ${describe(p)}, apply would now ${describe(q)}`);
  }
  for (const [k, q] of after) if (!before.has(k)) reasons.push(`prune of ${k}: not in the plan, apply would now ${describe(q)} (an inventory changed)`);
  return reasons;
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
  const issues = parsed.error.issues.slice(0, 10).map((i) => ({ field: i.path.join('.') || '(file)', message: i.message }));
  throw new StackConfigError(`a plan file this helmcycle cannot read (format version ${PLAN_FILE_VERSION} expected)`, { file, issues });
}

function describeSeen(release: SeenRelease): string {
  return release ? `revision ${release.revision} ${release.status}` : 'not installed';
}

function describeSeenDrift(drift: SeenDrift): string {
  return drift.length ? drift.map((d) => `${d.resource} (${d.fields.map((f) => f || 'missing').join(', ')})`).join(', ') : 'no drift';
}

/** Why a chart's release is no longer what the plan saw; undefined while it is. */
export function releaseMoved(chart: string, planned: SeenRelease, now: SeenRelease): string | undefined {
  if (planned === null && now === null) return undefined;
  if (planned && now && planned.revision === now.revision && planned.status === now.status) return undefined;
  return `${chart}: the plan saw ${describeSeen(planned)}, the release is now ${describeSeen(now)} (something changed it since)`;
}

/** A chart's decision as it is now, to hold against the saved one. */
export interface CurrentDecision {
  release: SeenRelease;
  action: string;
  deploy: string | undefined;
  drift: SeenDrift;
}

/** Every way a chart's decision moved since the plan: its release, its live objects' drift, the decision. */
export function decisionMoved(saved: SavedChartPlan, now: CurrentDecision): string[] {
  const reasons: string[] = [];
  const release = releaseMoved(saved.chart, saved.release, now.release);
  if (release) reasons.push(release);
  if (JSON.stringify(saved.drift) !== JSON.stringify(now.drift)) reasons.push(`${saved.chart}: the plan saw ${describeSeenDrift(saved.drift)}, the live objects now show ${describeSeenDrift(now.drift)}`);
  // A destroy's decision is the release's presence, compared above (its action may also name the CRDs
  // crds.deleteOnDestroy leaves to delete, which plan-crds.ts adds and the decision does not know of).
  if (saved.deploy !== now.deploy || (saved.deploy !== undefined && saved.action !== now.action)) {
    const what = (action: string, deploy: string | undefined) => (deploy && deploy !== action ? `${action} (${deploy})` : action);
    reasons.push(`${saved.chart}: the plan decided ${what(saved.action, saved.deploy)}, apply would now ${what(now.action, now.deploy)}`);
  }
  return reasons;
}

/** Why the stack file apply loaded is not the one the plan read; empty when it is, bytes and all. */
export function stackFileMoved(plan: Pick<SavedPlan, 'stack'>, now: { file: string; digest: string }): string[] {
  if (plan.stack.file !== now.file) return [`the plan was made from the stack file ${plan.stack.file}, this run loaded ${now.file} (run apply where plan ran, or pass -c ${plan.stack.file})`];
  if (plan.stack.digest !== now.digest) return [`the stack file ${now.file} changed since the plan`];
  return [];
}

/** What apply finds now, to hold against a saved plan. */
export interface CurrentInputs {
  configDigest: string;
  /** Each chart of the selection, in order, with its fingerprint computed as the plan's was. */
  charts: { chart: string; inputs: string }[];
  server: string;
  /** Each chart's decision now, by chart name; only for charts the plan has (missing: not installed, nothing decided). */
  decisions: ReadonlyMap<string, CurrentDecision>;
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
    const decision = now.decisions.get(chart.chart);
    if (decision) reasons.push(...decisionMoved(chart, decision));
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
