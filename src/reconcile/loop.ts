// The reconcile loop: wait for a reason (the interval, a trigger from the webhook or a drift watch, a
// failed chart's backoff running out), look at the source, read the stack again when its revision moved,
// and apply it. How a stack is read and applied is given (run-once.ts: the normal apply path), and so is
// the clock: unit tests drive the loop with fakes. Only the leader runs (leader.ts); a stop lets the run
// in flight finish (the command aborts it after a grace), and starts nothing new.
import type { BackoffPolicy } from '../retry/transient.js';
import { ChartBackoff } from './chart-backoff.js';
import type { StackSource } from './source.js';
import type { ChartRunSummary, ReconcileRun, RunTrigger } from './types.js';

export interface LoadedStack {
  /** The stack's chart names: what backoff keeps track of. */
  charts: readonly string[];
}

export interface LoopClock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` is aborted (never rejects). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface LoopOptions<S extends LoadedStack> {
  source: StackSource;
  load(file: string, revision: string): Promise<S>;
  /** Applies the stack (only these charts when `only` is given); must not throw for a chart's failure. */
  apply(stack: S, only: readonly string[] | undefined, revision: string, signal: AbortSignal): Promise<ChartRunSummary[]>;
  intervalMs: number;
  backoff: BackoffPolicy;
  clock: LoopClock;
  /** Whether this replica may apply now. */
  isLeader(): boolean;
  /** The signal a run is given: aborted by the command (a grace after a stop, or leadership lost). */
  runSignal(): AbortSignal;
  onRun?(run: ReconcileRun): void;
  onRunStarted?(trigger: RunTrigger): void;
}

export const realClock: LoopClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

export class ReconcileLoop<S extends LoadedStack> {
  private readonly backoff: ChartBackoff;
  private stack: S | undefined;
  private revision: string | undefined;
  private pending: RunTrigger | undefined = 'start';
  private wake = new AbortController();
  private stopped = false;
  private running: Promise<void> | undefined;
  /** The source was read, and the stack loaded, once: part of readiness. */
  sourceRead = false;
  /** A run finished (whatever its outcome): the leader is ready after its first. */
  firstRunDone = false;
  lastRun: ReconcileRun | undefined;

  constructor(private readonly options: LoopOptions<S>) {
    this.backoff = new ChartBackoff(options.backoff);
  }

  /** Runs at once (the webhook, a drift watch): the reason is kept for the run's record. */
  trigger(reason: RunTrigger): void {
    this.pending = this.pending === 'start' || this.pending === 'source' ? this.pending : reason;
    this.wake.abort();
  }

  stop(): void {
    this.stopped = true;
    this.wake.abort();
  }

  /** Loops until stop(); resolves when the run in flight, if any, has ended. */
  async run(): Promise<void> {
    const { clock } = this.options;
    let nextAt = clock.now();
    while (!this.stopped) {
      const leader = this.options.isLeader();
      const now = clock.now();
      const dueCharts = this.backoff.nextDueAt();
      const retry = dueCharts !== undefined && dueCharts <= now;
      if (leader && (this.pending || now >= nextAt || retry)) {
        const trigger = this.pending ?? (now >= nextAt ? 'interval' : 'retry');
        this.pending = undefined;
        this.running = this.tick(trigger);
        await this.running;
        this.running = undefined;
        nextAt = clock.now() + this.options.intervalMs;
      }
      if (this.stopped) break;
      // A trigger that came during the run: run again at once.
      if (leader && this.pending) continue;
      this.wake = new AbortController();
      // A follower looks again every second (leadership may come to it any time; a trigger wakes it too).
      const waitMs = leader ? Math.min(nextAt, this.backoff.nextDueAt() ?? Infinity) - clock.now() : 1_000;
      if (waitMs > 0) await clock.sleep(waitMs, this.wake.signal);
    }
  }

  /** One pass: source, stack, apply. Never throws: a failure is the run's record. */
  private async tick(trigger: RunTrigger): Promise<void> {
    const { clock } = this.options;
    const startedAt = clock.now();
    this.options.onRunStarted?.(trigger);
    const signal = this.options.runSignal();
    let revision = this.revision ?? 'unknown';
    try {
      const snapshot = await this.options.source.sync(signal);
      revision = snapshot.revision;
      if (snapshot.revision !== this.revision || !this.stack) {
        const stack = await this.options.load(snapshot.file, snapshot.revision);
        if (this.revision !== undefined && snapshot.revision !== this.revision) trigger = 'source';
        this.stack = stack;
        this.revision = snapshot.revision;
        // The fix may be in the new revision: every chart is tried at once.
        this.backoff.reset();
      }
      this.sourceRead = true;
    } catch (error) {
      this.finish({ revision, trigger, startedAt, durationMs: clock.now() - startedAt, ok: false, charts: [], error: error instanceof Error ? error.message : String(error) });
      return;
    }
    const stack = this.stack;
    const now = clock.now();
    const due = stack.charts.filter((name) => this.backoff.due(name, now));
    if (due.length === 0) return;
    let charts: ChartRunSummary[];
    try {
      charts = await this.options.apply(stack, due.length === stack.charts.length ? undefined : due, revision, signal);
    } catch (error) {
      // The stack as a whole was refused (its inventory, the API server): every due chart waits with backoff.
      for (const name of due) this.backoff.failed(name, clock.now());
      this.finish({ revision, trigger, startedAt, durationMs: clock.now() - startedAt, ok: false, charts: [], error: error instanceof Error ? error.message : String(error) });
      return;
    }
    for (const chart of charts) {
      // A chart skipped because a chart it needs failed waits with it.
      if (chart.status === 'failed' || chart.status === 'skipped') this.backoff.failed(chart.name, clock.now());
      else if (chart.status === 'succeeded') this.backoff.succeeded(chart.name);
    }
    const interrupted = signal.aborted;
    this.finish({ revision, trigger, startedAt, durationMs: clock.now() - startedAt, ok: charts.every((c) => c.status === 'succeeded'), charts, stackCharts: stack.charts, ...(interrupted ? { interrupted } : {}) });
  }

  private finish(run: ReconcileRun): void {
    this.firstRunDone = true;
    this.lastRun = run;
    this.options.onRun?.(run);
  }

  /** A run is in flight. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** How many times in a row a chart failed: for the metrics and the records. */
  failuresOf(chart: string): number {
    return this.backoff.failuresOf(chart);
  }
}
