// What a person needs to understand a failed deploy: the release's workloads that did not become ready
// (as seen while helm waited, so still there after an atomic rollback), the namespace's recent
// warnings, the pods that are not ready and why, and the last log lines of the failing containers.
import { findingsOf, type DeployObservation, type WorkloadFinding } from './deploy-observation.js';
import type { EventRecord, KubeClient, PodState } from './types.js';

export interface ContainerLogs {
  pod: string;
  container: string;
  /** The log tail, or why it could not be read. */
  text: string;
  available: boolean;
}

/** A pod not ready, as read after the failure or, for one helm has deleted since, as last seen before. */
export interface DiagnosedPod extends PodState {
  /** "Deployment/web": the release's workload it belongs to, when the deploy was observed. */
  workload?: string | undefined;
  /** Gone by the time of the failure: the state is the last one seen while helm waited. */
  lastSeen?: { at: number; gone: boolean } | undefined;
  unschedulable?: string | undefined;
}

export interface Diagnostics {
  namespace: string;
  /** The release's workloads that did not become ready while observed (see deploy-observation.ts). */
  workloads?: WorkloadFinding[] | undefined;
  warnings: EventRecord[];
  unreadyPods: DiagnosedPod[];
  logs: ContainerLogs[];
  /** Parts that could not be collected (diagnostics never hide the original failure). */
  gaps: string[];
}

