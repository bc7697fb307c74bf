// Whether a deploy that helm is still waiting on has already failed: a workload whose pods are in a
// state waiting does not heal (a crash loop, an image that cannot be pulled, a pod no node can take),
// or a Job that reached its backoffLimit. Pure: judged from the deploy's observation
// (deploy-observation.ts); stopping helm is observe-deploy.ts's part.
//
// Only what this deploy made is judged: a pod already there when the deploy started (the old
// revision's, still crash-looping from an earlier failure) may well be replaced by a healthy one. And
// a pod's state must hold for `settleMs` first: a container that crashes while what it needs starts
// beside it, or a pull that a registry refuses once, does heal.
import type { HopelessFinding } from '../errors.js';
import type { DeployObservation } from './deploy-observation.js';

export interface FailFastOptions {
  /** How long a pod must stay in a hopeless state (not ready all along) before the deploy is given up. */
  settleMs: number;
  /** Whether helm waits for Jobs (--wait-for-jobs); without it a failed Job does not fail the deploy. */
  jobs: boolean;
}

/** The workload, the pod that shows it (when a pod does), and the reason in words. */
export type HopelessWorkload = HopelessFinding;

function lastGeneration(observation: DeployObservation, workload: string) {
  return observation.workloads.find((w) => `${w.kind}/${w.name}` === workload)?.generations.at(-1);
}

/** The first workload of the release that will not become ready by waiting, or undefined. Pure. */
export function hopelessWorkload(observation: DeployObservation, at: number, options: FailFastOptions): HopelessWorkload | undefined {
  if (options.jobs) {
    for (const tracked of observation.workloads) {
      const state = tracked.generations.at(-1)?.state;
      if (tracked.kind === 'Job' && tracked.present && state?.failed) {
        return { kind: 'Job', name: tracked.name, namespace: tracked.namespace, pod: undefined, reason: `job ${tracked.name} failed: ${state.message}` };
      }
    }
  }
  for (const tracked of observation.pods) {
    const pod = tracked.last.state;
    if (!tracked.present || tracked.preexisting || !tracked.hopeless || pod.ready) continue;
    if (at - tracked.hopeless.since < options.settleMs) continue;
    const [kind, name] = pod.workload.split('/') as [string, string];
    if (kind === 'Job' && !options.jobs) continue;
    // A workload ready by now does not wait on this pod (a surplus pod on its way out).
    if (kind !== 'Pod' && lastGeneration(observation, pod.workload)?.state.ready !== false) continue;
    const reason = tracked.hopeless.reason;
    const container = pod.containers.find((c) => !c.ready && (c.restartCount > 0 || c.lastExitCode !== undefined));
    const history = container ? ` (${[container.lastExitCode !== undefined ? `last exit code ${container.lastExitCode}` : '', container.restartCount ? `${container.restartCount} restarts` : ''].filter(Boolean).join(', ')})` : '';
    return { kind, name, namespace: pod.namespace, pod: pod.name, reason: `${reason}${history}` };
  }
  return undefined;
}
