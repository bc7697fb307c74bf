// Loading a stack from helmcycle.config.ts (run through tsx: no build step) or helmcycle.yaml, then
// resolving it: defaults and the environment applied, every path anchored at the config file's folder,
// every chart's definition and the graph checked. Any mistake is a StackConfigError or SpecError raised
// before anything touches the cluster.
import { privateTsxCache } from '../secrets/tsx-cache.js';
import { readFileSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { clip, StackConfigError } from '../errors.js';
import { formatFieldPath } from '../config/parse.js';
import { prototypeKeyIssues, setPathIssues } from '../config/safe-keys.js';
import { specIssuesOf } from '../config/unknown-keys.js';
import { parseStackYaml } from '../config/yaml-file.js';
import { joinDefinition, parseDefinition, splitDefinition } from '../lifecycle/definition.js';
import { describeSyntaxProblems, isTransformFailure, syntaxProblems } from './config-syntax-error.js';
import { chartsInEnvironment } from './chart-environments.js';
import { resolveFleet } from './resolve-fleet.js';
import { firstLine, readingConfig, readingConfigAsync } from './config-code-error.js';
import { buildGraph } from './graph.js';
import { layerChart } from './merge.js';
import { anchorPaths, checkStackFiles } from './paths.js';
import { checkStackPaths, isDataStack } from './path-containment.js';
import { stackShapeSchema } from './schema.js';
import type { ResolvedChart, ResolvedStack, StackChart, StackDefinition } from './types.js';

export { checkStackFiles } from './paths.js';

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
  return parseStackYaml(await readFile(file, 'utf8'), file);
}

async function loadModule(file: string): Promise<unknown> {
  // tsx caches the compiled stack (a password written in it too) in a folder everyone may read, unless made private first.
  await privateTsxCache();
  const { tsImport } = await import('tsx/esm/api');
  try {
    const mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown; stack?: unknown };
    let value = mod.default ?? mod.stack;
    // A config file outside an ESM package is loaded as CommonJS, and its default export arrives wrapped
    // once more ({ default: stack }).
    if (value && typeof value === 'object' && Object.hasOwn(value, 'default') && !Object.hasOwn(value, 'charts')) value = (value as { default: unknown }).default;
    if (value === undefined) throw new StackConfigError('the module exports no stack: export default defineStack({...})', { file });
    return value;
  } catch (error) {
    if (error instanceof StackConfigError) throw error;
    if (isTransformFailure(error)) throw syntaxError((error as Error).message, file);
    throw new StackConfigError(`could not load: ${firstLine(error)}`, { file });
  }
}

/** A stack module (or one it imports) that does not parse: where, what, and the lines around it. */
function syntaxError(message: string, file: string): StackConfigError {
  const source = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const problems = syntaxProblems(message, source);
  if (problems.length === 0) return new StackConfigError(`does not parse: ${message.split('\n').slice(1).join(' ').trim() || message}`, { file });
  return new StackConfigError(describeSyntaxProblems(problems, file), { file });
}

/** Reads a config file into a stack definition, unchecked: resolveStack checks every definition. */
export async function loadStackFile(file: string): Promise<StackDefinition> {
  const ext = extname(file);
  return (ext === '.yaml' || ext === '.yml' ? await loadYaml(file) : await loadModule(file)) as StackDefinition;
}

/** The chart every issue is inside of (`charts[3]...`), when they are all inside the same one. */
function chartAtFault(raw: unknown, paths: readonly (readonly PropertyKey[])[]): string | undefined {
  const indexes = new Set(paths.map((p) => (p[0] === 'charts' && typeof p[1] === 'number' ? p[1] : -1)));
  if (indexes.size !== 1 || indexes.has(-1)) return undefined;
  const name = (raw as { charts?: { name?: unknown }[] }).charts?.[[...indexes][0]!]?.name;
  return typeof name === 'string' ? name : undefined;
}

function checkShape(raw: unknown, file: string | undefined): void {
  if (raw === null || raw === undefined) {
    throw new StackConfigError('the stack file is empty', { file, issues: [{ field: 'charts', message: 'a stack needs at least one chart' }] });
  }
  const shape = stackShapeSchema.safeParse(raw);
  if (shape.success) return;
  const issues = specIssuesOf(shape.error, stackShapeSchema, (path) => (path.length ? formatFieldPath(path) : '(stack)'));
  const chart = chartAtFault(raw, shape.error.issues.map((i) => i.path));
  throw new StackConfigError('the stack is invalid', { file, ...(chart ? { chart } : {}), issues });
}

