// What a chart says about its values, read from its files alone: the defaults (values.yaml), the
// schema (values.schema.json), and each subchart's own, under the key the parent gives it (its alias,
// else its name) with the condition and tags that switch it. Subcharts come from charts/ as folders or
// packages (.tgz, read in memory). Nothing outside the chart is read: symlinks are not followed, and a
// schema's $ref is never resolved here (known-keys.ts follows only refs inside the same document).
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { archiveFiles } from '../helm/chart-archive.js';

export type JsonSchema = Record<string, unknown>;

export interface ChartModel {
  name: string;
  version: string;
  /** values.yaml; {} when the chart has none. */
  defaults: Record<string, unknown>;
  /** values.schema.json, when the chart has one. */
  schema: JsonSchema | undefined;
  subcharts: Subchart[];
}

export interface Subchart {
  /** Where its values live in the parent's: the dependency's alias, else the chart's name. */
  key: string;
  /** Value paths of the parent that switch it on (the dependency's condition, and tags.<tag>). */
  switches: string[];
  model: ChartModel;
}

/** The files that matter, by path relative to the chart's folder. */
type ChartFiles = Map<string, Buffer>;

const WANTED = /(^|\/)(Chart\.yaml|values\.yaml|values\.schema\.json)$|\.tgz$/;
/** Deep enough for any real chart's charts/charts/...; a deeper tree is cut, not followed. */
const MAX_DEPTH = 8;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

async function filesOfFolder(dir: string, prefix = '', depth = 0): Promise<ChartFiles> {
  const files: ChartFiles = new Map();
  if (depth > MAX_DEPTH) return files;
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    // Templates hold no values; a symlink may point outside the chart.
    if (entry.isSymbolicLink() || entry.name === 'templates' || entry.name === 'crds') continue;
    // Only charts/ below the top: the rest of a chart's folders hold no values.
    if (entry.isDirectory() && (prefix !== '' || entry.name === 'charts')) {
      for (const [path, content] of await filesOfFolder(dir, rel, depth + 1)) files.set(path, content);
    } else if (entry.isFile() && WANTED.test(rel)) {
      files.set(rel, await readFile(join(dir, rel)));
    }
  }
  return files;
}

function text(files: ChartFiles, path: string): string | undefined {
  return files.get(path)?.toString('utf8');
}

function yamlObject(source: string | undefined, where: string): Record<string, unknown> {
  if (source === undefined) return {};
  try {
    const value = parse(source) as unknown;
    return isObject(value) ? value : {};
  } catch (error) {
    throw new Error(`${where}: not YAML (${(error as Error).message.split('\n')[0]})`);
  }
}

interface Dependency {
  name: string;
  alias?: string;
  condition?: string;
  tags?: string[];
}

function dependenciesOf(chartYaml: Record<string, unknown>): Dependency[] {
  const list = Array.isArray(chartYaml.dependencies) ? chartYaml.dependencies : [];
  return list.filter(isObject).map((d) => ({
    name: String(d.name ?? ''),
    ...(typeof d.alias === 'string' && d.alias ? { alias: d.alias } : {}),
    ...(typeof d.condition === 'string' && d.condition ? { condition: d.condition } : {}),
    ...(Array.isArray(d.tags) ? { tags: d.tags.map(String) } : {}),
  }));
}

/** The chart whose Chart.yaml is at `${root}Chart.yaml` in `files` (root '' or 'name/'). */
async function modelOfFiles(files: ChartFiles, root: string, where: string, depth = 0): Promise<ChartModel> {
  const chartYaml = yamlObject(text(files, `${root}Chart.yaml`), `${where}/Chart.yaml`);
  const defaults = yamlObject(text(files, `${root}values.yaml`), `${where}/values.yaml`);
  const schemaText = text(files, `${root}values.schema.json`);
  let schema: JsonSchema | undefined;
  if (schemaText !== undefined) {
    try {
      const parsed = JSON.parse(schemaText) as unknown;
      schema = isObject(parsed) ? parsed : undefined;
    } catch (error) {
      throw new Error(`${where}/values.schema.json: not JSON (${(error as Error).message})`);
    }
  }
  const found: ChartModel[] = [];
  if (depth < MAX_DEPTH) {
    const folders = new Set<string>();
    for (const path of files.keys()) {
      if (!path.startsWith(`${root}charts/`)) continue;
      const rest = path.slice(`${root}charts/`.length);
      if (/^[^/]+\.tgz$/.test(rest)) {
        const inner = await archiveFiles(files.get(path)!).catch(() => undefined);
        const top = inner && [...inner.keys()].find((p) => /^[^/]+\/Chart\.yaml$/.test(p));
        if (inner && top) found.push(await modelOfFiles(inner, top.replace(/Chart\.yaml$/, ''), `${where}/charts/${rest}`, depth + 1));
      } else if (/^[^/]+\/Chart\.yaml$/.test(rest)) {
        folders.add(rest.replace(/Chart\.yaml$/, ''));
      }
    }
    for (const folder of [...folders].sort()) found.push(await modelOfFiles(files, `${root}charts/${folder}`, `${where}/charts/${folder.replace(/\/$/, '')}`, depth + 1));
  }
  const dependencies = dependenciesOf(chartYaml);
  const subcharts: Subchart[] = [];
  for (const model of found) {
    const deps = dependencies.filter((d) => d.name === model.name);
    // A dependency listed twice under two aliases is two subcharts; one not listed keeps its name.
    for (const dep of deps.length ? deps : [{ name: model.name } as Dependency]) {
      const switches = [...(dep.condition ? dep.condition.split(',').map((c) => c.trim()).filter(Boolean) : []), ...(dep.tags ?? []).map((t) => `tags.${t}`)];
      subcharts.push({ key: dep.alias ?? dep.name, switches, model });
    }
  }
  return { name: String(chartYaml.name ?? ''), version: String(chartYaml.version ?? ''), defaults, schema, subcharts };
}

/** The model of a chart folder (a local chart, or one helm pulled with --untar). */
export async function readChartModel(dir: string): Promise<ChartModel> {
  if (!(await lstat(dir)).isDirectory()) throw new Error(`${dir} is not a chart folder`);
  return modelOfFiles(await filesOfFolder(dir), '', dir);
}

/** The model of a packaged chart (.tgz bytes). */
export async function readChartPackage(bytes: Uint8Array, where: string): Promise<ChartModel> {
  const files = await archiveFiles(bytes);
  const top = [...files.keys()].find((p) => /^[^/]+\/Chart\.yaml$/.test(p));
  if (!top) throw new Error(`${where}: no Chart.yaml in the package`);
  return modelOfFiles(files, top.replace(/Chart\.yaml$/, ''), where);
}
