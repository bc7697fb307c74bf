// Whether a local chart's charts/ folder holds what its Chart.yaml `dependencies` (and Chart.lock) ask
// for, decided from facts already read (dependency-facts.ts reads them). helm refuses to render a chart
// whose charts/ lacks a declared dependency ("found in Chart.yaml, but missing in charts/ directory");
// helmfile and Terraform's helm provider build the dependencies first, and so does helmcycle, but only
// when this says they are missing or stale: a complete, current charts/ is used as it is. Pure.
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import semver from 'semver';
import { semverRange } from './chart-resolver.js';

/** One entry of Chart.yaml's `dependencies`, with the fields helm's lock digest covers. */
export interface ChartDependency {
  name: string;
  version?: string | undefined;
  /** A repository URL, `file://<folder>`, `oci://...`, `@name` / `alias:name`, or '' for a vendored subchart. */
  repository: string;
  condition?: string | undefined;
  tags?: string[] | undefined;
  enabled?: boolean | undefined;
  importValues?: unknown[] | undefined;
  alias?: string | undefined;
}

export interface LockedDependency {
  name: string;
  version: string;
  repository: string;
}

export interface ChartLock {
  dependencies: LockedDependency[];
  /** `sha256:<hex>` of Chart.yaml's dependencies and the locked ones, as helm computes it. */
  digest: string;
}

/** A chart found in charts/: a package (.tgz) or an unpacked folder. */
export interface PresentPackage {
  /** The file or folder name inside charts/. */
  entry: string;
  name: string;
  version: string;
  form: 'archive' | 'folder';
  /** For the package of a `file://` dependency: whether it holds what that folder holds now. */
  matchesSource?: boolean | undefined;
}

export interface DependencyFacts {
  dependencies: ChartDependency[];
  lock: ChartLock | undefined;
  packages: PresentPackage[];
}

/** Why a dependency needs building, for the log and errors. */
export interface StaleDependency {
  dependency: ChartDependency;
  reason: string;
}

export type DependencyVerdict =
  | { state: 'current' }
  /** `build`: `helm dependency build` from the lock; `update`: resolve anew (no lock, or one out of sync). */
  | { state: 'stale'; mode: 'build' | 'update'; stale: StaleDependency[] };

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function dependencyOf(raw: unknown): ChartDependency {
  const data = record(raw);
  const tags = Array.isArray(data.tags) ? data.tags.map(String) : undefined;
  return {
    name: text(data.name) ?? '',
    version: text(data.version),
    repository: text(data.repository) ?? '',
    condition: text(data.condition),
    tags,
    enabled: typeof data.enabled === 'boolean' ? data.enabled : undefined,
    importValues: Array.isArray(data['import-values']) ? data['import-values'] : undefined,
    alias: text(data.alias),
  };
}

/** The `dependencies` of a Chart.yaml text (none when it has none or is not YAML helm would read). */
export function parseDependencies(chartYaml: string): ChartDependency[] {
  let data: unknown;
  try {
    data = parseYaml(chartYaml);
  } catch {
    return [];
  }
  const list = record(data).dependencies;
  return Array.isArray(list) ? list.map(dependencyOf) : [];
}

/** A Chart.lock text, or undefined when it is not one. */
export function parseChartLock(lockYaml: string): ChartLock | undefined {
  let data: Record<string, unknown>;
  try {
    data = record(parseYaml(lockYaml));
  } catch {
    return undefined;
  }
  if (!Array.isArray(data.dependencies) || typeof data.digest !== 'string') return undefined;
  const dependencies = data.dependencies.map((raw) => {
    const entry = record(raw);
    return { name: text(entry.name) ?? '', version: text(entry.version) ?? '', repository: text(entry.repository) ?? '' };
  });
  return { dependencies, digest: data.digest };
}

