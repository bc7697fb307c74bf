// Every path a stack file names, anchored at that file's folder (never at the working directory, so a
// stack behaves the same wherever helmcycle is run from), and checked before anything touches the
// cluster, so plan finds a missing CRD folder or CA file as surely as apply does.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { StackConfigError } from '../errors.js';
import { isLocalChart } from '../lifecycle/requests.js';
import type { ResolvedStack, StackChart } from './types.js';

type Definition = Pick<StackChart, 'chart' | 'repository' | 'valuesFiles' | 'secretValuesFiles' | 'crds' | 'repositoryAuth' | 'keyring'>;

const AUTH_FILES = ['caFile', 'certFile', 'keyFile'] as const;

/** A local chart written as a relative folder; a bare name (`web`) is left to helm, as helm reads it. */
function isRelativeChartPath(definition: Definition): boolean {
  return isLocalChart(definition) && (definition.chart.startsWith('./') || definition.chart.startsWith('../'));
}

/** The definition with each of its paths anchored at `baseDir`. Pure; expects a checked spec. */
export function anchorPaths<T extends Definition>(definition: T, baseDir: string): T {
  const at = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  const anchored: T = { ...definition };
  if (isRelativeChartPath(definition)) anchored.chart = resolve(baseDir, definition.chart);
  if (definition.valuesFiles) anchored.valuesFiles = definition.valuesFiles.map(at);
  if (definition.secretValuesFiles) anchored.secretValuesFiles = definition.secretValuesFiles.map(at);
  if (definition.crds?.path) anchored.crds = { ...definition.crds, path: at(definition.crds.path) };
  if (definition.keyring) anchored.keyring = at(definition.keyring);
  const auth = definition.repositoryAuth;
  if (auth) {
    const files = Object.fromEntries(AUTH_FILES.filter((key) => auth[key]).map((key) => [key, at(auth[key]!)]));
    anchored.repositoryAuth = { ...auth, ...files };
  }
  return anchored;
}

/** Each path of a definition that must exist, with the field that names it. Pure. */
export function pathsOf(definition: Definition): [field: string, path: string][] {
  const paths: [string, string][] = (definition.valuesFiles ?? []).map((f, i) => [`valuesFiles[${i}]`, f]);
  (definition.secretValuesFiles ?? []).forEach((f, i) => paths.push([`secretValuesFiles[${i}]`, f]));
  if (isLocalChart(definition) && isAbsolute(definition.chart)) paths.push(['chart', definition.chart]);
  if (definition.crds?.path) paths.push(['crds.path', definition.crds.path]);
  if (definition.keyring) paths.push(['keyring', definition.keyring]);
  for (const key of AUTH_FILES) {
    const path = definition.repositoryAuth?.[key];
    if (path) paths.push([`repositoryAuth.${key}`, path]);
  }
  return paths;
}

/** Every file and folder the stack names is there and readable: a missing one is bad input, found up front. */
export async function checkStackFiles(stack: ResolvedStack): Promise<void> {
  for (const chart of stack.charts) {
    const missing: { field: string; message: string; unreadable: boolean }[] = [];
    for (const [field, path] of pathsOf(chart.definition)) {
      try {
        await access(path, constants.R_OK);
      } catch (error) {
        const unreadable = (error as NodeJS.ErrnoException).code !== 'ENOENT';
        const anchored = stack.file ? " (a relative path is read from the stack file's folder)" : '';
        missing.push({ field, message: `${path} ${unreadable ? 'cannot be read' : 'does not exist'}${anchored}`, unreadable });
      }
    }
    if (missing.length > 0) {
      const what = missing.some((m) => m.unreadable) ? 'a file it cannot read' : 'a file that does not exist';
      throw new StackConfigError(`chart '${chart.name}' names ${what}`, {
        ...(stack.file ? { file: stack.file } : {}),
        chart: chart.name,
        issues: missing.map(({ field, message }) => ({ field, message })),
      });
    }
  }
}
