// Watches a release's workloads while helm deploys it, so that a failure can name them even after helm
// has rolled them back or deleted them (atomic / --rollback-on-failure): helm's own error under Helm 3
// says only "context deadline exceeded". The observation travels with the error (observationOf), and
// onDeployFailure puts it into the payload and the diagnostics.
import { causeChain } from '../errors.js';
import type { DeployObservation } from '../kube/deploy-observation.js';
import { observeRelease, type ObserverOptions } from '../kube/namespace-observer.js';
import type { ChartPayload, PhaseContext } from './types.js';
import { progressThrottle, waitProgressOf } from './wait-progress.js';

const observed = new WeakMap<object, DeployObservation>();

/** Runs a deploy (one helm upgrade) while observing the release; a failure carries what was seen. */
export async function observeDeploy<P extends ChartPayload, T>(ctx: PhaseContext<P>, deploy: () => Promise<T>, options: ObserverOptions = {}): Promise<T> {
  // While helm waits, the same reads say what it waits on (throttled), for the renderers.
  const due = progressThrottle();
  const timeoutMs = ctx.spec.timeoutSeconds * 1_000;
  const listener = ctx.progress && ctx.spec.wait
    ? (observation: DeployObservation, at: number) => {
        const progress = waitProgressOf(observation, at, timeoutMs);
        if (due(progress, at)) ctx.progress?.(progress);
      }
    : undefined;
  const subscription = observeRelease(ctx.kube, { release: ctx.spec.name, namespace: ctx.spec.namespace }, options, listener);
  try {
    return await deploy();
  } catch (error) {
    // One more look tells whether helm rolled the workloads back or deleted them; not when cancelled.
    const observation = ctx.signal.aborted ? subscription.close() : await subscription.closeAfterLook();
    if (typeof error === 'object' && error !== null) observed.set(error, observation);
    throw error;
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