/** A value as Go's encoding/json writes it: map keys sorted, and <, >, & and U+2028/9 escaped. */
function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${goJson(k)}:${goJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return (JSON.stringify(value) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One dependency as helm marshals its Dependency struct (field order and omitempty as in Go). */
function goDependency(dependency: Partial<ChartDependency> & { name: string; repository: string }): string {
  const parts = [`"name":${goJson(dependency.name)}`];
  if (dependency.version) parts.push(`"version":${goJson(dependency.version)}`);
  parts.push(`"repository":${goJson(dependency.repository)}`);
  if (dependency.condition) parts.push(`"condition":${goJson(dependency.condition)}`);
  if (dependency.tags?.length) parts.push(`"tags":${goJson(dependency.tags)}`);
  if (dependency.enabled) parts.push('"enabled":true');
  if (dependency.importValues?.length) parts.push(`"import-values":${goJson(dependency.importValues)}`);
  if (dependency.alias) parts.push(`"alias":${goJson(dependency.alias)}`);
  return `{${parts.join(',')}}`;
}

/** The digest helm writes into Chart.lock for these dependencies and locked versions. */
export function lockDigest(dependencies: readonly ChartDependency[], locked: readonly LockedDependency[]): string {
  const json = `[[${dependencies.map(goDependency).join(',')}],[${locked.map(goDependency).join(',')}]]`;
  return `sha256:${createHash('sha256').update(json).digest('hex')}`;
}

/** Whether a lock still describes Chart.yaml's dependencies (helm refuses to build from one that does not). */
export function lockInSync(dependencies: readonly ChartDependency[], lock: ChartLock): boolean {
  return lock.digest === lockDigest(dependencies, lock.dependencies);
}

function satisfies(version: string, constraint: string | undefined): boolean {
  if (!constraint?.trim() || constraint.trim() === version) return true;
  const range = semverRange(constraint);
  const parsed = semver.valid(version);
  // A constraint node-semver cannot read: only an exact match counts, so helm is asked to build.
  return range !== undefined && parsed !== null && semver.satisfies(parsed, range);
}

/** A vendored subchart: helm takes it from charts/ as it is, and no build could bring it. */
export function isVendored(dependency: ChartDependency): boolean {
  return dependency.repository.trim() === '';
}

export function isFileDependency(dependency: ChartDependency): boolean {
  return dependency.repository.startsWith('file://');
}

/** What, if anything, must be built before helm can use the chart. */
export function classifyDependencies(facts: DependencyFacts): DependencyVerdict {
  const { dependencies, lock, packages } = facts;
  const usableLock = lock && lockInSync(dependencies, lock) ? lock : undefined;
  const unusedLocks = [...(usableLock?.dependencies ?? [])];
  const stale: StaleDependency[] = [];
  for (const dependency of dependencies) {
    const lockIndex = unusedLocks.findIndex((entry) => entry.name === dependency.name && entry.repository === dependency.repository);
    const locked = lockIndex >= 0 ? unusedLocks.splice(lockIndex, 1)[0] : undefined;
    if (isVendored(dependency)) continue;
    const candidates = packages.filter((found) => found.name === dependency.name);
    const wanted = locked ? `version ${locked.version} (Chart.lock)` : `version ${dependency.version ?? '*'}`;
    const fits = candidates.filter((found) => (locked ? found.version === locked.version : satisfies(found.version, dependency.version)));
    if (candidates.length === 0) stale.push({ dependency, reason: 'missing in charts/' });
    else if (fits.length === 0) stale.push({ dependency, reason: `charts/ holds ${candidates.map((c) => c.version).join(', ')}, not ${wanted}` });
    else if (isFileDependency(dependency) && fits.every((found) => found.matchesSource === false)) stale.push({ dependency, reason: `${dependency.repository} changed since it was packaged` });
  }
  if (lock && !usableLock && dependencies.some((d) => !isVendored(d)) && stale.length === 0) {
    // charts/ may be complete, but helm checks nothing more: the lock out of sync is the user's to fix
    // only when they run helm themselves; helmcycle builds a copy that is consistent.
    stale.push(...dependencies.filter((d) => !isVendored(d)).map((dependency) => ({ dependency, reason: 'Chart.lock is out of sync with Chart.yaml' })));
  }
  if (stale.length === 0) return { state: 'current' };
  return { state: 'stale', mode: usableLock ? 'build' : 'update', stale };
}
