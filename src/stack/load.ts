// Loading a stack from helmcycle.config.ts (run through tsx: no build step) or helmcycle.yaml, then
// resolving it: defaults and the environment applied, relative paths anchored at the config file's
// folder, every chart's spec and the graph checked. Any mistake is a StackConfigError or SpecError
// raised before anything touches the cluster.
import { access, readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { StackConfigError } from '../errors.js';
import { isLocalChart } from '../lifecycle/requests.js';
import { formatFieldPath } from '../config/parse.js';
import { prototypeKeyIssues, setPathIssues } from '../config/safe-keys.js';
import { chartSpecOf } from './chart-spec-of.js';
import { buildGraph } from './graph.js';
import { layerChart } from './merge.js';
import { stackShapeSchema } from './schema.js';
import type { ResolvedStack, StackChart, StackDefinition } from './types.js';

export const DEFAULT_CONFIG_FILES = ['helmcycle.config.ts', 'helmcycle.config.mts', 'helmcycle.config.js', 'helmcycle.yaml', 'helmcycle.yml'];

/** The config file to use: the one given, or the first default name found in `cwd`. */
export async function findConfigFile(given: string | undefined, cwd = process.cwd()): Promise<string> {
  if (given) {
    const path = resolve(cwd, given);
    try {
      await access(path);
    } catch {
      throw new StackConfigError(`config file ${given} does not exist`);
    }
    return path;
  }
  for (const name of DEFAULT_CONFIG_FILES) {
    const path = resolve(cwd, name);
    try {
      await access(path);
      return path;
    } catch {
      // try the next name
    }
  }
  throw new StackConfigError(`no config file given (--config) and none of ${DEFAULT_CONFIG_FILES.join(', ')} in ${cwd}`);
}

async function loadYaml(file: string): Promise<unknown> {
  const doc = parseDocument(await readFile(file, 'utf8'), { prettyErrors: true });
  const first = doc.errors[0];
  if (first) throw new StackConfigError(`not valid YAML: ${first.message}`, { file });
  return doc.toJS();
}

async function loadModule(file: string): Promise<unknown> {
  const { tsImport } = await import('tsx/esm/api');
  try {
    const mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown; stack?: unknown };
    const value = mod.default ?? mod.stack;
    if (value === undefined) throw new StackConfigError('the module exports no stack: export default defineStack({...})', { file });
    return value;
  } catch (error) {
    if (error instanceof StackConfigError) throw error;
    throw new StackConfigError(`could not load: ${(error as Error).message.split('\n')[0]}`, { file });
  }
}

/** Reads a config file into a stack definition, unchecked: resolveStack checks every definition. */
export async function loadStackFile(file: string): Promise<StackDefinition> {
  const ext = extname(file);
  return (ext === '.yaml' || ext === '.yml' ? await loadYaml(file) : await loadModule(file)) as StackDefinition;
}

function checkShape(raw: unknown, file: string | undefined): void {
  const shape = stackShapeSchema.safeParse(raw);
  if (shape.success) return;
  const issues = shape.error.issues.map((issue: z.core.$ZodIssue) => ({ field: formatFieldPath(issue.path), message: issue.message }));
  const chartIndex = shape.error.issues.map((i) => i.path).find((p) => p[0] === 'charts' && typeof p[1] === 'number')?.[1] as number | undefined;
  const chartName = chartIndex === undefined ? undefined : (raw as { charts?: { name?: unknown }[] }).charts?.[chartIndex]?.name;
  throw new StackConfigError('the stack is invalid', { file, ...(typeof chartName === 'string' ? { chart: chartName } : {}), issues });
}

/** A chart path written relative to the config file (./charts/web) is anchored at its folder. */
function anchorPaths(chart: StackChart, baseDir: string): StackChart {
  const anchored = { ...chart };
  if (isLocalChart(chart) && (chart.chart.startsWith('./') || chart.chart.startsWith('../'))) anchored.chart = resolve(baseDir, chart.chart);
  if (chart.valuesFiles) anchored.valuesFiles = chart.valuesFiles.map((f) => (isAbsolute(f) ? f : resolve(baseDir, f)));
  return anchored;
}

export interface ResolveOptions {
  file?: string;
  environment?: string;
}

/** Applies defaults and the environment, anchors paths, and checks every chart and the graph. */
/**
 * Keys that would write into a prototype once layered or nested, anywhere in the stack: refused before
 * anything is merged (see config/safe-keys.ts).
 */
