// A namespace kept current by one list-then-watch per kind (watch-kind.ts): pods, the observed workload
// kinds, and ReplicaSets (a pod's Deployment is found through its ReplicaSet, which exists before the
// pod does). The stores replace the polled lists: between changes nothing is asked of the API server.
import { deploymentOfReplicaSet, OBSERVED_WORKLOAD_KINDS } from './release-view.js';
import type { KubeClient } from './types.js';
import type { NamespaceSnapshot, NamespaceSource, SourceChanged, SourceStats } from './namespace-source.js';
import { KindWatch, type KindWatchOptions } from './watch-kind.js';

const WATCHED_KINDS = [{ apiVersion: 'v1', kind: 'Pod' }, { apiVersion: 'apps/v1', kind: 'ReplicaSet' }, ...OBSERVED_WORKLOAD_KINDS] as const;

export class WatchingSource implements NamespaceSource {
  readonly mode = 'watch';
  private kinds: KindWatch[] = [];
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly kube: KubeClient,
    readonly namespace: string,
    private readonly options: KindWatchOptions,
    private readonly stats: SourceStats,
    private readonly changed: SourceChanged,
  ) {}

  start(): void {
    this.kinds = WATCHED_KINDS.map(({ apiVersion, kind }) => new KindWatch(this.kube, this.namespace, apiVersion, kind, () => this.changed('event'), this.stats, this.options));
    for (const kind of this.kinds) kind.start();
  }

  /** The kinds and how each is read now (watching, polling, refused), for tests and the bench. */
  modes(): Record<string, string> {
    return Object.fromEntries(this.kinds.map((k) => [k.kind, k.mode]));
  }

  subscribed(): void {
    // The stores are current: nothing to read.
  }

  snapshot(): NamespaceSnapshot {
    const gaps = this.kinds.map((k) => k.gap()).filter((gap): gap is string => gap !== undefined);
    const [pods, replicaSets, ...workloads] = this.kinds.map((k) => k.items());
    if (!pods || !replicaSets || workloads.some((l) => l === undefined)) return { lists: undefined, gaps };
    const replicaSetOwners = new Map(replicaSets.map((rs) => [rs.metadata.name, deploymentOfReplicaSet(rs)]));
    return { lists: { pods, workloads: workloads.flatMap((l) => l ?? []), replicaSetOwners }, gaps };
  }

  refresh(): Promise<void> {
    const refreshing = Promise.all(this.kinds.map((k) => k.refresh())).then(() => {});
    this.refreshing = refreshing;
    return refreshing.finally(() => { if (this.refreshing === refreshing) this.refreshing = undefined; });
  }

  async settled(): Promise<void> {
    await this.refreshing;
  }

  stop(): void {
    for (const kind of this.kinds) kind.stop();
    this.kinds = [];
  }
}
