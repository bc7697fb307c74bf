// Pods and workloads: delete crash-looping pods (a stuck pod can hold an upgrade's rollout), restart a
// workload's rollout (pick up a changed Secret), and wait until workloads are ready.
import { setTimeout as sleep } from 'node:timers/promises';
import { refOf } from '../kube/manifest.js';
import { workloadReadiness, type Readiness } from '../kube/readiness.js';
import type { KubeClient, KubeObject, ObjectRef } from '../kube/types.js';

const POLL_MS = 1_000;
/** The annotation `kubectl rollout restart` sets; changing it rolls the pods. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** Deletes the pods of a selector whose containers are in CrashLoopBackOff; returns their names. */
export async function deleteCrashLoopingPods(kube: KubeClient, namespace: string, selector: string): Promise<string[]> {
  const pods = await kube.listPods(namespace, selector);
  const crashing = pods.filter((pod) => pod.containers.some((c) => c.reason === 'CrashLoopBackOff'));
  for (const pod of crashing) await kube.deletePod(namespace, pod.name);
  return crashing.map((pod) => pod.name);
}

const RESTARTABLE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Restarts a Deployment's, StatefulSet's or DaemonSet's pods the way `kubectl rollout restart` does. */
export async function restartRollout(kube: KubeClient, workload: ObjectRef, now: Date = new Date()): Promise<KubeObject> {
  if (!RESTARTABLE_KINDS.has(workload.kind)) {
    throw new TypeError(`cannot restart a ${workload.kind}: only Deployment, StatefulSet and DaemonSet roll out`);
  }
  return kube.patchObject(workload, { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: now.toISOString() } } } } });
}

/** A workload's readiness as the cluster has it now. */
export async function liveReadiness(kube: KubeClient, workload: ObjectRef | KubeObject): Promise<Readiness> {
  const ref = 'metadata' in workload ? refOf(workload) : workload;
  const live = await kube.getObject(ref);
  return live ? workloadReadiness(live) : { ready: false, failed: false, message: 'not found in the cluster' };
}

export interface WorkloadState {
  /** Kind/name. */
  name: string;
  ok: boolean;
  message: string;
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

function label(ref: ObjectRef): string {
  return `${ref.kind}/${ref.name}`;
}

/**
 * Polls every workload until all are ready, one fails for good, or the timeout passes; returns the state
 * of each (it does not throw on a workload that is not ready: the caller decides).
 */
export async function waitForWorkloads(kube: KubeClient, workloads: readonly (ObjectRef | KubeObject)[], options: WaitOptions): Promise<WorkloadState[]> {
  const deadline = Date.now() + options.timeoutMs;
  const refs = workloads.map((w) => ('metadata' in w ? refOf(w) : w));
  const results = new Map<string, WorkloadState>();
  let pending = refs;
  for (;;) {
    const still: ObjectRef[] = [];
    for (const ref of pending) {
      const readiness = await liveReadiness(kube, ref);
      results.set(label(ref), { name: label(ref), ok: readiness.ready, message: readiness.message });
      if (!readiness.ready && !readiness.failed) still.push(ref);
    }
    pending = still;
    if (pending.length === 0 || Date.now() >= deadline) break;
    await sleep(POLL_MS, undefined, { signal: options.signal });
  }
  return [...results.values()].map((r) =>
    !r.ok && pending.some((ref) => label(ref) === r.name) ? { ...r, message: `not ready before the timeout: ${r.message}` } : r,
  );
}
