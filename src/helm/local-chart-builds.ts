// Local charts whose dependencies are missing or stale get them built once per run, in a private copy:
// helm refuses to render such a chart, and helmfile and Terraform's `dependency_update` build them in
// the user's folder. helmcycle never writes there: a read-only checkout works, two runs on the same
// checkout do not race over charts/, and `git status` stays clean. A complete, current charts/ is used
// as it is (nothing copied, no helm process).
import { cp, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { HelmcycleError } from '../errors.js';
import { classifyDependencies, isFileDependency, lockDigest, parseChartLock, parseDependencies, type DependencyVerdict } from './chart-dependencies.js';
import { readDependencyFacts } from './dependency-facts.js';
import { LazyRunFolder } from './run-folder.js';
import type { CallOptions, DependencyBuildRequest } from './types.js';

export class ChartDependencyError extends HelmcycleError {
  constructor(chartDir: string, verdict: Extract<DependencyVerdict, { state: 'stale' }>, cause: unknown) {
    const what = verdict.stale.map((s) => `${s.dependency.name} from ${s.dependency.repository || 'charts/'} (${s.reason})`).join('; ');
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('CHART_DEPENDENCIES_FAILED', `could not build the dependencies of the local chart ${chartDir}: ${what}: ${detail}`, {
      cause,
      hint: 'check each dependency\'s name, version and repository in its Chart.yaml (and Chart.lock), and that the repository answers',
    });
  }
}

/** Builds a chart folder's dependencies with helm (`helm dependency build|update`). */
export type DependencyBuilder = (request: DependencyBuildRequest, options?: CallOptions) => Promise<void>;

/**
 * `file://` paths point next to the user's chart: in the copy they must point at the same folders.
 * Chart.yaml and Chart.lock are edited as documents (comments and every other key kept), and the
 * lock's digest is computed again as helm computes it, so `helm dependency build` still trusts it.
 */
async function pointFileDependenciesAt(copy: string, original: string): Promise<void> {
  const chartPath = join(copy, 'Chart.yaml');
  const chart = parseDocument(await readFile(chartPath, 'utf8'));
  const absolute = (repository: string) => `file://${resolve(original, repository.slice('file://'.length))}`;
  const list = chart.get('dependencies', true) as { items?: { get(k: string): unknown; set(k: string, v: unknown): void }[] } | undefined;
  let changed = false;
  for (const item of list?.items ?? []) {
    const repository = item.get('repository');
    if (typeof repository === 'string' && repository.startsWith('file://')) {
      item.set('repository', absolute(repository));
      changed = true;
    }
  }
  if (!changed) return;
  await writeFile(chartPath, chart.toString());
  const lockPath = join(copy, 'Chart.lock');
  const lockText = await readFile(lockPath, 'utf8').catch(() => undefined);
  const lock = lockText === undefined ? undefined : parseChartLock(lockText);
  if (!lockText || !lock) return;
  const lockDoc = parseDocument(lockText);
  const locked = lock.dependencies.map((d) => (d.repository.startsWith('file://') ? { ...d, repository: absolute(d.repository) } : d));
  locked.forEach((d, i) => lockDoc.setIn(['dependencies', i, 'repository'], d.repository));
  lockDoc.set('digest', lockDigest(parseDependencies(chart.toString()), locked));
  await writeFile(lockPath, lockDoc.toString());
}

export class LocalChartBuilds {
  private readonly folder = new LazyRunFolder('deps');
  private readonly prepared = new Map<string, Promise<string>>();

  constructor(private readonly build: DependencyBuilder) {}

  /** The folder helm should render: the chart itself when its dependencies are current, else a built copy. */
  chartFor(chartDir: string, options?: CallOptions): Promise<string> {
    const key = resolve(chartDir);
    let answer = this.prepared.get(key);
    if (!answer) {
      answer = this.prepare(key, options);
      this.prepared.set(key, answer);
      // A failed build is not kept: the next release of the same chart reports it again, as itself.
      answer.catch(() => this.prepared.delete(key));
    }
    return answer;
  }

  private async prepare(chartDir: string, options?: CallOptions): Promise<string> {
    const facts = await readDependencyFacts(chartDir);
    if (!facts) return chartDir;
    const verdict = classifyDependencies(facts);
    if (verdict.state === 'current') return chartDir;
    const root = await this.folder.path();
    const copy = join(root, String(this.prepared.size), basename(chartDir));
    try {
      await cp(chartDir, copy, { recursive: true, filter: (path) => basename(path) !== '.git' });
      if (facts.dependencies.some(isFileDependency)) await pointFileDependenciesAt(copy, chartDir);
      const repositories = [...new Set(facts.dependencies.map((d) => d.repository).filter((r) => /^https?:\/\//.test(r)))];
      await this.build({ chart: copy, mode: verdict.mode, repositories }, options);
      return copy;
    } catch (error) {
      throw new ChartDependencyError(chartDir, verdict, error);
    }
  }

  async dispose(): Promise<void> {
    await this.folder.dispose();
    this.prepared.clear();
  }
}
