// What a YAML stack may read from this machine: files inside the stack's repository (the git work tree
// that holds the stack file, else the stack file's folder), plus folders the runner allows
// (--allow-path). A YAML stack is data from whoever opened the pull request; without this check
// `valuesFiles: [/home/ci/.aws/credentials]` or `chart: ../../..` would render any file the CI machine
// can read into the cluster (the class of Argo CD's CVE-2022-24348). Symlinks are resolved before the
// check, the path's own and every one inside a folder the stack names (a chart folder, a CRD folder), as
// helm follows them. A TS config is code and not checked: a config that assembles its stack from data
// it does not trust opts in by calling checkStackPaths itself (see checkStackPaths).
import { existsSync, statSync } from 'node:fs';
import { readdir, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StackConfigError, type SpecIssue } from '../errors.js';
import { isLocalChart } from '../lifecycle/requests.js';
import { isInside } from '../host/inside-folder.js';
import { pathsOf } from './paths.js';
import type { ResolvedStack } from './types.js';

export interface PathPolicy {
  /** The folder every path must be inside (its real path is taken); default: stackRoot of the stack file. */
  root?: string;
  /** More folders the runner allows (--allow-path), relative to `cwd`. */
  allowPaths?: readonly string[];
  /** Where a bare local chart name is read from (helm's working folder) and --allow-path is relative to. */
  cwd?: string;
}

/** How many entries of a folder the stack names are looked at for symlinks before the folder is refused as too big to check. */
const MAX_FOLDER_ENTRIES = 20_000;

/** Whether the stack file is data (YAML), whose paths are checked; a TS or JS config is code. */
export function isDataStack(file: string | undefined): file is string {
  const ext = extname(file ?? '').toLowerCase();
  return ext === '.yaml' || ext === '.yml';
}

/** The git work tree that holds `file` (a folder with a `.git` folder or file, found by walking up), else its folder. */
export function stackRoot(file: string): string {
  const start = dirname(resolve(file));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/**
 * The real path of `path`; for one that does not exist, the real path of its nearest existing parent
 * plus the rest. A link that cannot be followed (a loop, a folder it may not search) is judged by where
 * it points, never by where it sits.
 */
async function realOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const parent = dirname(path);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      const target = await readlink(path).catch(() => undefined);
      if (target !== undefined) return resolve(dirname(path), target);
    }
    return parent === path ? path : join(await realOf(parent), basename(path));
  }
}

/** The targets of the symlinks inside a folder that lead outside the allowed folders (first few). */
async function escapingLinks(folder: string, allowed: readonly string[]): Promise<string[]> {
  const escapes: string[] = [];
  const todo = [folder];
  let seen = 0;
  while (todo.length > 0 && escapes.length < 3) {
    const dir = todo.pop()!;
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (++seen > MAX_FOLDER_ENTRIES) return [...escapes, `${folder} (more than ${MAX_FOLDER_ENTRIES} entries: too many to check)`];
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = await realOf(path);
        if (!allowed.some((root) => isInside(target, root))) escapes.push(`${path} → ${target}`);
      } else if (entry.isDirectory()) todo.push(path);
    }
  }
  return escapes;
}

/** Every path a chart of the stack reads, with its field. Bare local chart names are read by helm from `cwd`. */
function pathsToCheck(stack: ResolvedStack, cwd: string): { chart: string | undefined; field: string; path: string }[] {
  const found: { chart: string | undefined; field: string; path: string }[] = [];
  for (const chart of stack.charts) {
    for (const [field, path] of pathsOf(chart.definition)) found.push({ chart: chart.name, field, path });
    const reference = chart.definition.chart;
    // A local chart not written as ./ or ../ (`web`, `dir/web`): helm reads it as a path from its working
    // folder when one is there, else as a repository reference.
    if (isLocalChart(chart.definition) && !isAbsolute(reference) && existsSync(resolve(cwd, reference))) found.push({ chart: chart.name, field: 'chart', path: resolve(cwd, reference) });
  }
  stack.fleet?.targets.forEach((target, index) => target.kubeconfig && found.push({ chart: undefined, field: `targets[${index}].kubeconfig`, path: target.kubeconfig }));
  return found;
}

/**
 * Refuses (StackConfigError, exit 2) a stack that names a file or folder outside its root and the
 * allowed folders, naming the file, chart, field and path. loadStack calls it for YAML stacks; a TS
 * config that builds its charts from untrusted data can call it on its own resolved stack
 * (`await checkStackPaths(resolveStack(definition, { file }), { root })`).
 */
export async function checkStackPaths(stack: ResolvedStack, policy: PathPolicy = {}): Promise<void> {
  const cwd = policy.cwd ?? process.cwd();
  const root = policy.root ?? (stack.file ? stackRoot(stack.file) : cwd);
  const allowed = await Promise.all([root, ...(policy.allowPaths ?? []).map((dir) => resolve(cwd, dir))].map(realOf));
  const where = `the stack's ${existsSync(join(root, '.git')) ? 'repository' : 'folder'} ${root}`;
  const byChart = new Map<string | undefined, SpecIssue[]>();
  for (const { chart, field, path } of pathsToCheck(stack, cwd)) {
    const real = await realOf(path);
    const problems: string[] = [];
    if (!allowed.some((folder) => isInside(real, folder))) problems.push(`${path}${real === path ? '' : ` (really ${real})`} is outside ${where}`);
    else if (isFolder(real)) problems.push(...(await escapingLinks(real, allowed)).map((link) => `the symlink ${link} leads outside ${where}`));
    if (problems.length === 0) continue;
    const issues = byChart.get(chart) ?? [];
    issues.push(...problems.map((message) => ({ field, message })));
    byChart.set(chart, issues);
  }
  const [first] = byChart;
  if (!first) return;
  const [chart, issues] = first;
  // The reason and the way out go first: the issue lines are cut at a screen's width.
  const what = chart ? `chart '${chart}' names a path outside the stack's folder` : 'the stack names a path outside its folder';
  throw new StackConfigError(`${what} (a YAML stack reads only files inside its repository; the runner may allow a folder with --allow-path)`, { file: stack.file, ...(chart ? { chart } : {}), issues });
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

