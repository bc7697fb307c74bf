// Watches a release's workloads while helm deploys it, so that a failure can name them even after helm
// has rolled them back or deleted them (atomic / --rollback-on-failure): helm's own error under Helm 3
// says only "context deadline exceeded". The observation travels with the error (observationOf), and
// onDeployFailure puts it into the payload and the diagnostics.
//
// It also ends a wait that cannot succeed (failFast): when a workload this deploy made will not become
// ready by waiting (fail-fast.ts), helm is asked to stop as one Ctrl-C would. helm then fails the
// release exactly as on its own timeout: marked failed, and rolled back (or, for a first install,
// uninstalled) under atomic, never left pending; the error says which object failed and why.
import { causeChain, ReadinessFailedError } from '../errors.js';
import type { CallOptions } from '../helm/types.js';
import type { DeployObservation } from '../kube/deploy-observation.js';
import { hopelessWorkload, type HopelessWorkload } from '../kube/fail-fast.js';
import { observeRelease, type ObserverOptions } from '../kube/namespace-observer.js';
import type { ChartPayload, PhaseContext } from './types.js';
import { progressThrottle, waitProgressOf } from './wait-progress.js';

const observed = new WeakMap<object, DeployObservation>();

export interface ObserveDeployOptions extends ObserverOptions {
  /** Overrides the spec's failFast / failFastAfterSeconds (tests, benchmarks). */
  failFast?: { settleMs: number } | false;
}

/**
 * Runs a deploy (one helm upgrade) while observing the release; a failure carries what was seen. The
 * deploy gets the call options to give helm: `interrupt` ends helm's wait when it cannot succeed.
 */
export async function observeDeploy<P extends ChartPayload, T>(ctx: PhaseContext<P>, deploy: (options: CallOptions) => Promise<T>, options: ObserveDeployOptions = {}): Promise<T> {
  const { failFast: override, ...observerOptions } = options;
  const now = observerOptions.now ?? Date.now;
  const failFast = override !== undefined ? override : ctx.spec.wait && ctx.spec.failFast ? { settleMs: ctx.spec.failFastAfterSeconds * 1000 } : false;
  const interrupt = new AbortController();
  let hopeless: HopelessWorkload | undefined;
  const judge = failFast
    ? (observation: DeployObservation, _at: number) => {
        if (hopeless) return;
        hopeless = hopelessWorkload(observation, now(), { settleMs: failFast.settleMs, jobs: ctx.spec.waitForJobs });
        if (!hopeless) return;
        ctx.log(`${hopeless.kind}/${hopeless.name} will not become ready (${hopeless.reason}): ending helm's wait`, 'warn');
        interrupt.abort();
      }
    : undefined;
  // While helm waits, the same reads say what it waits on (throttled), for the renderers.
  const due = progressThrottle();
  const timeoutMs = ctx.spec.timeoutSeconds * 1_000;
  const progress = ctx.progress && ctx.spec.wait
    ? (observation: DeployObservation, at: number) => {
        const report = waitProgressOf(observation, at, timeoutMs);
        if (due(report, at)) ctx.progress?.(report);
      }
    : undefined;
  const listener = judge || progress
    ? (observation: DeployObservation, at: number) => {
        judge?.(observation, at);
        progress?.(observation, at);
      }
    : undefined;
  const subscription = observeRelease(ctx.kube, { release: ctx.spec.name, namespace: ctx.spec.namespace }, observerOptions, listener);
  try {
    return await deploy({ signal: ctx.signal, interrupt: interrupt.signal });
  } catch (error) {
    // One more look tells whether helm rolled the workloads back or deleted them; not when cancelled.
    const observation = ctx.signal.aborted ? subscription.close() : await subscription.closeAfterLook();
    const thrown = hopeless && !ctx.signal.aborted ? new ReadinessFailedError(ctx.spec.name, hopeless, { cause: error }) : error;
    if (typeof thrown === 'object' && thrown !== null) observed.set(thrown, observation);
    throw thrown;
  } finally {
    subscription.close();
  }
}

/** What was observed while the deploy that failed with this error ran (looked up along the cause chain). */
export function observationOf(error: unknown): DeployObservation | undefined {
  for (const cause of causeChain(error)) {
    if (typeof cause === 'object' && cause !== null && observed.has(cause)) return observed.get(cause);
  }
  return undefined;
}
