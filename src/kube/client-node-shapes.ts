// client-node's answers in helmcycle's shapes: its pod and event models as PodState and EventRecord,
// and its exceptions as a KubeRequestError that says what was asked, after the transient ones are retried.
import { ApiException, type CoreV1Event, type V1Pod } from './client-node.js';
import { KubeRequestError } from '../errors.js';
import { KUBE_RETRY_BUDGET_MS, retryTransient } from '../retry/retry.js';
import { transientReason } from '../retry/transient.js';
import type { ContainerState, EventRecord, PodState } from './types.js';

export function statusCode(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as { message?: string } | string | undefined;
    if (typeof body === 'object' && body?.message) return body.message;
    if (typeof body === 'string') {
      try {
        return (JSON.parse(body) as { message?: string }).message ?? body;
      } catch {
        return body;
      }
    }
  }
  return error instanceof Error ? error.message : String(error);
}

export async function request<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    // Transient failures are retried (retry/): every call here is safe to repeat (reads, access reviews, merge and apply patches; a create repeated after its first try landed fails as AlreadyExists, never twice).
    return await retryTransient(call, { transient: (error) => transientReason(apiMessage(error), statusCode(error)), budgetMs: KUBE_RETRY_BUDGET_MS });
  } catch (error) {
    const code = statusCode(error);
    throw new KubeRequestError(`${what} failed${code ? ` (HTTP ${code})` : ''}: ${apiMessage(error)}`, code, { cause: error });
  }
}

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
