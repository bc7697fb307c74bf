// A namespace read by polling: every interval, a LIST of pods and of each observed workload kind, plus
// ReplicaSets when a pod belongs to one not seen yet. What a client that cannot watch gets (a test's
// fake), and the yardstick the watch is measured against (bench/deploy-observer.ts).
import type { KubeClient, KubeObject } from './types.js';
import { deploymentOfReplicaSet, OBSERVED_WORKLOAD_KINDS, replicaSetOf, type NamespaceLists } from './release-view.js';
import { readKind, type NamespaceSnapshot, type NamespaceSource, type SourceChanged, type SourceStats } from './namespace-source.js';

export class PollingSource implements NamespaceSource {
  readonly mode = 'poll';
  /** ReplicaSet → Deployment, learnt once per ReplicaSet (a ReplicaSet's owner does not change). */
  private readonly replicaSetOwners = new Map<string, string | undefined>();
  /** Kinds the API server refused to list (e.g. forbidden): not asked again, named in each observation. */
  private readonly refused = new Map<string, string>();
  private last: NamespaceSnapshot = { lists: undefined, gaps: [] };
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly kube: KubeClient,
    readonly namespace: string,
    private readonly intervalMs: number,
    private readonly stats: SourceStats,
    private readonly changed: SourceChanged,
  ) {}

  start(): void {
    this.stopped = false;
  }

  subscribed(): void {
    // A read at once (unless one is in flight): its view is what was there before this deploy began,
    // which tells the deploy's own pods from older ones (fail-fast.ts).
    if (this.reading) return;
    if (this.timer) clearTimeout(this.timer);
    this.schedule(0);
  }

  snapshot(): NamespaceSnapshot {
    return this.last;
  }

  async refresh(): Promise<void> {
    const started = performance.now();
    const gaps: string[] = [];
    const lists = await this.read(gaps);
    this.stats.totalMs += performance.now() - started;
    this.last = { lists, gaps: [...gaps, ...this.refused.values()] };
  }

  async settled(): Promise<void> {
    await this.reading;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The objects of a kind; [] for a kind the server refuses us; undefined when this read of it failed. */
  private async list(apiVersion: string, kind: string, gaps: string[]): Promise<KubeObject[] | undefined> {
    if (this.refused.has(kind)) return [];
    const read = await readKind(this.kube, apiVersion, kind, this.namespace, this.stats);
    if ('items' in read) return read.items;
    if ('refused' in read) {
      this.refused.set(kind, read.refused);
      return [];
    }
    gaps.push(read.failed);
    return undefined;
  }

  /**
   * One read of the namespace; undefined when part of it failed, so that a passing network error does
   * not make the release's objects look deleted.
   */
  private async read(gaps: string[]): Promise<NamespaceLists | undefined> {
    const [pods, ...workloadLists] = await Promise.all([
      this.list('v1', 'Pod', gaps),
      ...OBSERVED_WORKLOAD_KINDS.map(({ apiVersion, kind }) => this.list(apiVersion, kind, gaps)),
    ]);
    if (!pods || workloadLists.some((l) => l === undefined)) return undefined;
    const unknown = pods.map(replicaSetOf).some((rs) => rs !== undefined && !this.replicaSetOwners.has(rs));
    if (unknown) {
      const replicaSets = await this.list('apps/v1', 'ReplicaSet', gaps);
      if (!replicaSets) return undefined;
      for (const replicaSet of replicaSets) this.replicaSetOwners.set(replicaSet.metadata.name, deploymentOfReplicaSet(replicaSet));
    }
    return { workloads: workloadLists.flatMap((l) => l ?? []), replicaSetOwners: this.replicaSetOwners, pods };
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reading = this.refresh()
        .then(() => { if (!this.stopped) this.changed('read'); })
        .finally(() => {
          this.reading = undefined;
          if (!this.stopped && !this.timer) this.schedule(this.intervalMs);
        });
    }, delayMs);
    // An observer left open by mistake must not keep the process alive.
    this.timer.unref();
  }
}