export interface DiagnosticsOptions {
  namespace: string;
  /** Label selectors of the release's pods. */
  podSelectors: readonly string[];
  maxEvents?: number;
  tailLines?: number;
  /** What was seen of the release while helm deployed it; merged with what is read now. */
  observation?: DeployObservation | undefined;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Pods whose containers are failing, not merely slow: these get their logs read. */
export function isFailingContainer(container: PodState['containers'][number]): boolean {
  return container.restartCount > 0 || container.lastExitCode !== undefined || /Error|CrashLoop|BackOff|OOM/i.test(container.reason ?? '');
}

/** Whether an event is about one of the failed workloads, their pods, or a Deployment's ReplicaSets. */
function relatedTo(findings: readonly WorkloadFinding[]): (event: EventRecord) => boolean {
  const objects = new Set(findings.flatMap((f) => [`${f.kind}/${f.name}`, ...f.pods.map((p) => `Pod/${p.pod.name}`)]));
  const deployments = findings.filter((f) => f.kind === 'Deployment').map((f) => `ReplicaSet/${f.name}-`);
  return (event) => objects.has(event.object) || deployments.some((prefix) => event.object.startsWith(prefix));
}

/** The newest warnings, those about the failed workloads first (a busy namespace has others). Pure. */
export function chooseWarnings(events: readonly EventRecord[], findings: readonly WorkloadFinding[], max: number): EventRecord[] {
  const warnings = events.filter((e) => e.type === 'Warning').sort((a, b) => (a.lastSeen ?? '').localeCompare(b.lastSeen ?? ''));
  const isRelated = relatedTo(findings);
  const related = warnings.filter(isRelated).slice(-max);
  const room = max - related.length;
  const others = room > 0 ? warnings.filter((e) => !isRelated(e)).slice(-room) : [];
  const chosen = new Set([...related, ...others]);
  return warnings.filter((e) => chosen.has(e));
}

/** The pods read now, with the observed pods of the failed workloads that are not among them. Pure. */
export function mergeObservedPods(current: readonly PodState[], findings: readonly WorkloadFinding[]): DiagnosedPod[] {
  const byName = new Map<string, DiagnosedPod>(current.map((p) => [p.name, { ...p }]));
  for (const finding of findings) {
    for (const seen of finding.pods) {
      const now = byName.get(seen.pod.name);
      const { workload, unschedulable } = seen.pod;
      if (now) byName.set(now.name, { ...now, workload, unschedulable });
      else byName.set(seen.pod.name, { ...seen.pod, lastSeen: { at: seen.at, gone: seen.gone } });
    }
  }
  return [...byName.values()];
}

export async function collectDiagnostics(kube: KubeClient, options: DiagnosticsOptions): Promise<Diagnostics> {
  const { namespace } = options;
  const gaps: string[] = [...(options.observation?.gaps ?? []).map((g) => `while observing: ${g}`)];
  const workloads = options.observation ? findingsOf(options.observation) : undefined;
  const warnings = await kube
    .listEvents(namespace)
    .then((events) => chooseWarnings(events, workloads ?? [], options.maxEvents ?? 15))
    .catch((error: unknown) => {
      gaps.push(`events: ${describeError(error)}`);
      return [];
    });

  const byName = new Map<string, PodState>();
  for (const selector of options.podSelectors) {
    const pods = await kube.listPods(namespace, selector).catch((error: unknown) => {
      gaps.push(`pods (${selector}): ${describeError(error)}`);
      return [];
    });
    for (const pod of pods) byName.set(pod.name, pod);
  }
  const unreadyPods = mergeObservedPods([...byName.values()], workloads ?? []).filter((p) => !p.ready && p.phase !== 'Succeeded');

  const logs: ContainerLogs[] = [];
  // A pod that is gone has no logs left to read.
  for (const pod of unreadyPods.filter((p) => !p.lastSeen?.gone)) {
    for (const container of pod.containers.filter(isFailingContainer)) {
      try {
        const text = await kube.podLogs(namespace, pod.name, container.name, options.tailLines ?? 20);
        logs.push({ pod: pod.name, container: container.name, text, available: true });
      } catch (error) {
        logs.push({ pod: pod.name, container: container.name, text: describeError(error), available: false });
      }
    }
  }
  return { namespace, ...(workloads ? { workloads } : {}), warnings, unreadyPods, logs, gaps };
}

function containerLine(c: PodState['containers'][number]): string {
  const parts = [`${c.name}: ${c.ready ? 'ready' : 'not ready'}`];
  if (c.reason) parts.push(c.reason + (c.message ? ` (${c.message})` : ''));
  if (c.restartCount > 0) parts.push(`${c.restartCount} restarts`);
  if (c.lastTerminationReason) parts.push(`last exit ${c.lastExitCode ?? '?'} ${c.lastTerminationReason}`);
  return parts.join(', ');
}

const clock = (at: number) => new Date(at).toISOString().slice(11, 19);

const SINCE: Record<WorkloadFinding['since'], string> = {
  'not ready': 'still not ready',
  changed: 'changed since, e.g. rolled back',
  gone: 'deleted since',
};

/** One line per failed workload: what its readiness rule said, when, what became of it, its pods. */
function workloadLine(f: WorkloadFinding): string {
  const pods = f.pods.map((p) => p.pod.name).join(', ') + (f.morePods > 0 ? ` and ${f.morePods} more` : '');
  const wontHeal = f.wontHeal && !f.state.failed ? `; will not heal by waiting: ${f.wontHeal}` : '';
  return `  ${f.kind}/${f.name}: ${f.state.failed ? 'failed: ' : ''}${f.state.message}${pods ? `; pods not ready: ${pods}` : ''}${wontHeal} [seen ${clock(f.at)}, ${SINCE[f.since]}]`;
}

function podLine(pod: DiagnosedPod): string {
  const why = [pod.phase, pod.notReadyReason, pod.unschedulable].filter(Boolean).join(', ');
  const seen = pod.lastSeen ? ` [seen ${clock(pod.lastSeen.at)}${pod.lastSeen.gone ? ', deleted since' : ''}]` : '';
  return `  ${pod.name} (${why})${seen}`;
}

/** A readable block for error messages and reports. Pure. */
export function formatDiagnostics(d: Diagnostics): string {
  const lines: string[] = [];
  if (d.workloads && d.workloads.length > 0) {
    lines.push(`workloads not ready in ${d.namespace} while helm waited:`);
    for (const f of d.workloads) lines.push(workloadLine(f));
  }
  if (d.unreadyPods.length > 0) {
    lines.push(`pods not ready in ${d.namespace}:`);
    for (const pod of d.unreadyPods) {
      lines.push(podLine(pod));
      for (const c of pod.containers) lines.push(`    ${containerLine(c)}`);
    }
  }
  if (d.warnings.length > 0) {
    lines.push(`warning events in ${d.namespace}:`);
    for (const e of d.warnings) lines.push(`  ${e.object}: ${e.reason}: ${e.message}${e.count > 1 ? ` (x${e.count})` : ''}`);
  }
  for (const log of d.logs) {
    lines.push(`logs of ${log.pod}/${log.container}${log.available ? '' : ' (unavailable)'}:`);
    for (const line of log.text.split('\n').filter(Boolean)) lines.push(`  | ${line}`);
  }
  if (d.gaps.length > 0) lines.push(`not collected: ${d.gaps.join('; ')}`);
  return lines.length > 0 ? lines.join('\n') : 'no unready pods or warning events found';
}
