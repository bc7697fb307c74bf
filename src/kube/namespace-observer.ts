// One observer per (KubeClient, namespace), shared by every release deployed there at the same time:
// while anyone watches, it reads the namespace's workloads and pods every 2 seconds and hands each
// subscriber the view of its own release. Reading never fails a deploy: what cannot be read becomes a
// gap in the observation. This is the seam for a readiness watch per namespace (issue "Fast"): the
// reads are in one place, and judging (deploy-observation.ts) is apart from them.
import type { KubeClient, KubeObject } from './types.js';
import { deploymentOfReplicaSet, OBSERVED_WORKLOAD_KINDS, releaseView, replicaSetOf, type NamespaceLists, type ReleaseKey } from './release-view.js';
import { endObservation, recordGap, recordView, startObservation, type DeployObservation } from './deploy-observation.js';

export interface ObserverOptions {
  /** Pause between the end of one read and the start of the next. */
  intervalMs?: number;
  now?: () => number;
}

export interface ReleaseSubscription {
  /** The observation so far. */
  current(): DeployObservation;
  /** Stops observing for this release (the namespace's reads stop with the last subscriber); idempotent. */
  close(): DeployObservation;
  /**
   * Looks once more, then closes: after a failure, what became of the objects (rolled back, deleted).
   * Gives up on the look after `timeoutMs` rather than hold up the failure.
   */
  closeAfterLook(timeoutMs?: number): Promise<DeployObservation>;
}

// One read is 5 lists (pods and four workload kinds; ReplicaSets only for a pod of an unknown one),
// about 7-10 ms of this process's CPU and 40-55 ms wall on the local cluster (bench/deploy-observer.ts).
// Every 2 s halves what 1 s cost the API server; fail-fast waits 10 s on a state anyway, and helm's
// own wait polls every 2 s (Helm 3), so a failing generation is still seen before helm rolls it back.
const DEFAULT_INTERVAL_MS = 2000;

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Called after each read with the release's observation so far (for progress reports). */
export type ObservationListener = (observation: DeployObservation, at: number) => void;

interface Subscriber {
  observation: DeployObservation;
  listener: ObservationListener | undefined;
}

export class NamespaceObserver {
  private readonly subscribers = new Set<Subscriber>();
  /** ReplicaSet → Deployment, learnt once per ReplicaSet (a ReplicaSet's owner does not change). */
  private readonly replicaSetOwners = new Map<string, string | undefined>();
  /** Kinds the API server refused to list (e.g. forbidden): not asked again, named in each observation. */
  private readonly refused = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private readonly readWaiters: (() => void)[] = [];
  private readonly intervalMs: number;
  private readonly now: () => number;
  /** Reads made and their total time, for measuring what observing costs. */
  readonly stats = { reads: 0, requests: 0, totalMs: 0 };

  constructor(
    private readonly kube: KubeClient,
    readonly namespace: string,
    options: ObserverOptions = {},
    private readonly onIdle: () => void = () => {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.now = options.now ?? Date.now;
  }

  subscribe(release: string, listener?: ObservationListener): ReleaseSubscription {
    const subscriber: Subscriber = { observation: startObservation({ release, namespace: this.namespace }, this.now()), listener };
    this.subscribers.add(subscriber);
    // A read at once (unless one is in flight): its view is what was there before this deploy began,
    // which tells the deploy's own pods from older ones (fail-fast.ts).
    if (!this.reading) {
      if (this.timer) clearTimeout(this.timer);
      this.schedule(0);
    }
    const close = () => {
      if (this.subscribers.delete(subscriber)) {
        subscriber.observation = endObservation(subscriber.observation, this.now());
        if (this.subscribers.size === 0) this.stop();
      }
      return subscriber.observation;
    };
    const look = async () => {
      // After the read in flight, so that the last look is also the last sighting recorded.
      await this.settled();
      if (this.subscribers.has(subscriber)) await this.readOnce();
    };
    return {
      current: () => subscriber.observation,
      close,
      closeAfterLook: async (timeoutMs = 5000) => {
        let timer: NodeJS.Timeout | undefined;
        const givenUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
        await Promise.race([look(), givenUp]).finally(() => clearTimeout(timer));
        return close();
      },
    };
  }

  /** Reads the namespace once and hands every subscriber its release's view. */
  async readOnce(): Promise<void> {
    const at = this.now();
    const started = performance.now();
    const gaps: string[] = [];
    const lists = await this.read(gaps);
    gaps.push(...this.refused.values());
    this.stats.reads += 1;
    this.stats.totalMs += performance.now() - started;
    for (const subscriber of this.subscribers) {
      let observation = subscriber.observation;
      for (const gap of gaps) observation = recordGap(observation, gap);
      if (lists) observation = recordView(observation, releaseView(lists, observation), at);
      subscriber.observation = observation;
      // A listener's failure (a renderer's) must not stop the reads the failure diagnosis needs.
      try {
        subscriber.listener?.(observation, this.now());
      } catch {
        /* ignored: progress is a courtesy */
      }
    }
    for (const resolve of this.readWaiters.splice(0)) resolve();
  }

  /** Resolves when the next read has been handed to the subscribers. */
  nextRead(): Promise<void> {
    return new Promise((resolve) => this.readWaiters.push(resolve));
  }

  /** The objects of a kind; [] for a kind the server refuses us; undefined when this read of it failed. */
  private async list(apiVersion: string, kind: string, gaps: string[]): Promise<KubeObject[] | undefined> {
    if (this.refused.has(kind)) return [];
    this.stats.requests += 1;
    try {
      // A list's items carry no kind of their own in the API's answer; the kind is the one asked for.
      const items = await this.kube.listObjects(apiVersion, kind, this.namespace);
      return items.filter((o) => o.kind === undefined || o.kind === kind).map((o) => ({ ...o, apiVersion, kind }));
    } catch (error) {
      const gap = `${kind}: ${describeError(error)}`;
      if (/\b403\b|forbidden/i.test(gap)) {
        this.refused.set(kind, `${kind}: not allowed to list them in ${this.namespace}`);
        return [];
      }
      gaps.push(gap);
      return undefined;
    }
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
      this.reading = this.readOnce().finally(() => {
        this.reading = undefined;
        if (this.subscribers.size > 0 && !this.timer) this.schedule(this.intervalMs);
      });
    }, delayMs);
    // An observer left open by mistake must not keep the process alive.
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.onIdle();
  }

  /** Resolves when no read is in flight. */
  async settled(): Promise<void> {
    await this.reading;
  }
}

const observers = new WeakMap<KubeClient, Map<string, NamespaceObserver>>();

/** The shared observer of a namespace through this client: one namespace read serves every release there. */
export function observeRelease(kube: KubeClient, key: ReleaseKey, options: ObserverOptions = {}, listener?: ObservationListener): ReleaseSubscription {
  let byNamespace = observers.get(kube);
  if (!byNamespace) observers.set(kube, (byNamespace = new Map()));
  let observer = byNamespace.get(key.namespace);
  if (!observer) {
    const map = byNamespace;
    const created: NamespaceObserver = new NamespaceObserver(kube, key.namespace, options, () => {
      if (map.get(key.namespace) === created) map.delete(key.namespace);
    });
    observer = created;
    byNamespace.set(key.namespace, observer);
  }
  return observer.subscribe(key.release, listener);
}
