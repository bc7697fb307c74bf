// What was seen of a release while helm deployed it, kept so that a failure can be explained after helm
// has rolled the workloads back or deleted them (atomic). Pure: a record of views over time
// (recordView), and the judgement of which workloads failed and why (findingsOf).
//
// A workload is judged per generation: helm's upgrade gives it a new generation, and an atomic rollback
// another. A generation whose last sighting was not ready is one that never became ready before it
// was replaced or deleted, or before helm gave up; that is the failure, whatever came after it.
import type { ObservedPod, ReleaseKey, ReleaseView, WorkloadState } from './release-view.js';

export interface Sighting<T> {
  state: T;
  /** When the read that saw it started (ms since the epoch). */
  at: number;
}

export interface TrackedWorkload {
  kind: string;
  name: string;
  namespace: string;
  /** The last sighting at each generation seen, in the order first seen. */
  generations: Sighting<WorkloadState>[];
  /** Found by the last read (false: deleted since, e.g. helm uninstalled a failed install). */
  present: boolean;
}

export interface TrackedPod {
  last: Sighting<ObservedPod>;
  present: boolean;
  /** There in the observation's first view: made before this deploy (an old revision's pod). */
  preexisting: boolean;
  /**
   * When it was first seen in a state waiting does not heal (wontHealReason), not ready since; a crash
   * loop passes through Running between back-offs, so only readiness resets it.
   */
  hopeless: { since: number; reason: string } | undefined;
}

/** Plain data (it goes into the payload and the report). */
export interface DeployObservation extends ReleaseKey {
  startedAt: number;
  endedAt: number | undefined;
  /** How many views of the namespace it was handed (a polled read, a watched change, a heartbeat). */
  reads: number;
  workloads: TrackedWorkload[];
  pods: TrackedPod[];
  /** What could not be read (e.g. a kind the deployer may not list). */
  gaps: string[];
}

/** A crash-looping Job or a Deployment scaled up by a loop can make many pods; older gone ones go first. */
const MAX_TRACKED_PODS = 100;
/** Pods shown per failed workload. */
export const MAX_PODS_PER_WORKLOAD = 5;

export function startObservation(key: ReleaseKey, at: number): DeployObservation {
  return { release: key.release, namespace: key.namespace, startedAt: at, endedAt: undefined, reads: 0, workloads: [], pods: [], gaps: [] };
}

const workloadKey = (w: { kind: string; name: string }) => `${w.kind}/${w.name}`;

function sameGeneration(a: WorkloadState, b: WorkloadState): boolean {
  return (a.generation ?? 0) === (b.generation ?? 0);
}

/** The observation with one more read of the namespace folded in. Pure. */
export function recordView(observation: DeployObservation, view: ReleaseView, at: number): DeployObservation {
  const seenWorkloads = new Map(view.workloads.map((w) => [workloadKey(w), w]));
  const workloads = observation.workloads.map((tracked): TrackedWorkload => {
    const state = seenWorkloads.get(workloadKey(tracked));
    if (!state) return { ...tracked, present: false };
    seenWorkloads.delete(workloadKey(tracked));
    const generations = tracked.generations.filter((g) => !sameGeneration(g.state, state));
    return { ...tracked, generations: [...generations, { state, at }], present: true };
  });
  for (const state of seenWorkloads.values()) {
    workloads.push({ kind: state.kind, name: state.name, namespace: state.namespace, generations: [{ state, at }], present: true });
  }

  const seenPods = new Map(view.pods.map((p) => [p.name, p]));
  const hopeless = (state: ObservedPod, before: TrackedPod['hopeless']): TrackedPod['hopeless'] => {
    if (state.ready) return undefined;
    const reason = wontHealReason(state);
    return reason ? { since: before?.since ?? at, reason } : before;
  };
  let pods = observation.pods.map((tracked): TrackedPod => {
    const state = seenPods.get(tracked.last.state.name);
    if (!state) return { ...tracked, present: false };
    seenPods.delete(state.name);
    return { last: { state, at }, present: true, preexisting: tracked.preexisting, hopeless: hopeless(state, tracked.hopeless) };
  });
  const first = observation.reads === 0;
  for (const state of seenPods.values()) pods.push({ last: { state, at }, present: true, preexisting: first, hopeless: hopeless(state, undefined) });
  if (pods.length > MAX_TRACKED_PODS) {
    const gone = pods.filter((p) => !p.present).sort((a, b) => a.last.at - b.last.at);
    const drop = new Set(gone.slice(0, pods.length - MAX_TRACKED_PODS));
    pods = pods.filter((p) => !drop.has(p));
  }
  return { ...observation, reads: observation.reads + 1, workloads, pods };
}

