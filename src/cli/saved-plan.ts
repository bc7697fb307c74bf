// `plan --out FILE` and `apply FILE`: writing a plan, and checking one before it is applied. The format
// and its checks are in stack/plan-file.ts, the fingerprints in stack/plan-inputs.ts.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { StackConfigError } from '../errors.js';
import type { HelmClient } from '../helm/types.js';
import { maskerForSpecs } from '../secrets/sensitive.js';
import { chartSpecOf } from '../stack/chart-spec-of.js';
import type { StackCommand } from '../stack/events.js';
import { mapLimit } from '../stack/inspect.js';
import { formatSavedPlan, parseSavedPlan, PLAN_FILE_FORMAT, PLAN_FILE_VERSION, savedChartOf, seenOf, StalePlanError, staleReasons, type SavedPlan, type SeenRelease } from '../stack/plan-file.js';
import { guardedStack } from '../stack/plan-guard.js';
import { chartInputs, configDigest, newSalt, type InputsContext } from '../stack/plan-inputs.js';
import type { ChartPlan } from '../stack/plan.js';
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
  command: Extract<StackCommand, 'apply' | 'destroy'>;
  forceUpgrade: boolean;
  selection: Required<Selection>;
  server: string;
  plans: readonly ChartPlan[];
}

/** Writes the plan where asked, private (0600, replaced whole, never half-written), with no secret in it. */
export async function savePlan(file: string, input: SavePlanInput): Promise<void> {
  const { stack, command, forceUpgrade, selection } = input;
  const salt = newSalt();
  const charts = selectedCharts(stack, selection);
  const versions = new Map(input.plans.map((p) => [p.chart, p.targetVersion]));
  const printed = await fingerprint(stack, charts, versions, { command, forceUpgrade, salt, ...selection });
  const inputsOf = new Map(printed.charts.map((c) => [c.chart.name, c.inputs]));
  const plan: SavedPlan = {
    format: PLAN_FILE_FORMAT,
    version: PLAN_FILE_VERSION,
    createdAt: new Date().toISOString(),
    command,
    config: { file: stack.file, ...(stack.environment ? { environment: stack.environment } : {}), selectors: [...selection.selectors], only: [...selection.only], forceUpgrade },
    cluster: { server: input.server },
    salt,
    configDigest: printed.configDigest,
    charts: input.plans.map((p) => savedChartOf(p, inputsOf.get(p.chart)!)),
  };
  const text = formatSavedPlan(plan);
  // The reasons come masked from planChart; this is the last line of defence before the disk. The hex
  // fields are left out of the check: a short sensitive value could occur in random hex by chance.
  const words = formatSavedPlan({ ...plan, salt: '', configDigest: '', charts: plan.charts.map((c) => ({ ...c, inputs: '' })) });
  if (maskerForSpecs(stack.charts.map((c) => c.definition)).reveals(words)) throw new Error('refusing to write a plan file that would hold a sensitive value');
  await writePrivateFile(resolve(file), text);
}

export interface GivenOptions {
  config?: string | undefined;
  env?: string | undefined;
  selector: readonly string[];
  only: readonly string[];
  forceUpgrade?: boolean | undefined;
}

/** apply FILE takes environment and selection from the plan: a different one on the command line is an error. Pure. */
export function conflictingOptions(plan: SavedPlan, given: GivenOptions): string[] {
  const issues: string[] = [];
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (given.env !== undefined && given.env !== plan.config.environment) issues.push(`--env ${given.env} (the plan's environment: ${plan.config.environment ?? 'none'})`);
  if (given.selector.length && !same(given.selector, plan.config.selectors)) issues.push(`-l ${given.selector.join(' -l ')} (the plan's: ${plan.config.selectors.join(' ') || 'none'})`);
  if (given.only.length && !same(given.only, plan.config.only)) issues.push(`--only ${given.only.join(',')} (the plan's: ${plan.config.only.join(',') || 'none'})`);
  if (given.forceUpgrade && !plan.config.forceUpgrade) issues.push('--force-upgrade (plan with --force-upgrade instead)');
  return issues;
}

export interface PreparedPlan {
  plan: SavedPlan;
  command: Extract<StackCommand, 'apply' | 'destroy'>;
  forceUpgrade: boolean;
  stack: ResolvedStack;
  selection: Required<Selection>;
}

export interface PrepareOptions {
  given: GivenOptions;
  loadStack: (configFile: string, environment: string | undefined) => Promise<ResolvedStack>;
  helm: HelmClient;
  server: string;
  signal?: AbortSignal | undefined;
}

/**
 * Reads a saved plan and checks it still holds: the config's fingerprints, the API server, and every
 * release's revision and status. Refuses (StalePlanError) before anything runs when one moved; the stack
 * it returns refuses again, chart by chart, should a release move while the run waits for it.
 */
export async function prepareSavedPlan(file: string, options: PrepareOptions): Promise<PreparedPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new StackConfigError(`cannot read the plan file: ${error instanceof Error ? error.message : String(error)}`, { file });
  }
  const plan = parseSavedPlan(text, file);
  const conflicts = conflictingOptions(plan, options.given);
  if (conflicts.length) {
    throw new StackConfigError(`apply ${file} applies the plan's own environment and selection; drop ${conflicts.join(', ')}, or plan again with them`, { file });
  }
  // -c may say where the config is now (another checkout); its content must still match.
  const stack = await options.loadStack(options.given.config ?? plan.config.file, plan.config.environment);
  const selection = { selectors: plan.config.selectors, only: plan.config.only };
  const { command, forceUpgrade } = { command: plan.command, forceUpgrade: plan.config.forceUpgrade };
  const charts = selectedCharts(stack, selection);
  const versions = new Map(plan.charts.map((c) => [c.chart, c.targetVersion]));
  const now = await fingerprint(stack, charts, versions, { command, forceUpgrade, salt: plan.salt, ...selection });
  const releases = new Map<string, SeenRelease>();
  const byName = new Map(charts.map((c) => [c.name, c]));
  await mapLimit(plan.charts, 4, async (saved) => {
    const chart = byName.get(saved.chart);
    if (!chart) return;
    const spec = chartSpecOf(chart.definition, chart.file);
    releases.set(saved.chart, seenOf(await options.helm.status({ release: spec.name, namespace: spec.namespace }, { signal: options.signal })));
  });
  const reasons = staleReasons(plan, { configDigest: now.configDigest, charts: now.charts.map((c) => ({ chart: c.chart.name, inputs: c.inputs })), server: options.server, releases });
  if (reasons.length) throw new StalePlanError(file, reasons);
  return { plan, command, forceUpgrade, stack: guardedStack(stack, plan, file), selection };
}
