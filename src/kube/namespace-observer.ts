// One observer per (KubeClient, namespace), shared by every release deployed there at the same time
// (issue "Fast": one readiness watch per namespace for all charts). While anyone subscribes, it keeps
// the namespace's workloads and pods current, watched (namespace-watch.ts: list-then-watch per kind)
// when the client can, else polled every 2 s (namespace-poll.ts), and hands each subscriber the view of
// its own release. Reading never fails a deploy: what cannot be read becomes a gap in the observation.
// Judging (deploy-observation.ts, fail-fast.ts) is apart from the reads.
import type { KubeClient } from './types.js';
import { releaseView, type ReleaseKey } from './release-view.js';
import { endObservation, recordGap, recordView, startObservation, type DeployObservation } from './deploy-observation.js';
import type { NamespaceSource, SourceChanged, SourceStats } from './namespace-source.js';
import { PollingSource } from './namespace-poll.js';
import { WatchingSource } from './namespace-watch.js';

export interface ObserverOptions {
  /** Pause between polled reads (a client that cannot watch, a kind whose watch cannot be opened). */
  intervalMs?: number;
  /** `watch` when the client can (the default), or `poll` (for comparing them). */
  mode?: 'watch' | 'poll';
  /** Watched changes are handed at most this often: a rollout is a burst of events. */
  coalesceMs?: number;
  /**
   * While nothing changes, the watched view is handed again this often (no request): fail-fast's
   * settle time runs out without an event, and progress reports want their heartbeat.
   */
  heartbeatMs?: number;
  /**
   * How long a watched namespace stays watched after its last release is done: the next chart of a
   * stack deployed there (one after another, or the next dependency level) then starts from the
   * current view instead of a LIST and a new watch of every kind. Nothing keeps the process alive.
   */
  lingerMs?: number;
  now?: () => number;
}

const DEFAULT_LINGER_MS = 5_000;

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

// A polled read is 5 lists (pods and four workload kinds; ReplicaSets only for a pod of an unknown one),
// about 7-10 ms of this process's CPU and 40-55 ms wall on the local cluster (bench/deploy-observer.ts).
// Every 2 s halves what 1 s cost the API server; fail-fast waits 10 s on a state anyway, and helm's
// own wait polls every 2 s (Helm 3), so a failing generation is still seen before helm rolls it back.
const DEFAULT_INTERVAL_MS = 2000;
// A watched change is seen within this; a Deployment's rollout (ReplicaSet, pods, status updates) comes
// as a dozen events in a few hundred ms, handed as a few views instead of a dozen.
const DEFAULT_COALESCE_MS = 150;
const DEFAULT_HEARTBEAT_MS = 1000;

/** Called after each read with the release's observation so far (for progress reports). */
export type ObservationListener = (observation: DeployObservation, at: number) => void;

interface Subscriber {
  observation: DeployObservation;
  listener: ObservationListener | undefined;
}

export class NamespaceObserver {
  private readonly subscribers = new Set<Subscriber>();
  private readonly source: NamespaceSource;
  private running = false;
  private handTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private linger: NodeJS.Timeout | undefined;
  private readonly lingerMs: number;
  private readonly readWaiters: (() => void)[] = [];
  private readonly coalesceMs: number;
  private readonly heartbeatMs: number;
  private readonly now: () => number;
  /** Views handed (`reads`), requests made, watch events received, time in polled reads: what observing costs. */
  readonly stats: SourceStats & { reads: number } = { reads: 0, requests: 0, events: 0, totalMs: 0 };

  constructor(
    kube: KubeClient,
    readonly namespace: string,
    options: ObserverOptions = {},
    private readonly onIdle: () => void = () => {},
  ) {
    this.coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.lingerMs = options.lingerMs ?? DEFAULT_LINGER_MS;
    this.now = options.now ?? Date.now;
    const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    const changed: SourceChanged = (how) => (how === 'read' ? this.handOut() : this.handSoon());
    const watchable = options.mode !== 'poll' && typeof kube.watchObjects === 'function' && typeof kube.listCollection === 'function';
    this.source = watchable
      ? new WatchingSource(kube, namespace, { pollIntervalMs: intervalMs }, this.stats, changed)
      : new PollingSource(kube, namespace, intervalMs, this.stats, changed);
  }

  /** How the namespace is read: watched or polled. */
  get mode(): 'watch' | 'poll' {
    return this.source.mode;
  }

  subscribe(release: string, listener?: ObservationListener): ReleaseSubscription {
    const subscriber: Subscriber = { observation: startObservation({ release, namespace: this.namespace }, this.now()), listener };
    this.subscribers.add(subscriber);
    if (this.linger) clearTimeout(this.linger);
    this.linger = undefined;
    if (!this.running) {
      this.running = true;
      this.source.start();
    }
    this.source.subscribed();
    // A watched namespace already known is current: its view now is what was there before this deploy
    // began, which tells the deploy's own pods from older ones (fail-fast.ts). Otherwise the first LIST
    // (or the polled read subscribed() starts) gives it.
    const { lists } = this.source.mode === 'watch' ? this.source.snapshot() : { lists: undefined };
    if (lists) subscriber.observation = recordView(subscriber.observation, releaseView(lists, subscriber.observation), this.now());
    const close = () => {
      if (this.subscribers.delete(subscriber)) {
        subscriber.observation = endObservation(subscriber.observation, this.now());
        if (this.subscribers.size === 0) this.idle();
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

  /**
   * Reads the namespace afresh (polled: one read; watched: a LIST of every kind, the watches opened
   * again from it) and hands every subscriber its release's view.
   */
  async readOnce(): Promise<void> {
    await this.source.refresh();
    this.handOut();
  }

  /** Resolves when the next view has been handed to the subscribers. */
  nextRead(): Promise<void> {
    return new Promise((resolve) => this.readWaiters.push(resolve));
  }

  /** Resolves when no read is in flight. */
  async settled(): Promise<void> {
    await this.source.settled();
  }

  /** A watched change: handed after the burst it may belong to, or at once to a subscriber still without its first view. */
  private handSoon(): void {
    if (this.subscribers.size === 0) return;
    const waitingForFirst = [...this.subscribers].some((s) => s.observation.reads === 0);
    if (waitingForFirst && this.source.snapshot().lists) return this.handOut();
    if (!this.handTimer) this.handTimer = unref(setTimeout(() => this.handOut(), this.coalesceMs));
  }

  /** Hands every subscriber its release's view of what is known now. */
  private handOut(): void {
    if (this.handTimer) clearTimeout(this.handTimer);
    this.handTimer = undefined;
    const at = this.now();
    const { lists, gaps } = this.source.snapshot();
    this.stats.reads += 1;
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
    if (this.heartbeat) clearTimeout(this.heartbeat);
    this.heartbeat = this.source.mode === 'watch' && this.running ? unref(setTimeout(() => this.handOut(), this.heartbeatMs)) : undefined;
  }

  /** The last release is done: a watched namespace stays watched a little longer (lingerMs). */
  private idle(): void {
    if (this.source.mode !== 'watch' || this.lingerMs <= 0) return this.stop();
    this.linger = unref(setTimeout(() => {
      this.linger = undefined;
      if (this.subscribers.size === 0) this.stop();
    }, this.lingerMs));
  }

  private stop(): void {
    this.running = false;
    for (const timer of [this.handTimer, this.heartbeat]) if (timer) clearTimeout(timer);
    this.handTimer = this.heartbeat = undefined;
    this.source.stop();
    this.onIdle();
  }
}

/** An observer left open by mistake must not keep the process alive. */
function unref(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref();
  return timer;
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
