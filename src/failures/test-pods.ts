// What is real about the test pods a failed `helm test` names: their phase, each container's exit
// code, reason and termination message, their events, and their logs. Reading never throws; what
// cannot be read says why in place of the lines.
import type { KubeClient } from '../kube/types.js';
import type { MentionedObject, TestPodReport } from './classify.js';

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** Container lines from a pod object's status ("test: terminated exit 1 Error: message"). Pure. */
export function containerTerminations(pod: unknown): string[] {
  const statuses = asRecord(asRecord(pod).status).containerStatuses;
  return (Array.isArray(statuses) ? statuses : []).map((status) => {
    const s = asRecord(status);
    const state = asRecord(s.state);
    const terminated = asRecord(state.terminated);
    const waiting = asRecord(state.waiting);
    if (state.terminated) {
      const message = terminated.message ? `: ${String(terminated.message).trim()}` : '';
      return `${String(s.name)}: terminated, exit code ${String(terminated.exitCode)} (${String(terminated.reason ?? 'no reason')})${message}`;
    }
    if (state.waiting) return `${String(s.name)}: waiting (${String(waiting.reason ?? 'no reason')})`;
    return `${String(s.name)}: running`;
  });
}

export async function collectTestPods(kube: KubeClient, namespace: string, pods: readonly MentionedObject[], tailLines = 50): Promise<TestPodReport[]> {
  const result: TestPodReport[] = [];
  const events = await kube.listEvents(namespace).catch(() => []);
  for (const ref of pods.filter((o) => o.kind === 'Pod')) {
    const ns = ref.namespace ?? namespace;
    const pod = await kube.getObject({ apiVersion: 'v1', kind: 'Pod', name: ref.name, namespace: ns }).catch(() => undefined);
    if (!pod) {
      result.push({ pod: ref.name, phase: 'gone', containers: [], events: [], lines: ['(the pod was deleted: its hook-delete-policy removed it)'] });
      continue;
    }
    const spec = asRecord(pod.spec);
    const names = (Array.isArray(spec.containers) ? spec.containers : []).map((c) => String(asRecord(c).name));
    const lines: string[] = [];
    for (const container of names) {
      const text = await kube.podLogs(ns, ref.name, container, tailLines).catch((error: unknown) => `(logs of ${container} unavailable: ${(error as Error).message})`);
      lines.push(...text.split('\n').filter(Boolean));
    }
    result.push({
      pod: ref.name,
      phase: String(asRecord(pod.status).phase ?? 'unknown'),
      containers: containerTerminations(pod),
      events: events.filter((e) => e.object === `Pod/${ref.name}`).map((e) => `${e.type} ${e.reason}: ${e.message}`),
      lines: lines.length ? lines : ['(no log lines)'],
    });
  }
  return result;
}
