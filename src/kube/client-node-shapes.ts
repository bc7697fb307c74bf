// Pods and events as the API server sends them (client-node's model types, for their shape only) in
// helmcycle's shapes, PodState and EventRecord. Pure.
import type { CoreV1Event, V1Pod } from './client-node.js';
import type { ContainerState, EventRecord, PodState } from './types.js';

export function toPodState(pod: V1Pod): PodState {
  const readyCondition = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const containers: ContainerState[] = (pod.status?.containerStatuses ?? []).map((c) => ({
    name: c.name,
    ready: c.ready,
    restartCount: c.restartCount,
    reason: c.state?.waiting?.reason ?? c.state?.terminated?.reason,
    message: c.state?.waiting?.message ?? c.state?.terminated?.message,
    lastTerminationReason: c.lastState?.terminated?.reason,
    lastExitCode: c.lastState?.terminated?.exitCode ?? c.state?.terminated?.exitCode,
  }));
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready: readyCondition?.status === 'True',
    labels: pod.metadata?.labels ?? {},
    containers,
    notReadyReason: readyCondition?.status === 'True' ? undefined : readyCondition?.reason,
  };
}

export function toEventRecord(event: CoreV1Event): EventRecord {
  const last = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp;
  return {
    type: event.type ?? 'Normal',
    reason: event.reason ?? '',
    message: (event.message ?? '').trim(),
    object: `${event.involvedObject.kind ?? ''}/${event.involvedObject.name ?? ''}`,
    count: event.count ?? 1,
    lastSeen: last ? new Date(last as unknown as string).toISOString() : undefined,
  };
}