export interface ResolveOptions {
  file?: string;
  environment?: string;
}

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
  const paths = issues.map((i) => {
    const index = /^charts\[(\d+)\]/.exec(i.field)?.[1];
    return index === undefined ? [] : ['charts', Number(index)];
  });
  const chart = chartAtFault(raw, paths);
  throw new StackConfigError('the stack has keys that are not allowed', { file, ...(chart ? { chart } : {}), issues });
}

/** One chart with the stack's defaults and the environment laid under and over it, checked and anchored. */
function resolveChart(chart: StackChart, layers: Parameters<typeof layerChart>[1], baseDir: string, file: string | undefined): ResolvedChart {
  const parts = splitDefinition(chart);
  const layered = joinDefinition(layerChart(parts.spec, layers), { ...parts, needs: [] }) as StackChart;
  // Checked now, so a bad chart stops the whole stack before anything runs; paths are anchored after,
  // on a spec known to have the right types.
  parseDefinition(layered, { file });
  return { name: chart.name, needs: parts.needs, definition: anchorPaths(layered, baseDir), file };
}

export function resolveStack(definition: StackDefinition, options: ResolveOptions = {}): ResolvedStack {
  const { file, environment } = options;
  checkKeys(definition, file);
  checkShape(definition, file);
  const environments = definition.environments ?? {};
  // Object.hasOwn, not `in`: `--env toString` or `--env constructor` must not find Object.prototype's.
  if (environment !== undefined && !Object.hasOwn(environments, environment)) {
    const known = Object.keys(environments);
    throw new StackConfigError(`unknown environment '${clip(environment, 100)}' (${known.length ? `known: ${clip(known.join(', '), 300)}` : 'the stack defines none'})`, {
      file,
      issues: [{ field: '--env', message: `no environment '${environment}' in environments` }],
    });
  }
  const env = environment ? environments[environment] : undefined;
  const chartNames = new Set(definition.charts.map((c) => c.name));
  const present = chartsInEnvironment(definition, environment, file);
  for (const name of Object.keys(env?.charts ?? {})) {
    if (!chartNames.has(name)) {
      throw new StackConfigError(`environment '${environment}' overrides chart '${name}', which is not a chart of this stack`, {
        file,
        chart: name,
        issues: [{ field: `environments.${environment}.charts.${name}`, message: 'no chart of this stack has that name' }],
      });
    }
  }
  const baseDir = file ? dirname(file) : process.cwd();
  const charts = present.map((chart) => {
    const override = env?.charts && Object.hasOwn(env.charts, chart.name) ? env.charts[chart.name] : undefined;
    return resolveChart(chart, {
      ...(definition.defaults ? { defaults: definition.defaults as Record<string, unknown> } : {}),
      ...(env?.defaults ? { envDefaults: env.defaults as Record<string, unknown> } : {}),
      ...(override ? { envChart: override as Record<string, unknown> } : {}),
    }, baseDir, file);
  });
  buildGraph(charts, file);
  const fleet = resolveFleet(definition, baseDir, file);
  return { name: definition.name ?? (file ? dirname(file).split('/').pop()! : 'stack'), file, environment, concurrency: definition.concurrency, ignoreDrift: definition.ignoreDrift, ...(definition.prune !== undefined ? { prune: definition.prune } : {}), ...(definition.kubeVersion !== undefined ? { kubeVersion: definition.kubeVersion } : {}), ...(definition.rollbackStackOnFailure !== undefined ? { rollbackStackOnFailure: definition.rollbackStackOnFailure } : {}), charts, ...(fleet ? { fleet } : {}), ...(definition.resolvers ? { resolvers: definition.resolvers } : {}) };
}

export async function loadStack(configFile: string | undefined, options: { environment?: string; cwd?: string; allowPaths?: readonly string[] } = {}): Promise<ResolvedStack> {
  const file = await findConfigFile(configFile, options.cwd);
  const definition = await readingConfigAsync(file, () => loadStackFile(file));
  const stack = readingConfig(file, () => resolveStack(definition, { file, ...(options.environment ? { environment: options.environment } : {}) }));
  // A YAML stack is data: it reads nothing outside its repository (path-containment.ts), checked before
  // anything else looks at those paths (not even whether they exist).
  if (isDataStack(file)) await checkStackPaths(stack, { ...(options.cwd ? { cwd: options.cwd } : {}), ...(options.allowPaths ? { allowPaths: options.allowPaths } : {}) });
  await checkStackFiles(stack);
  return stack;
}