function checkKeys(raw: unknown, file: string | undefined): void {
  const stack = raw as Partial<StackDefinition> | null;
  const issues = prototypeKeyIssues(raw);
  if (stack && typeof stack === 'object') {
    issues.push(...setPathIssues(stack.defaults, ['defaults']));
    for (const [name, env] of Object.entries(stack.environments ?? {})) {
      issues.push(...setPathIssues(env?.defaults, ['environments', name, 'defaults']));
      for (const [chart, override] of Object.entries(env?.charts ?? {})) issues.push(...setPathIssues(override, ['environments', name, 'charts', chart]));
    }
    (Array.isArray(stack.charts) ? stack.charts : []).forEach((chart, index) => issues.push(...setPathIssues(chart, ['charts', index])));
  }
  if (issues.length === 0) return;
  const chartIndex = issues.map((i) => /^charts\[(\d+)\]/.exec(i.field)?.[1]).find((i) => i !== undefined);
  const chartName = chartIndex === undefined ? undefined : stack?.charts?.[Number(chartIndex)]?.name;
  throw new StackConfigError('the stack has keys that are not allowed', { file, ...(typeof chartName === 'string' ? { chart: chartName } : {}), issues });
}

export function resolveStack(definition: StackDefinition, options: ResolveOptions = {}): ResolvedStack {
  const { file, environment } = options;
  checkKeys(definition, file);
  checkShape(definition, file);
  const environments = definition.environments ?? {};
  // Object.hasOwn, not `in`: `--env toString` or `--env constructor` must not find Object.prototype's.
  if (environment !== undefined && !Object.hasOwn(environments, environment)) {
    const known = Object.keys(environments);
    throw new StackConfigError(`unknown environment '${environment}' (${known.length ? `known: ${known.join(', ')}` : 'the stack defines none'})`, { file });
  }
  const env = environment ? environments[environment] : undefined;
  const envChart = (name: string) => (env?.charts && Object.hasOwn(env.charts, name) ? env.charts[name] : undefined);
  for (const name of Object.keys(env?.charts ?? {})) {
    if (!definition.charts.some((c) => c.name === name)) {
      throw new StackConfigError(`environment '${environment}' overrides chart '${name}', which is not a chart of this stack`, { file, chart: name });
    }
  }
  const baseDir = file ? dirname(file) : process.cwd();
  const charts = definition.charts.map((chart) => {
    const { needs = [], lifecycle, checks, ...fields } = chart;
    const layered = layerChart(fields as Record<string, unknown>, {
      ...(definition.defaults ? { defaults: definition.defaults as Record<string, unknown> } : {}),
      ...(env?.defaults ? { envDefaults: env.defaults as Record<string, unknown> } : {}),
      ...(envChart(chart.name) ? { envChart: envChart(chart.name) as Record<string, unknown> } : {}),
    }) as StackChart;
    // Check the spec now, so a bad chart stops the whole stack before anything runs.
    chartSpecOf(layered, file);
    const definitionOut: StackChart = { ...anchorPaths(layered, baseDir), ...(lifecycle ? { lifecycle } : {}), ...(checks ? { checks } : {}) };
    return { name: chart.name, needs, definition: definitionOut, file };
  });
  buildGraph(charts, file);
  return { name: definition.name ?? (file ? dirname(file).split('/').pop()! : 'stack'), file, environment, concurrency: definition.concurrency, charts };
}

/** Every values file and local chart the stack names exists: a missing one is bad input, found up front. */
export async function checkStackFiles(stack: ResolvedStack): Promise<void> {
  for (const chart of stack.charts) {
    const { definition } = chart;
    const paths: [string, string][] = (definition.valuesFiles ?? []).map((f, i) => [`valuesFiles[${i}]`, f]);
    if (isLocalChart(definition) && isAbsolute(definition.chart)) paths.push(['chart', definition.chart]);
    for (const [field, path] of paths) {
      try {
        await access(path);
      } catch {
        throw new StackConfigError(`chart '${chart.name}' names a file that does not exist`, {
          ...(stack.file ? { file: stack.file } : {}),
          chart: chart.name,
          issues: [{ field, message: `${path} does not exist` }],
        });
      }
    }
  }
}

export async function loadStack(configFile: string | undefined, options: { environment?: string; cwd?: string } = {}): Promise<ResolvedStack> {
  const file = await findConfigFile(configFile, options.cwd);
  const definition = await loadStackFile(file);
  const stack = resolveStack(definition, { file, ...(options.environment ? { environment: options.environment } : {}) });
  await checkStackFiles(stack);
  return stack;
}
