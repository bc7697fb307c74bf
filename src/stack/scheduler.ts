// Runs a dependency graph under a concurrency limit. A node starts as soon as everything it waits for
// has succeeded (no level barriers). When a node fails, everything downstream of it is skipped with the
// reason, and independent branches run on; with failFast, the first failure cancels the rest instead.
import type { Graph } from './graph.js';

export type NodeOutcome<R> =
  | { status: 'succeeded'; result: R }
  | { status: 'failed'; error: unknown }
  | { status: 'skipped'; reason: string }
  | { status: 'cancelled'; reason: string };

export interface ScheduleOptions<R> {
  graph: Graph;
  concurrency: number;
  failFast?: boolean;
  /** After a failure, start nothing more; what runs finishes (a stack rollback follows). */
  stopStartingOnFailure?: boolean;
  signal?: AbortSignal;
  run: (name: string, signal: AbortSignal) => Promise<R>;
  /** Called when a node is skipped or cancelled without having run. */
  onNotRun?: (name: string, outcome: NodeOutcome<R>) => void;
  /** Words for the relation in skip reasons: "needs" for apply, "is needed by" for destroy. */
  relation?: string;
}

export async function runGraph<R>(options: ScheduleOptions<R>): Promise<Map<string, NodeOutcome<R>>> {
  const { graph, run } = options;
  const relation = options.relation ?? 'needs';
  const limit = Math.max(1, options.concurrency);
  const outcomes = new Map<string, NodeOutcome<R>>();
  const waiting = new Map(graph.names.map((n) => [n, new Set(graph.waitsFor.get(n) ?? [])]));
  const cancel = new AbortController();
  const onOuterAbort = () => cancel.abort(options.signal?.reason);
  if (options.signal?.aborted) cancel.abort(options.signal.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const settle = (name: string, outcome: NodeOutcome<R>) => {
    outcomes.set(name, outcome);
    waiting.delete(name);
    if (outcome.status !== 'succeeded' && outcome.status !== 'failed') options.onNotRun?.(name, outcome);
  };

  /**
   * Skips, transitively, everything that waits on a node that did not succeed: depth first, in the order
   * of the recursion it replaces, with its own stack (a `needs` chain may be thousands deep).
   */
  const skipDownstream = (failed: string) => {
    const stack = [{ name: failed, next: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const dependents = graph.waitedOnBy.get(frame.name) ?? [];
      if (frame.next >= dependents.length) {
        stack.pop();
        continue;
      }
      const dependent = dependents[frame.next++]!;
      if (!waiting.has(dependent)) continue;
      const status = outcomes.get(frame.name)!.status;
      settle(dependent, { status: 'skipped', reason: `${relation} '${frame.name}', which ${status === 'failed' ? 'failed' : `was ${status}`}` });
      stack.push({ name: dependent, next: 0 });
    }
  };

  const running = new Map<string, Promise<void>>();
  let stopStarting = false;
  const startReady = () => {
    for (const name of graph.names) {
      if (running.size >= limit) return;
      if (cancel.signal.aborted || stopStarting) return;
      const deps = waiting.get(name);
      if (!deps || deps.size > 0 || running.has(name)) continue;
      waiting.delete(name);
      const task = run(name, cancel.signal).then(
        (result) => {
          outcomes.set(name, { status: 'succeeded', result });
          for (const dependent of graph.waitedOnBy.get(name) ?? []) waiting.get(dependent)?.delete(name);
        },
        (error: unknown) => {
          // A node that fails because everything is being cancelled did not fail on its own.
          outcomes.set(name, cancel.signal.aborted ? { status: 'cancelled', reason: 'cancelled while running' } : { status: 'failed', error });
          if (options.failFast) cancel.abort(new Error(`fail-fast: '${name}' failed`));
          if (options.stopStartingOnFailure && !cancel.signal.aborted) stopStarting = true;
          skipDownstream(name);
        },
      );
      running.set(name, task.finally(() => running.delete(name)));
    }
  };

  try {
    startReady();
    while (running.size > 0) {
      await Promise.race(running.values());
      startReady();
    }
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  // Whatever never started was cancelled (fail-fast or an interrupt).
  for (const name of graph.names) {
    if (!outcomes.has(name)) settle(name, { status: 'cancelled', reason: cancel.signal.aborted ? 'cancelled before it started' : stopStarting ? 'not started: a chart failed and the stack is rolled back' : 'not started' });
  }
  return outcomes;
}
