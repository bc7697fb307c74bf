// Repeats a call while it fails transiently, with backoff, until a time budget is spent (the chart's
// timeout for a helm upgrade) or the signal aborts. The last error is thrown as it was, so callers see
// the same typed errors as without retries.
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './transient.js';

/**
 * How long the KubeClient keeps retrying one request: it does not know the chart's timeout, and a
 * pause of the API server longer than this is an outage to report, not a hiccup to hide.
 */
export const KUBE_RETRY_BUDGET_MS = 30_000;

export interface RetryOptions {
  /** Why the error is transient, or undefined to throw it at once. */
  transient: (error: unknown) => string | undefined;
  /** How long all the waits may take together. */
  budgetMs: number;
  signal?: AbortSignal | undefined;
  policy?: BackoffPolicy;
  /** Told before each wait (a log line, an event). */
  onRetry?: (info: { attempt: number; reason: string; waitMs: number; error: unknown }) => void;
  /** For tests: the clock and the sleep. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function retryTransient<T>(call: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const deadline = now() + options.budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      const reason = options.signal?.aborted ? undefined : options.transient(error);
      const waitMs = backoffDelay(attempt, options.policy ?? DEFAULT_BACKOFF, (options.random ?? Math.random)());
      if (reason === undefined || now() + waitMs > deadline) throw error;
      options.onRetry?.({ attempt, reason, waitMs, error });
      await sleep(waitMs, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}
