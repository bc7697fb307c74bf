// Reads what chart-dependencies.ts decides on from a local chart folder: Chart.yaml's dependencies,
// Chart.lock, and the charts found in charts/ (packages and unpacked folders), each named by its own
// Chart.yaml. A package of a `file://` dependency is compared with that folder's files, so a library
// subchart edited in place is rebuilt although its version did not change.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { archiveFiles } from './chart-archive.js';
import { isFileDependency, parseChartLock, parseDependencies, type DependencyFacts, type PresentPackage } from './chart-dependencies.js';

function nameAndVersion(chartYaml: string | undefined): { name: string; version: string } | undefined {
  if (chartYaml === undefined) return undefined;
  try {
    const data = parseYaml(chartYaml) as { name?: unknown; version?: unknown } | null;
    if (typeof data?.name !== 'string') return undefined;
    return { name: data.name, version: data.version === undefined ? '' : String(data.version) };
  } catch {
    return undefined;
  }
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** Every regular file under a folder, path relative to it → content. */
async function folderFiles(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.set(relative(root, path).split(sep).join('/'), await readFile(path));
    }
  };
  await walk(root);
  return files;
}

/**
 * Whether a package holds exactly the files of a folder (its entries sit under one top folder, the
 * chart's name). helm package leaves out what .helmignore names, so a folder with one is compared on
 * the files the package has: a file changed there counts, a file added that helm would ignore does not.
 */
async function packageMatchesFolder(packaged: Map<string, Buffer>, folder: string): Promise<boolean> {
  const source = await folderFiles(folder).catch(() => undefined);
  if (!source) return false;
  const inPackage = new Map([...packaged].map(([path, content]) => [path.slice(path.indexOf('/') + 1), content]));
  const ignoring = source.has('.helmignore');
  for (const [path, content] of inPackage) if (!source.get(path)?.equals(content)) return false;
  if (!ignoring) for (const path of source.keys()) if (!inPackage.has(path)) return false;
  return true;
}

async function presentPackages(chartDir: string, fileSources: Map<string, string>): Promise<PresentPackage[]> {
  const chartsDir = join(chartDir, 'charts');
  const entries = await readdir(chartsDir, { withFileTypes: true }).catch(() => []);
  const found: PresentPackage[] = [];
  for (const entry of entries) {
    const path = join(chartsDir, entry.name);
    if (entry.isDirectory()) {
      const meta = nameAndVersion(await readText(join(path, 'Chart.yaml')));
      if (meta) found.push({ entry: entry.name, ...meta, form: 'folder' });
    } else if (entry.isFile() && entry.name.endsWith('.tgz')) {
      let packaged: Map<string, Buffer>;
      try {
        packaged = await archiveFiles(await readFile(path));
      } catch {
        continue; // not a package helm could read either: helm's own error tells
      }
      const chartYaml = [...packaged].find(([name]) => /^[^/]+\/Chart\.yaml$/.test(name))?.[1]?.toString('utf8');
      const meta = nameAndVersion(chartYaml);
      if (!meta) continue;
      const sourceFolder = fileSources.get(meta.name);
      const matchesSource = sourceFolder === undefined ? undefined : await packageMatchesFolder(packaged, sourceFolder);
      found.push({ entry: entry.name, ...meta, form: 'archive', matchesSource });
    }
  }
  return found;
}

/** The facts of a chart folder, or undefined when it has no Chart.yaml or no dependencies at all. */
export async function readDependencyFacts(chartDir: string): Promise<DependencyFacts | undefined> {
  const chartYaml = await readText(join(chartDir, 'Chart.yaml'));
  if (chartYaml === undefined) return undefined;
  const dependencies = parseDependencies(chartYaml);
  if (dependencies.length === 0) return undefined;
  const lockText = await readText(join(chartDir, 'Chart.lock'));
  const lock = lockText === undefined ? undefined : parseChartLock(lockText);
  const fileSources = new Map<string, string>();
  for (const dependency of dependencies.filter(isFileDependency)) {
    const folder = resolve(chartDir, dependency.repository.slice('file://'.length));
    if ((await stat(folder).catch(() => undefined))?.isDirectory()) fileSources.set(dependency.name, folder);
  }
  return { dependencies, lock, packages: await presentPackages(chartDir, fileSources) };
}
