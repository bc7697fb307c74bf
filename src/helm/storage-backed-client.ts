// A HelmClient that answers the read side from Helm's own storage and the run's caches, and hands
// everything that changes the cluster or renders to the real client behind it:
//   status, history, getManifest, getValues (user-supplied): decoded release records (release-storage.ts),
//     through the run's snapshot (release-snapshot.ts); a write through this client re-reads its release
//   showChart: the local Chart.yaml or the repository index (chart-resolver.ts), else helm, once per source
//   pull: once per (source, destination)
//   upgradeInstall, dryRun, template in a run: from one local copy of each fetched chart (run-charts.ts),
//     downloaded without helm from a plain repository (chart-download.ts)
//   version: the inner client caches it
// A storage driver helmcycle cannot read (HELM_DRIVER=sql, memory) sends every call to helm.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { downloadPackage } from './chart-download.js';
import { ChartResolver } from './chart-resolver.js';
import { RunFacts, type KnownFacts } from './run-facts.js';
import { needsFetch, RunCharts, sourceKey } from './run-charts.js';
import { ChartDigestError } from './chart-digest.js';
import { LocalChartBuilds } from './local-chart-builds.js';
import { ReleaseSnapshot, type RecordLister, type ReleaseViewScope } from './release-snapshot.js';
import { latestRevision, storageDriverOf, toReleaseInfo, toRevisionInfo, type StorageDriver, type StoredRelease } from './release-storage.js';
import type {
  CallOptions,
  ChartMetadata,
  ChartSource,
  DependencyBuildRequest,
  DryRunResult,
  HelmClient,
  HelmVersion,
  ReleaseInfo,
  ReleaseRef,
  RevisionInfo,
  RollbackRequest,
  TemplateRequest,
  TestRequest,
  TestRun,
  UninstallRequest,
  UpgradeRequest,
} from './types.js';

export { SERVER_VERSION_FACT, type KnownFacts } from './run-facts.js';

export interface StorageBackedOptions {
  /** HELM_DRIVER as helm will see it; the process environment's by default. */
  helmDriver?: string | undefined;
  /** 'run': one list per namespace, kept until the run ends; 'live': every read asks the API server. */
  scope?: ReleaseViewScope;
  /** Resolves local chart folders. */
  cwd?: string;
}

/** Counts of what the view answered itself and what it left to helm, for the benchmark. */
export interface ReadCounts {
  fromStorage: number;
  toHelm: number;
  recordLists: number;
  indexFetches: number;
}

export class StorageBackedHelmClient implements HelmClient {
  readonly inner: HelmClient;
  readonly scope: ReleaseViewScope;
  private readonly kube: RecordLister;
  private readonly options: StorageBackedOptions;
  private readonly driver: StorageDriver | undefined;
  private readonly snapshot: ReleaseSnapshot | undefined;
  private readonly resolver: ChartResolver;
  private readonly charts = new Map<string, Promise<ChartMetadata>>();
  private readonly pulls = new Map<string, Promise<string>>();
  private readonly runCharts: RunCharts;
  private readonly localBuilds: LocalChartBuilds;
  /** The cluster's and the tools' facts this client learnt (a run view's are shared with its client's report). */
  private facts: RunFacts;
  private counts = { fromStorage: 0, toHelm: 0 };

  constructor(inner: HelmClient, kube: RecordLister, options: StorageBackedOptions = {}) {
    this.inner = inner;
    this.kube = kube;
    this.options = options;
    this.scope = options.scope ?? 'live';
    this.driver = storageDriverOf('helmDriver' in options ? options.helmDriver : process.env.HELM_DRIVER);
    this.snapshot = this.driver ? new ReleaseSnapshot(kube, this.driver, this.scope) : undefined;
    this.resolver = new ChartResolver(options.cwd);
    this.runCharts = new RunCharts(inner, async (source, folder, callOptions) => {
      const pkg = await this.resolver.packageOf(source, callOptions?.signal);
      return pkg ? downloadPackage(pkg, folder, callOptions?.signal) : undefined;
    });
    this.localBuilds = new LocalChartBuilds((request, callOptions) => inner.buildDependencies(request, callOptions));
    this.facts = new RunFacts(this.scope);
  }

  /** Ends the run: removes the run folders of fetched charts and built copies (the process's exit removes them too). */
  async dispose(): Promise<void> {
    await Promise.all([this.runCharts.dispose(), this.localBuilds.dispose()]);
  }

