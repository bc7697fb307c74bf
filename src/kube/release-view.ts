// What one read of a namespace says about one Helm release: its workloads (found by Helm's release
// annotations, not by labels, since a chart's pods do not always carry the instance label), their
// readiness, and their pods (found through ownerReferences: pod → ReplicaSet → Deployment, or pod →
// StatefulSet/DaemonSet/Job). Pure: the lists are read elsewhere (namespace-watch.ts, namespace-poll.ts).
import { workloadReadiness } from './readiness.js';
import type { ContainerState, KubeObject, PodState } from './types.js';

export const RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
export const RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';

/** The kinds a release's readiness is judged by, with the API they are listed from. */
export const OBSERVED_WORKLOAD_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'batch/v1', kind: 'Job' },
] as const;

export interface ReleaseKey {
  release: string;
  namespace: string;
}

export interface WorkloadState {
  kind: string;
  name: string;
  namespace: string;
  generation: number | undefined;
  ready: boolean;
  /** Waiting cannot help (a failed Job, a Deployment past its progress deadline). */
  failed: boolean;
  /** The readiness rule's words, e.g. "0 of 1 updated replicas available". */
  message: string;
}

export interface ObservedPod extends PodState {
  /** "Deployment/web": the release's workload the pod belongs to (or "Pod/name" for a bare pod of the release). */
  workload: string;
  /** Why the pod is not scheduled (PodScheduled False), e.g. "Unschedulable: 0/2 nodes are available". */
  unschedulable: string | undefined;
}

/** One namespace read: the objects of every observed kind, and the pods. */
export interface NamespaceLists {
  workloads: readonly KubeObject[];
  /** ReplicaSet name → the Deployment that owns it (undefined: owned by no Deployment). */
  replicaSetOwners: ReadonlyMap<string, string | undefined>;
  pods: readonly KubeObject[];
}

export interface ReleaseView {
  workloads: WorkloadState[];
  pods: ObservedPod[];
}

interface OwnerReference {
  kind?: string;
  name?: string;
  controller?: boolean;
}

function ownerOf(object: KubeObject): OwnerReference | undefined {
  const owners = object.metadata.ownerReferences;
  if (!Array.isArray(owners)) return undefined;
  const list = owners as OwnerReference[];
  return list.find((o) => o.controller === true) ?? list[0];
}

/** The ReplicaSet a pod's controller reference names, if any. */
export function replicaSetOf(pod: KubeObject): string | undefined {
  const owner = ownerOf(pod);
  return owner?.kind === 'ReplicaSet' ? owner.name : undefined;
}

/** The Deployment a ReplicaSet belongs to, from its ownerReferences. */
export function deploymentOfReplicaSet(replicaSet: KubeObject): string | undefined {
  const owner = ownerOf(replicaSet);
  return owner?.kind === 'Deployment' ? owner.name : undefined;
}

export function belongsToRelease(object: KubeObject, key: ReleaseKey): boolean {
  const annotations = object.metadata.annotations ?? {};
  return annotations[RELEASE_NAME_ANNOTATION] === key.release && (annotations[RELEASE_NAMESPACE_ANNOTATION] ?? key.namespace) === key.namespace;
}

type Json = Record<string, unknown>;
const record = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function conditionOf(status: Json, type: string): Json | undefined {
  const list = status.conditions;
  return Array.isArray(list) ? (list.map(record).find((c) => c.type === type)) : undefined;
}

function containerStateOf(raw: unknown): ContainerState {
  const c = record(raw);
  const state = record(c.state);
  const current = record(state.waiting ?? state.terminated);
  const lastTerminated = record(record(c.lastState).terminated);
  const exitCode = lastTerminated.exitCode ?? record(state.terminated).exitCode;
  return {
    name: text(c.name) ?? '',
    ready: c.ready === true,
    restartCount: typeof c.restartCount === 'number' ? c.restartCount : 0,
    reason: text(current.reason),
    message: text(current.message),
    lastTerminationReason: text(lastTerminated.reason),
    lastExitCode: typeof exitCode === 'number' ? exitCode : undefined,
  };
}

/** A pod's state from its JSON (the same reading the client's listPods gives). */
export function podStateOf(pod: KubeObject): PodState & { unschedulable: string | undefined } {
  const status = record(pod.status);
  const ready = conditionOf(status, 'Ready');
  const scheduled = conditionOf(status, 'PodScheduled');
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  // An init container that completed is no reason; one that waits or failed is.
  const inits = list(status.initContainerStatuses).map(containerStateOf).filter((c) => c.reason !== 'Completed');
  const containers = [...inits, ...list(status.containerStatuses).map(containerStateOf)];
  return {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace ?? '',
    phase: text(status.phase) ?? 'Unknown',
    ready: ready?.status === 'True',
    labels: pod.metadata.labels ?? {},
    containers,
    notReadyReason: ready?.status === 'True' ? undefined : text(ready?.reason),
    unschedulable: scheduled?.status === 'False' ? [text(scheduled.reason), text(scheduled.message)].filter(Boolean).join(': ') || 'not scheduled' : undefined,
  };
}

function workloadStateOf(object: KubeObject): WorkloadState {
  const readiness = workloadReadiness(object);
  return {
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? '',
    generation: object.metadata.generation,
    ready: readiness.ready,
    failed: readiness.failed,
    message: readiness.message,
  };
}

/** The workload ("Kind/name") a pod belongs to, through its owners; undefined when none. */
export function podWorkload(pod: KubeObject, replicaSetOwners: ReadonlyMap<string, string | undefined>): string | undefined {
  const owner = ownerOf(pod);
  if (!owner?.kind || !owner.name) return undefined;
  if (owner.kind === 'ReplicaSet') {
    const deployment = replicaSetOwners.get(owner.name);
    return deployment ? `Deployment/${deployment}` : undefined;
  }
  return `${owner.kind}/${owner.name}`;
}

/** The release's workloads and their pods in one namespace read. Pure. */
export function releaseView(lists: NamespaceLists, key: ReleaseKey): ReleaseView {
  const workloads = lists.workloads.filter((o) => belongsToRelease(o, key)).map(workloadStateOf);
  const names = new Set(workloads.map((w) => `${w.kind}/${w.name}`));
  const pods: ObservedPod[] = [];
  for (const pod of lists.pods) {
    const workload = podWorkload(pod, lists.replicaSetOwners);
    const ours = workload !== undefined && names.has(workload) ? workload : belongsToRelease(pod, key) ? `Pod/${pod.metadata.name}` : undefined;
    if (ours) pods.push({ ...podStateOf(pod), workload: ours });
  }
  return { workloads, pods };
}
