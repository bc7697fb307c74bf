// `helmcycle init`: writes a typed one-chart stack to start from, checks it as plan would, never
// overwrites a file, and says what it wrote and what to run next.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { isInputError, ScaffoldError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { DEFAULT_CONFIG_FILES, resolveStack } from '../stack/load.js';
import { EXAMPLE_CHART, releaseNameFor, SCAFFOLD_FORMATS, scaffoldSource, scaffoldStack, type ScaffoldChart, type ScaffoldFormat } from './init-scaffold.js';

export interface InitOptions {
  format?: string;
  /** The file to write (the global -c); by default the format's default name in the current folder. */
  config?: string;
  chart?: string;
  repo?: string;
  chartVersion?: string;
  namespace?: string;
  name?: string;
}

const DEFAULT_FILE: Record<ScaffoldFormat, string> = { ts: 'helmcycle.config.ts', mts: 'helmcycle.config.mts', js: 'helmcycle.config.js', yaml: 'helmcycle.yaml' };
/** What a file name says about the format and, for JavaScript, the module system. */
const BY_EXTENSION: Record<string, { format: ScaffoldFormat; module?: 'esm' | 'cjs' }> = {
  '.ts': { format: 'ts' },
  '.mts': { format: 'mts' },
  '.js': { format: 'js' },
  '.mjs': { format: 'js', module: 'esm' },
  '.cjs': { format: 'js', module: 'cjs' },
  '.yaml': { format: 'yaml' },
  '.yml': { format: 'yaml' },
};

function parseFormat(value: string): ScaffoldFormat {
  const format = value === 'yml' ? 'yaml' : value;
  if (!(SCAFFOLD_FORMATS as readonly string[]).includes(format)) {
    throw new ScaffoldError(`unknown format '${value}'`, `--format is one of ${SCAFFOLD_FORMATS.join(', ')}`);
  }
  return format as ScaffoldFormat;
}

/** The file to write and its format: from -c's extension, else --format (default ts). */
function target(options: InitOptions, cwd: string): { file: string; format: ScaffoldFormat; module?: 'esm' | 'cjs' } {
  const asked = options.format === undefined ? undefined : parseFormat(options.format);
  if (!options.config) {
    const format = asked ?? 'ts';
    return { file: resolve(cwd, DEFAULT_FILE[format]), format };
  }
  const byName = BY_EXTENSION[extname(options.config)];
  if (!byName) throw new ScaffoldError(`cannot tell the format of ${options.config}`, `name it .ts, .mts, .js, .mjs, .cjs, .yaml or .yml`);
  if (asked && asked !== byName.format) throw new ScaffoldError(`${options.config} is not a ${asked} file`, `drop --format, or name the file for it (e.g. ${DEFAULT_FILE[asked]})`);
  return { file: resolve(cwd, options.config), ...byName };
}

/** CommonJS or ES module, as Node decides for a .js file: the nearest package.json's "type". */
async function moduleKindAt(folder: string): Promise<'esm' | 'cjs'> {
  for (let dir = folder; ; dir = dirname(dir)) {
    const manifest = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (manifest !== undefined) {
      try {
        return (JSON.parse(manifest) as { type?: unknown }).type === 'module' ? 'esm' : 'cjs';
      } catch {
        return 'cjs';
      }
    }
    if (dirname(dir) === dir) return 'cjs';
  }
}

/** A default config file already in the folder: plan would pick one of the two, so init refuses. */
async function existingDefault(file: string): Promise<string | undefined> {
  if (!DEFAULT_CONFIG_FILES.includes(basename(file))) return undefined;
  for (const name of DEFAULT_CONFIG_FILES) {
    const other = join(dirname(file), name);
    if (other !== file && (await readFile(other).then(() => true, () => false))) return other;
  }
  return undefined;
}

/** A local chart as the stack file's folder reaches it: paths in a stack are anchored there, not at the cwd. */
function chartFrom(chart: string, cwd: string, folder: string): string {
  if (!/^\.{1,2}([/\\]|$)/.test(chart)) return chart;
  const rel = relative(folder, resolve(cwd, chart)).split(sep).join('/');
  return rel.startsWith('../') ? rel : `./${rel}`;
}

function chartOf(options: InitOptions, cwd: string, folder: string): ScaffoldChart {
  if (!options.chart && (options.repo || options.chartVersion)) throw new ScaffoldError('--repo and --chart-version need --chart', 'name the chart: --chart NAME (in --repo), a local folder, or an oci:// reference');
  const chart = options.chart ? chartFrom(options.chart, cwd, folder) : EXAMPLE_CHART.chart;
  const repository = options.chart ? options.repo : EXAMPLE_CHART.repository;
  const name = options.name ?? releaseNameFor(chart);
  return { name, namespace: options.namespace ?? name, chart, ...(repository ? { repository } : {}), ...(options.chartVersion ? { version: options.chartVersion } : {}), example: !options.chart };
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith(`..${sep}`) && rel !== '..' ? rel : file;
}

/** The JSON Schema shipped with this helmcycle, as the YAML file's folder reaches it. */
function schemaPathFrom(folder: string): string {
  const schema = join(packageRoot(), 'schema', 'helmcycle.schema.json');
  const rel = relative(folder, schema).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export async function runInit(options: InitOptions, cwd: string, stdout: (text: string) => void): Promise<number> {
  const { file, format, module } = target(options, cwd);
  const shown = displayPath(file, cwd);
  const other = await existingDefault(file);
  if (other) throw new ScaffoldError(`${displayPath(other, cwd)} already holds this folder's stack; init writes no second one`, `edit it, or write another file with -c FILE init`);
  const chart = chartOf(options, cwd, dirname(file));
  const stack = scaffoldStack(chart);
  // Checked as plan will check it, so a bad --namespace or --name is refused now, not after writing.
  try {
    resolveStack(stack, { file });
  } catch (error) {
    if (!isInputError(error)) throw error;
    throw new ScaffoldError(`the chart init would write is invalid: ${(error as Error).message}`, 'fix --chart, --repo, --chart-version, --namespace or --name; nothing was written');
  }
  const found = DEFAULT_CONFIG_FILES.includes(basename(file)) && dirname(file) === cwd;
  const command = `npx helmcycle${found ? '' : ` -c ${shown}`}`;
  const source = scaffoldSource({ format, module: module ?? (await moduleKindAt(dirname(file))), chart, schemaPath: schemaPathFrom(dirname(file)), command });
  try {
    await writeFile(file, source, { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ScaffoldError(`${shown} already exists; init never overwrites a file`, 'edit it, remove it first, or write another file with -c FILE init');
    throw new ScaffoldError(`cannot write ${shown}: ${(error as Error).message}`, 'write it in a folder you may write to (-c FILE init)');
  }
  const from = chart.repository ? `${chart.chart} from ${chart.repository}` : chart.chart;
  stdout(`wrote ${shown}: release ${chart.name} in namespace ${chart.namespace}, chart ${from}${chart.example ? ' (an example: put your chart in its place)' : ''}\n`);
  stdout(`next: ${command} plan\n`);
  return 0;
}