  /**
   * In a run, a fetched chart's request reads the run's local copy instead; if fetching fails, the
   * request goes as it came (helm then fetches, and reports any error itself).
   */
  private async fromRunCopy<R extends { source: ChartSource }>(request: R, options?: CallOptions): Promise<R> {
    if (this.scope !== 'run') return request;
    if (!needsFetch(request.source)) return this.withDependencies(request, options);
    // A chart to verify goes to helm each time: the inner client pulls it with its .prov and checks both.
    if (request.source.verify) return request;
    const local = await this.runCharts.local(sourceKey(request.source), request.source, options).catch((error: unknown) => {
      // A pinned chart that is not what it should be is the answer, not a reason to let helm fetch it.
      if (error instanceof ChartDigestError) throw error;
      return undefined;
    });
    return local ? { ...request, source: { chart: local } } : request;
  }

  /**
   * A local chart folder whose dependencies are missing or stale renders from a copy with them built
   * (once per run and folder). A failed build is the chart's error: helm's own ("missing in charts/")
   * would not say which dependency or repository failed.
   */
  private async withDependencies<R extends { source: ChartSource }>(request: R, options?: CallOptions): Promise<R> {
    const folder = resolve(this.options.cwd ?? process.cwd(), request.source.chart);
    if (!(await stat(folder).catch(() => undefined))?.isDirectory()) return request;
    const chart = await this.localBuilds.chartFor(folder, options);
    return chart === folder ? request : { ...request, source: { ...request.source, chart } };
  }

  /** A view for one run: its own snapshot, chart caches and facts, the same helm behind it. */
  forRun(): StorageBackedHelmClient {
    const view = new StorageBackedHelmClient(this.inner, this.kube, { ...this.options, helmDriver: this.driver ?? 'unsupported', scope: 'run' });
    view.facts = this.facts.forRun();
    return view;
  }

  /** Ends a run view (see dispose); a live client has nothing to end. */
  async endRun(): Promise<void> {
    if (this.scope === 'run') await this.dispose();
  }

  /** What this client or any of its run views has already learnt: asks nothing, for the run's report. */
  knownFacts(): KnownFacts {
    return this.facts.known();
  }

  /** helm's version if known without starting helm; learnt without asking is learnt all the same (knownFacts). */
  async knownVersion(): Promise<HelmVersion | undefined> {
    const version = await this.inner.knownVersion();
    if (version) this.facts.noteHelmVersion(version);
    return version;
  }

  /** A cluster fact asked once per run (RunFacts.remember); a live view asks every time. */
  remember<T>(key: string, ask: () => Promise<T>, keep?: (answer: T) => boolean): Promise<T> {
    return this.facts.remember(key, ask, keep);
  }

  readCounts(): ReadCounts {
    return { ...this.counts, recordLists: this.snapshot?.lists ?? 0, indexFetches: this.resolver.indexFetches };
  }

  /** The stored revisions, or undefined when the storage cannot be read here (then helm answers). */
  private async revisions(ref: ReleaseRef): Promise<StoredRelease[] | undefined> {
    if (!this.snapshot) return undefined;
    try {
      const revisions = await this.snapshot.revisions(ref.namespace, ref.release);
      this.counts.fromStorage++;
      return revisions;
    } catch {
      // No right to list the records, a record helmcycle cannot decode, ...: helm's answer (or its
      // error, which names the problem better) is the one to give.
      this.counts.toHelm++;
      return undefined;
    }
  }

  /**
   * Reads the release's records again: another process may have changed them since the snapshot (a run
   * that waited for another's lease must not decide on what the release was before that run finished).
   */
  async reread(ref: ReleaseRef): Promise<void> {
    await this.snapshot?.refresh(ref.namespace, ref.release).catch(() => this.snapshot?.forget(ref.namespace));
  }

