// Which charts reconcile runs next: a chart that failed waits out an exponential backoff (capped) before
// it is tried again, while the rest of the stack keeps its interval. A new source revision forgives
// every failure (the fix may be in it). Pure: the time is given.
import { backoffDelay, type BackoffPolicy } from '../retry/transient.js';

export class ChartBackoff {
  private readonly failures = new Map<string, { count: number; dueAt: number }>();

  constructor(private readonly policy: BackoffPolicy) {}

  failed(chart: string, now: number): number {
    const count = (this.failures.get(chart)?.count ?? 0) + 1;
    const waitMs = backoffDelay(count, { ...this.policy, jitter: 0 });
    this.failures.set(chart, { count, dueAt: now + waitMs });
    return waitMs;
  }

  succeeded(chart: string): void {
    this.failures.delete(chart);
  }

  /** How many times in a row the chart failed (0 when it last succeeded). */
  failuresOf(chart: string): number {
    return this.failures.get(chart)?.count ?? 0;
  }

  due(chart: string, now: number): boolean {
    return (this.failures.get(chart)?.dueAt ?? 0) <= now;
  }

  /** When the first waiting chart is due, if one is. */
  nextDueAt(): number | undefined {
    const times = [...this.failures.values()].map((f) => f.dueAt);
    return times.length ? Math.min(...times) : undefined;
  }

  reset(): void {
    this.failures.clear();
  }
}
