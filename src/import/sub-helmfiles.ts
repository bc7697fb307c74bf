// `helmfiles:`: a helmfile made of sub-helmfiles. Each entry (a path, or `{ path, values, selectors }`,
// the path possibly a `*` glob) is read as a helmfile of its own in the same environment, inside the top
// helmfile's folder; its `values` are given to it over its own environment values, its `selectors`
// keep only the releases they match (helmfile's `key=value` / `key!=value`, comma-joined terms all
// true, any of the selectors; `name`, `namespace` and `chart` are labels too). Its releases join the
// stack with their origin, its repositories are merged, and its own helmDefaults and commonLabels are
// written into its releases (stack defaults are the top helmfile's). Pure but for the files it reads.
import { dirname, join } from 'node:path';
import { parseYamlPart } from './documents.js';
import { containedPath, shownPath } from './files.js';
import { isMap, isSpecial } from './gotmpl/values.js';
import type { LoadContext, LoadedState } from './load-state.js';
import { plainData } from './plain-data.js';
import { shown } from './quote.js';
import { rebaseRelease } from './release-values.js';
import { mergeRepositories } from './state-merge.js';
import { StackConfigError } from '../errors.js';

/** The loader of one helmfile (load-state.ts), passed in to keep the two files apart. */
export type LoadFile = (path: string, context: LoadContext, options: { extra?: unknown[]; chain?: readonly string[] }) => LoadedState;

/** helmDefaults fields that are release fields too. */
const RELEASE_DEFAULTS = ['wait', 'waitForJobs', 'timeout', 'atomic', 'createNamespace', 'force', 'cleanupOnFail', 'historyMax', 'skipCRDs', 'disableHooks'];

/** Whether a release matches one selector (`a=b,c!=d`). */
export function matchesSelector(release: Record<string, unknown>, selector: string): boolean {
  const labels: Record<string, unknown> = { ...(isMap(release.labels) ? release.labels : {}), name: release.name, namespace: release.namespace ?? '', chart: release.chart };
  return selector
    .split(',')
    .map((term) => term.trim())
    .filter(Boolean)
    .every((term) => {
      const negated = term.includes('!=');
      const [key, value] = negated ? term.split('!=') : term.split('=');
      const actual = labels[key!.trim()];
      const equal = actual !== undefined && String(actual) === (value ?? '').trim();
      return negated ? !equal : equal;
    });
}

/** The files a `helmfiles:` path names: itself, or each match of its `*` segments (sorted, as helmfile reads them). */
export function expandGlob(pattern: string, from: string, context: LoadContext, field: string): string[] {
  if (!pattern.includes('*')) return [containedPath(context.files, context.root, from, field, pattern)];
  let paths = [dirname(from)];
  for (const segment of pattern.split('/')) {
    if (!segment.includes('*')) {
      paths = paths.map((p) => join(p, segment));
      continue;
    }
    const matcher = new RegExp(`^${segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*+/g, '[^/]*')}$`);
    paths = paths.flatMap((p) => context.files.list(p).filter((name) => matcher.test(name)).map((name) => join(p, name)));
  }
  return paths.map((p) => containedPath(context.files, context.root, from, field, p));
}

/** The sub-helmfiles of `loaded` (read from `path`) loaded, their releases appended with origins. */
export function withSubHelmfiles(loaded: LoadedState, path: string, context: LoadContext, chain: readonly string[], load: LoadFile): LoadedState {
  const entries = loaded.state.helmfiles;
  if (entries === undefined) return loaded;
  const { helmfiles: _, ...state } = loaded.state;
  const file = shownPath(context.root, path);
  if (!Array.isArray(entries)) throw new StackConfigError('not a helmfile this import can read', { file, issues: [{ field: 'helmfiles', message: 'expected a list of helmfile paths' }] });
  const releases = Array.isArray(state.releases) ? [...(state.releases as unknown[])] : [];
  const origins = [...loaded.origins];
  let repositories = state.repositories;
  entries.forEach((entry, index) => {
    const field = `helmfiles[${index}]`;
    const spec = typeof entry === 'string' ? { path: entry } : isMap(entry) ? entry : undefined;
    if (!spec || typeof spec.path !== 'string' || isSpecial(spec.path)) {
      context.note({ field, what: 'a sub-helmfile that is not a local path (a remote git:: or a template the import cannot evaluate)', instead: 'a copy of that helmfile next to this one, imported with it' });
      return;
    }
    const selectors = Array.isArray(spec.selectors) ? spec.selectors.filter((s): s is string => typeof s === 'string') : [];
    const extra = Array.isArray(spec.values) ? spec.values.map((v, i) => (typeof v === 'string' ? subValuesFile(v, path, `${field}.values[${i}]`, context) : v)) : [];
    for (const key of Object.keys(spec)) if (!['path', 'values', 'selectors', 'selectorsInherited'].includes(key)) context.note({ field: `${field}.${key}`, what: `unknown key '${shown(key, 60)}' of a sub-helmfile`, instead: 'none known: check what it does in helmfile' });
    const files = expandGlob(spec.path, path, context, `${field}.path`);
    if (files.length === 0) context.note({ field: `${field}.path`, what: `no helmfile matches ${shown(spec.path)}`, instead: 'the path of an existing helmfile' });
    for (const sub of files) {
      const child = load(sub, context, { extra, chain });
      const defaults = isMap(child.state.helmDefaults) ? child.state.helmDefaults : {};
      const common = isMap(child.state.commonLabels) ? child.state.commonLabels : {};
      (Array.isArray(child.state.releases) ? child.state.releases : []).forEach((release, i) => {
        if (!isMap(release)) return;
        if (selectors.length && !selectors.some((s) => matchesSelector(release, s))) return;
        const inherited = Object.fromEntries(Object.entries(defaults).filter(([k]) => RELEASE_DEFAULTS.includes(k) && release[k] === undefined));
        const labels = Object.keys(common).length ? { labels: { ...common, ...(isMap(release.labels) ? release.labels : {}) } } : {};
        releases.push(rebaseRelease({ ...inherited, ...release, ...labels }, sub, path));
        origins.push(child.origins[i] ?? `${shownPath(context.root, sub)}: releases[${i}]`);
      });
      repositories = mergeRepositories(repositories, child.state.repositories, `${shownPath(context.root, sub)}: `, context.note);
      for (const key of Object.keys(defaults)) if (!RELEASE_DEFAULTS.includes(key)) context.note({ field: `${shownPath(context.root, sub)}: helmDefaults.${key}`, what: `helmDefaults.${shown(key, 60)} of a sub-helmfile`, instead: 'the matching chart field on its charts, set by hand' });
    }
  });
  return { ...loaded, state: { ...state, releases, ...(repositories !== undefined ? { repositories } : {}) }, origins };
}

/** A sub-helmfile's values file, named by its parent (relative to the parent's folder). */
function subValuesFile(path: string, from: string, field: string, context: LoadContext): unknown {
  const target = containedPath(context.files, context.root, from, field, path);
  const text = context.files.read(target);
  if (text === undefined) {
    context.note({ field, what: `the values file ${shown(path)} (missing or not readable)`, instead: 'the file, next to the helmfile' });
    return {};
  }
  if (text.includes('{{')) {
    context.note({ field, what: `the values template ${shown(path)} given to a sub-helmfile`, instead: 'plain values (a map in the helmfiles entry)' });
    return {};
  }
  return plainData(parseYamlPart(text, shownPath(context.root, target)), field, context.note) ?? {};
}