  /** After a write: the release's records are read again before anyone asks. */
  private async afterWrite<T>(ref: ReleaseRef, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      await this.snapshot?.refresh(ref.namespace, ref.release).catch(() => this.snapshot?.forget(ref.namespace));
    }
  }

  version(options?: CallOptions): Promise<HelmVersion> {
    return this.facts.helmVersion(this.inner.version(options));
  }

  upgradeInstall(request: UpgradeRequest, options?: CallOptions): Promise<ReleaseInfo> {
    return this.afterWrite(request, async () => this.inner.upgradeInstall(await this.fromRunCopy(request, options), options));
  }

  uninstall(request: UninstallRequest, options?: CallOptions): Promise<void> {
    return this.afterWrite(request, () => this.inner.uninstall(request, options));
  }

  rollback(request: RollbackRequest, options?: CallOptions): Promise<void> {
    return this.afterWrite(request, () => this.inner.rollback(request, options));
  }

  async status(ref: ReleaseRef, options?: CallOptions): Promise<ReleaseInfo | undefined> {
    const revisions = await this.revisions(ref);
    if (!revisions) return this.inner.status(ref, options);
    const latest = latestRevision(revisions);
    return latest ? toReleaseInfo(latest) : undefined;
  }

  async history(ref: ReleaseRef, options?: CallOptions): Promise<RevisionInfo[]> {
    const revisions = await this.revisions(ref);
    return revisions ? revisions.map(toRevisionInfo) : this.inner.history(ref, options);
  }

  private async revision(ref: ReleaseRef & { revision?: number }): Promise<StoredRelease | undefined> {
    const revisions = await this.revisions(ref);
    if (!revisions) return undefined;
    return ref.revision === undefined ? latestRevision(revisions) : revisions.find((r) => r.revision === ref.revision);
  }

  async getValues(ref: ReleaseRef & { revision?: number; all?: boolean }, options?: CallOptions): Promise<Record<string, unknown>> {
    // All computed values need the chart's defaults coalesced as helm does: helm answers those.
    const stored = ref.all ? undefined : await this.revision(ref);
    return stored ? structuredClone(stored.config) : this.inner.getValues(ref, options);
  }

  async getManifest(ref: ReleaseRef & { revision?: number }, options?: CallOptions): Promise<string> {
    // A release or revision that does not exist: helm's own error.
    const stored = await this.revision(ref);
    return stored ? `${stored.manifest}\n` : this.inner.getManifest(ref, options);
  }

  list(namespace: string | 'all', options?: CallOptions): Promise<ReleaseInfo[]> {
    return this.inner.list(namespace, options);
  }

  test(request: TestRequest, options?: CallOptions): Promise<TestRun> {
    return this.inner.test(request, options);
  }

  async template(request: TemplateRequest, options?: CallOptions): Promise<string> {
    return this.inner.template(await this.fromRunCopy(request, options), options);
  }

  async dryRun(request: UpgradeRequest, options?: CallOptions): Promise<DryRunResult> {
    return this.inner.dryRun(await this.fromRunCopy(request, options), options);
  }

  /** Once per source in a run (a live view asks every time: a range may resolve anew, a folder change). */
  showChart(source: ChartSource, options?: CallOptions): Promise<ChartMetadata> {
    const key = sourceKey(source);
    const cached = this.scope === 'run' ? this.charts.get(key) : undefined;
    if (cached) return cached;
    // A live view downloads a repository's index each time, as helm would; a run keeps it.
    const resolver = this.scope === 'run' ? this.resolver : new ChartResolver(this.options.cwd);
    const answer = resolver.resolve(source, options?.signal).then((resolved) => {
      if (resolved) return resolved;
      this.counts.toHelm++;
      return this.inner.showChart(source, options);
    });
    if (this.scope === 'run') {
      this.charts.set(key, answer);
      answer.catch(() => this.charts.delete(key));
    }
    return answer;
  }

  buildDependencies(request: DependencyBuildRequest, options?: CallOptions): Promise<void> {
    return this.inner.buildDependencies(request, options);
  }

  pull(source: ChartSource, destination: string, options?: CallOptions): Promise<string> {
    const key = `${sourceKey(source)}\0${destination}`;
    const cached = this.scope === 'run' ? this.pulls.get(key) : undefined;
    if (cached) return cached;
    const pulled = this.inner.pull(source, destination, options);
    if (this.scope === 'run') {
      this.pulls.set(key, pulled);
      pulled.catch(() => this.pulls.delete(key));
    }
    return pulled;
  }
}

/** The run view of a client (HelmClient.forRun), for callers that hold only the interface. */
export function runViewOf(helm: HelmClient): HelmClient {
  return helm.forRun();
}

/** Ends a run view made by runViewOf (HelmClient.endRun: its fetched charts are removed). */
export async function endRunView(helm: HelmClient): Promise<void> {
  await helm.endRun();
}
