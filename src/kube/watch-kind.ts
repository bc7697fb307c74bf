// One kind of one namespace, kept current by list-then-watch (client-go's reflector): LIST, remember the
// list's resourceVersion, then watch from it and apply each event to the store. A watch the server ends
// (its timeout) is opened again from the last version seen; one that expired (410 Gone) or failed is
// followed by a fresh LIST, after a pause when it failed. A kind the server will not watch for us is
// polled instead, and one it will not even list for us is refused for good: reading never fails a deploy.
import { setTimeout as sleep } from 'node:timers/promises';
import { readKind, type SourceStats } from './namespace-source.js';
import type { KubeClient, KubeObject } from './types.js';
import { applyWatchEvent, backoffMs, resourceVersionOf, storeOf, watchTimeoutSeconds, watchTrouble } from './watch-events.js';

export interface KindWatchOptions {
  /** Pause between two LISTs once the kind is polled. */
  pollIntervalMs: number;
  /** Watches in a row that failed or ended at once without an event, after which the kind is polled. */
  maxWatchFailures?: number;
  random?: () => number;
}

/** A watch that ends sooner than this without an event is suspicious (a proxy cutting streams), not a server timeout. */
const QUICK_END_MS = 1_000;
/** A watch that outlives its own timeout by this much sits on a dead connection: it is abandoned. */
const STALL_GRACE_SECONDS = 30;

export type KindWatchMode = 'listing' | 'watching' | 'polling' | 'refused' | 'stopped';

export class KindWatch {
  mode: KindWatchMode = 'listing';
  private store: Map<string, KubeObject> | undefined;
  /** Why the last LIST failed, while the store is older than it should be. */
  private failure: string | undefined;
  private refusal: string | undefined;
  private stopped = false;
  /** Aborts what the loop waits on (a watch, a pause): for a refresh or a stop. */
  private wake = new AbortController();
  private refreshWanted = false;
  private readonly refreshWaiters: (() => void)[] = [];
  private watchFailures = 0;
  private readonly maxWatchFailures: number;
  private readonly random: () => number;

  constructor(
    private readonly kube: KubeClient,
    readonly namespace: string,
    readonly apiVersion: string,
    readonly kind: string,
    /** Called when the store may have changed (or a failure began or ended). */
    private readonly changed: () => void,
    private readonly stats: SourceStats,
    private readonly options: KindWatchOptions,
  ) {
    this.maxWatchFailures = options.maxWatchFailures ?? 3;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    this.run().catch((error: unknown) => {
      // Not expected (every request's failure is handled); if it happens, a gap says so instead of a crash.
      this.failure = `${this.kind}: ${error instanceof Error ? error.message : String(error)}`;
      this.mode = 'stopped';
      this.changed();
    });
  }

  /** The objects as last known; undefined until the first LIST. */
  items(): KubeObject[] | undefined {
    return this.store ? [...this.store.values()] : undefined;
  }

  /** What the observation should say it could not read, if anything. */
  gap(): string | undefined {
    return this.refusal ?? this.failure;
  }

  /** A fresh LIST (the watch is then opened again from it); resolves once it is in the store, or failed. */
  refresh(): Promise<void> {
    if (this.stopped || this.refusal !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.refreshWaiters.push(resolve);
      this.refreshWanted = true;
      this.wake.abort();
    });
  }

  /** Ends the watch (its request is aborted, its socket destroyed) and every pause. */
  stop(): void {
    this.stopped = true;
    this.mode = 'stopped';
    this.wake.abort();
    for (const resolve of this.refreshWaiters.splice(0)) resolve();
  }

  private async run(): Promise<void> {
    let listFailures = 0;
    while (!this.stopped) {
      const waiters = this.refreshWaiters.splice(0);
      this.refreshWanted = false;
      const read = await readKind(this.kube, this.apiVersion, this.kind, this.namespace, this.stats);
      if (this.stopped) break;
      if ('refused' in read) {
        this.refusal = read.refused;
        this.store = new Map();
        this.mode = 'refused';
      } else if ('failed' in read) {
        // The store keeps what it had: a passing failure must not make the objects look deleted.
        this.failure = read.failed;
      } else {
        listFailures = 0;
        this.failure = undefined;
        this.store = storeOf(read.items);
      }
      for (const resolve of waiters) resolve();
      this.changed();
      if ('refused' in read) return;
      if ('failed' in read) {
        await this.pause(backoffMs(++listFailures, this.random));
      } else if (this.mode === 'polling' || !read.resourceVersion || !this.kube.watchObjects) {
        this.mode = 'polling';
        await this.pause(this.options.pollIntervalMs);
      } else {
        this.mode = 'watching';
        await this.watch(read.resourceVersion, this.store!);
      }
    }
    for (const resolve of this.refreshWaiters.splice(0)) resolve();
  }

  /** Watches from `version` until a LIST is due: the watch expired or failed, a refresh asked, or the kind is to be polled. */
  private async watch(version: string, store: Map<string, KubeObject>): Promise<void> {
    let from = version;
    while (!this.stopped && !this.refreshWanted) {
      const wake = this.rearm();
      const timeoutSeconds = watchTimeoutSeconds(this.random);
      const signal = AbortSignal.any([wake.signal, AbortSignal.timeout((timeoutSeconds + STALL_GRACE_SECONDS) * 1000)]);
      const opened = Date.now();
      let events = 0;
      this.stats.requests += 1;
      try {
        await this.kube.watchObjects!(this.apiVersion, this.kind, this.namespace, { resourceVersion: from, timeoutSeconds, signal }, (event) => {
          // What an aborted stream still delivers is not wanted: the LIST that follows replaces it.
          if (wake.signal.aborted) return;
          events += 1;
          this.stats.events += 1;
          this.watchFailures = 0;
          from = resourceVersionOf(event.object) ?? from;
          if (applyWatchEvent(store, event)) this.changed();
        });
      } catch (error) {
        if (this.stopped || this.refreshWanted) return;
        const trouble = watchTrouble(error);
        const quick = events === 0 && Date.now() - opened < QUICK_END_MS;
        // The version is too old to watch from: relist at once, as client-go does; unless it was a
        // version just listed, then it counts as a failure (a server that keeps saying so is polled).
        if (trouble === 'expired' && !quick) return;
        if (trouble === 'unavailable' || ++this.watchFailures >= this.maxWatchFailures) {
          this.mode = 'polling';
          return;
        }
        await this.pause(backoffMs(this.watchFailures, this.random));
        return;
      }
      // The server ended the watch (its timeout): on from the last version seen, at once, unless it
      // ended at once, again and again (then the stream is not getting through: poll).
      if (events === 0 && Date.now() - opened < QUICK_END_MS && !this.stopped && !this.refreshWanted) {
        if (++this.watchFailures >= this.maxWatchFailures) {
          this.mode = 'polling';
          return;
        }
        await this.pause(backoffMs(this.watchFailures, this.random));
      }
    }
  }

  /** Waits, unless a refresh or a stop comes first; the timer does not keep the process alive. */
  private async pause(ms: number): Promise<void> {
    if (this.stopped || this.refreshWanted) return;
    const wake = this.rearm();
    await sleep(ms, undefined, { signal: wake.signal, ref: false }).catch(() => {});
  }

  private rearm(): AbortController {
    this.wake = new AbortController();
    return this.wake;
  }
}
