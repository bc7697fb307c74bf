// `plan --out FILE` and `apply FILE`: writing a plan, and checking one before it is applied. The format
// and its checks are in stack/plan-file.ts, the fingerprints in stack/plan-inputs.ts, the per-chart
// guard in stack/plan-guard.ts. A plan file is data: apply FILE loads the stack the command line names
// (or finds), never the one the file names, and refuses when they differ.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { StackConfigError, UsageError } from '../errors.js';
import type { HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { maskerForSpecs, sensitiveValuesOf } from '../secrets/sensitive.js';
import { runSettingsOf, type CommandFlags } from '../stack/chart-spec-of.js';
import { mapLimit } from '../stack/inspect.js';
import { formatSavedPlan, parseSavedPlan, PLAN_FILE_FORMAT, PLAN_FILE_VERSION, pruneMoved, savedChartOf, savedPruneOf, StalePlanError, staleReasons, stackFileMoved, type CurrentDecision, type SavedFlags, type SavedPlan } from '../stack/plan-file.js';
import { currentDecision, guardedStack, pinnedChart } from '../stack/plan-guard.js';
import { chartInputs, configDigest, newSalt, stackFileDigest, type InputsContext } from '../stack/plan-inputs.js';
import type { ChartPlan } from '../stack/plan.js';
import { planPrune } from '../stack/plan-prune.js';
import { selectedCharts } from '../stack/run-stack.js';
import type { Selection } from '../stack/select.js';
import type { ResolvedChart, ResolvedStack } from '../stack/types.js';
import { writePrivateFile } from './private-file.js';

/** The API server a kubeconfig points at, as a plan records it (any user:password in the URL dropped). */
export function serverOf(config: { getCurrentCluster(): { server: string } | null }): string {
  const server = config.getCurrentCluster()?.server ?? 'unknown';
  try {
    const url = new URL(server);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return server;
  }
}

interface Fingerprinted {
  charts: { chart: ResolvedChart; inputs: string }[];
  configDigest: string;
}

async function fingerprint(stack: ResolvedStack, charts: readonly ResolvedChart[], versions: ReadonlyMap<string, string | undefined>, context: InputsContext & Required<Selection>): Promise<Fingerprinted> {
  const fingerprinted = await mapLimit(charts, 4, async (chart) => ({ chart, inputs: await chartInputs(chart, versions.get(chart.name), context) }));
  return { charts: fingerprinted, configDigest: await configDigest(stack, fingerprinted, context) };
}

export interface SavePlanInput {
  stack: ResolvedStack & { file: string };
  /** The command and the flags plan was given; folded with the stack (runSettingsOf) as apply will fold them. */
  flags: CommandFlags & { command: 'apply' | 'destroy' };
  selection: Required<Selection>;
  server: string;
  plans: readonly ChartPlan[];
}

/** The flags a saved plan records: every one that changes what apply decides or does. */
function savedFlagsOf(flags: CommandFlags): SavedFlags {
  return { forceUpgrade: flags.forceUpgrade ?? false, ignoreDrift: flags.ignoreDrift ?? false, failFast: flags.failFast ?? false, ...(flags.rollbackStackOnFailure !== undefined ? { rollbackStackOnFailure: flags.rollbackStackOnFailure } : {}), prune: flags.prune ?? false, adoptInventory: flags.adoptInventory ?? false };
}

const hasSensitive = (stack: ResolvedStack) => stack.charts.some((c) => sensitiveValuesOf(c.definition).length > 0);

/** Writes the plan where asked, private (0600, replaced whole, never half-written), with no secret in it. */
export async function savePlan(file: string, input: SavePlanInput): Promise<void> {
  const { stack, flags, selection } = input;
  const settings = runSettingsOf(stack, flags);
  const salt = newSalt();
  const charts = selectedCharts(stack, selection);
  // The charts' plans only: a prune entry is named by its release, which may be a chart's name too (the
  // same release in another namespace), and its undefined version must not stand for the chart's.
  const chartPlans = input.plans.filter((p) => !p.prune);
  const versions = new Map(chartPlans.map((p) => [p.chart, p.targetVersion]));
  const printed = await fingerprint(stack, charts, versions, { ...settings, command: flags.command, salt, ...selection });
  const inputsOf = new Map(printed.charts.map((c) => [c.chart.name, c.inputs]));
  const stackFile = resolve(stack.file);
  const plan: SavedPlan = {
    format: PLAN_FILE_FORMAT,
    version: PLAN_FILE_VERSION,
    createdAt: new Date().toISOString(),
    command: flags.command,
    stack: { file: stackFile, digest: await stackFileDigest(stackFile, salt, hasSensitive(stack)) },
    selection: { ...(stack.environment ? { environment: stack.environment } : {}), selectors: [...selection.selectors], only: [...selection.only] },
    flags: savedFlagsOf(flags),
    cluster: { server: input.server },
    salt,
    configDigest: printed.configDigest,
    charts: chartPlans.map((p) => savedChartOf(p, inputsOf.get(p.chart)!)),
    prune: input.plans.filter((p) => p.prune).map(savedPruneOf),
  };
  const text = formatSavedPlan(plan);
  // The reasons come masked from planChart; this is the last line of defence before the disk. The hex
  // fields are left out of the check: a short sensitive value could occur in random hex by chance.
  const words = formatSavedPlan({ ...plan, salt: '', configDigest: '', stack: { ...plan.stack, digest: '' }, charts: plan.charts.map((c) => ({ ...c, inputs: '' })) });
  if (maskerForSpecs(stack.charts.map((c) => c.definition)).reveals(words)) throw new Error('refusing to write a plan file that would hold a sensitive value');
  await writePrivateFile(resolve(file), text);
}

/** What apply FILE was given on the command line besides the file. */
export interface GivenOptions {
  env?: string | undefined;
  selector: readonly string[];
  only: readonly string[];
  forceUpgrade?: boolean | undefined;
  ignoreDrift?: boolean | undefined;
  failFast?: boolean | undefined;
  rollbackStackOnFailure?: boolean | undefined;
  prune?: boolean | undefined;
  adoptInventory?: boolean | undefined;
}

/**
 * apply FILE takes the environment, the selection and every flag that changes a decision from the plan:
 * another environment or selection, or any such flag, on the command line is an error (exit 2). Pure.
 */
export function conflictingOptions(plan: SavedPlan, given: GivenOptions): string[] {
  const issues: string[] = [];
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const { selection, flags } = plan;
  if (given.env !== undefined && given.env !== selection.environment) issues.push(`--env ${given.env} (the plan's environment: ${selection.environment ?? 'none'})`);
  if (given.selector.length && !same(given.selector, selection.selectors)) issues.push(`-l ${given.selector.join(' -l ')} (the plan's: ${selection.selectors.join(' ') || 'none'})`);
  if (given.only.length && !same(given.only, selection.only)) issues.push(`--only ${given.only.join(',')} (the plan's: ${selection.only.join(',') || 'none'})`);
  if (given.forceUpgrade !== undefined) issues.push(`--force-upgrade (the plan's: ${flags.forceUpgrade ? 'with' : 'without'})`);
  if (given.ignoreDrift !== undefined) issues.push(`--ignore-drift (the plan's: ${flags.ignoreDrift ? 'with' : 'without'})`);
  if (given.failFast !== undefined) issues.push(`--fail-fast (the plan's: ${flags.failFast ? 'with' : 'without'})`);
  if (given.prune !== undefined) issues.push(`--prune (the plan's: ${flags.prune ? 'with' : 'without'})`);
  if (given.adoptInventory !== undefined) issues.push(`--adopt-inventory (the plan's: ${flags.adoptInventory ? 'with' : 'without'})`);
  if (given.rollbackStackOnFailure !== undefined) {
    const recorded = flags.rollbackStackOnFailure === undefined ? "the stack's setting" : `--${flags.rollbackStackOnFailure ? '' : 'no-'}rollback-stack-on-failure`;
    issues.push(`--${given.rollbackStackOnFailure ? '' : 'no-'}rollback-stack-on-failure (the plan's: ${recorded})`);
  }
  return issues;
}

export interface PreparedPlan {
  plan: SavedPlan;
  /** The command and the flags the plan recorded, for the run (which folds them with the stack). */
  flags: CommandFlags & { command: 'apply' | 'destroy' };
  stack: ResolvedStack;
  selection: Required<Selection>;
}

export interface PrepareOptions {
  given: GivenOptions;
  /**
   * The stack, from the command line's -c or the same discovery apply uses without a plan, never from
   * the plan file: a plan names nothing that is run. For the plan's environment.
   */
  loadStack: (environment: string | undefined) => Promise<ResolvedStack>;
  /** The cluster: asked only once the file, the flags and the stack file hold. */
  connect: () => Promise<{ helm: HelmClient; kube: KubeClient; server: string }>;
  signal?: AbortSignal | undefined;
}

async function readPlanFile(file: string): Promise<SavedPlan> {
  try {
    return parseSavedPlan(await readFile(file, 'utf8'), file);
  } catch (error) {
    if (error instanceof StackConfigError) throw error;
    throw new StackConfigError(`cannot read the plan file: ${error instanceof Error ? error.message : String(error)}`, { file });
  }
}

/**
 * Reads a saved plan and checks it still holds, refusing (StalePlanError, exit 5) before anything runs
 * when something moved: the stack file (path and bytes), the config's fingerprints, the API server, and
 * each chart's decision made again as plan made it (its release, its drift, the action). The stack it
 * returns decides again, chart by chart, should anything move while the run waits for it.
 */
export async function prepareSavedPlan(file: string, options: PrepareOptions): Promise<PreparedPlan> {
  const plan = await readPlanFile(file);
  const conflicts = conflictingOptions(plan, options.given);
  if (conflicts.length) {
    throw new StackConfigError(`apply ${file} applies the plan's own environment, selection and flags; drop ${conflicts.join(', ')}, or plan again with them (plan --out ${file} ...)`, { file });
  }
  const stack = await options.loadStack(plan.selection.environment);
  // A saved plan is one cluster's (plan --out refuses a fleet): it must not be applied to the targets, nor to one by chance.
  if (stack.fleet) throw new UsageError(`${file} is the plan of one cluster, and the stack now names targets`, 'plan and apply the fleet without a saved plan (helmcycle apply), or remove targets from the stack; nothing was changed');
  const stackFile = stack.file ? resolve(stack.file) : '(no stack file)';
  // Another stack file: nothing else is worth comparing. The same one changed: said with what else moved.
  const fileMoved = stackFileMoved(plan, { file: stackFile, digest: stack.file ? await stackFileDigest(stackFile, plan.salt, hasSensitive(stack)) : '' });
  if (plan.stack.file !== stackFile) throw new StalePlanError(file, fileMoved);

  const flags = { command: plan.command, ...plan.flags };
  const settings = { ...runSettingsOf(stack, flags), command: plan.command };
  const selection = { selectors: plan.selection.selectors, only: plan.selection.only };
  const charts = selectedCharts(stack, selection);
  const versions = new Map(plan.charts.map((c) => [c.chart, c.targetVersion]));
  const now = await fingerprint(stack, charts, versions, { ...settings, salt: plan.salt, ...selection });
  const { helm, kube, server } = await options.connect();
  const byName = new Map(charts.map((c) => [c.name, c]));
  const decisions = new Map<string, CurrentDecision>();
  // Decided again exactly as plan decided (the version pinned as apply will pin it).
  await mapLimit(plan.charts, 4, async (saved) => {
    const chart = byName.get(saved.chart);
    if (chart) decisions.set(saved.chart, await currentDecision(pinnedChart(chart, saved, plan), settings, { helm, kube, signal: options.signal }));
  });
  // Prune decided again as plan decided it: the same inventories read, the same destroy decisions.
  const pruneNow = (await planPrune(stack, settings, { helm, kube, signal: options.signal })).map(savedPruneOf);
  const reasons = [...staleReasons(plan, { configDigest: now.configDigest, charts: now.charts.map((c) => ({ chart: c.chart.name, inputs: c.inputs })), server, decisions }), ...pruneMoved(plan.prune ?? [], pruneNow), ...fileMoved];
  if (reasons.length) throw new StalePlanError(file, reasons);
  return { plan, flags, stack: guardedStack(stack, plan, settings, file), selection };
}