export function recordGap(observation: DeployObservation, gap: string): DeployObservation {
  return observation.gaps.includes(gap) ? observation : { ...observation, gaps: [...observation.gaps, gap] };
}

export function endObservation(observation: DeployObservation, at: number): DeployObservation {
  return observation.endedAt === undefined ? { ...observation, endedAt: at } : observation;
}

export interface PodFinding {
  pod: ObservedPod;
  /** When it was last seen so. */
  at: number;
  /** No longer there at the end of the observation (deleted by a rollback, an uninstall or its controller). */
  gone: boolean;
}

export interface WorkloadFinding {
  kind: string;
  name: string;
  namespace: string;
  /** The state that explains the failure: the last sighting of a generation that never became ready. */
  state: WorkloadState;
  at: number;
  /** What became of it by the end: still not ready, replaced by a later generation (e.g. rolled back), or deleted. */
  since: 'not ready' | 'changed' | 'gone';
  /** Its pods that were not ready when last seen, most recent first. */
  pods: PodFinding[];
  /** Not-ready pods left out of `pods`. */
  morePods: number;
  /** Why waiting longer would not have helped, when the state says so (a failed Job, a crash loop, ...). */
  wontHeal: string | undefined;
}

/** Container reasons that do not go away by waiting. */
const HOPELESS_CONTAINER_REASONS = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/**
 * Why waiting longer will not make this pod ready, or undefined when it might still become so: the
 * judgement a readiness watch needs to fail fast (issue "Fast"), used here to say so in the failure. Pure.
 */
export function wontHealReason(pod: ObservedPod): string | undefined {
  if (pod.unschedulable) return `pod ${pod.name} cannot be scheduled: ${pod.unschedulable}`;
  if (pod.phase === 'Failed') return `pod ${pod.name} failed`;
  const container = pod.containers.find((c) => c.reason && HOPELESS_CONTAINER_REASONS.has(c.reason));
  return container ? `${pod.name}/${container.name}: ${container.reason}` : undefined;
}

function isUnreadyPod(pod: ObservedPod): boolean {
  return !pod.ready && pod.phase !== 'Succeeded';
}

/** The workloads that failed while observed, each with its not-ready pods. Pure. */
export function findingsOf(observation: DeployObservation): WorkloadFinding[] {
  const findings: WorkloadFinding[] = [];
  for (const tracked of observation.workloads) {
    const failing = tracked.generations.filter((g) => !g.state.ready);
    const explaining = failing.at(-1);
    if (!explaining) continue;
    const latest = tracked.generations.at(-1)!;
    const since = !tracked.present ? 'gone' : latest === explaining ? 'not ready' : 'changed';
    const key = workloadKey(tracked);
    const pods = observation.pods
      .filter((p) => p.last.state.workload === key && isUnreadyPod(p.last.state))
      .sort((a, b) => b.last.at - a.last.at)
      .map((p): PodFinding => ({ pod: p.last.state, at: p.last.at, gone: !p.present }));
    const wontHeal = explaining.state.failed ? explaining.state.message : pods.map((p) => wontHealReason(p.pod)).find(Boolean);
    findings.push({
      kind: tracked.kind, name: tracked.name, namespace: tracked.namespace, state: explaining.state, at: explaining.at, since,
      pods: pods.slice(0, MAX_PODS_PER_WORKLOAD), morePods: Math.max(0, pods.length - MAX_PODS_PER_WORKLOAD), wontHeal,
    });
  }
  // Bare pods of the release (no workload) that were not ready.
  for (const p of observation.pods.filter((p) => p.last.state.workload === `Pod/${p.last.state.name}` && isUnreadyPod(p.last.state))) {
    const state: WorkloadState = { kind: 'Pod', name: p.last.state.name, namespace: p.last.state.namespace, generation: undefined, ready: false, failed: p.last.state.phase === 'Failed', message: `pod ${p.last.state.phase}` };
    findings.push({ kind: 'Pod', name: state.name, namespace: state.namespace, state, at: p.last.at, since: p.present ? 'not ready' : 'gone', pods: [{ pod: p.last.state, at: p.last.at, gone: !p.present }], morePods: 0, wontHeal: wontHealReason(p.last.state) });
  }
  return findings;
}
