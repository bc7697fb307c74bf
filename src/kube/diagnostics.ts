// What a person needs to understand a failed deploy: the namespace's recent warnings, the pods that are
// not ready and why, and the last log lines of the failing containers.
import type { EventRecord, KubeClient, PodState } from './types.js';

export interface ContainerLogs {
  pod: string;
  container: string;
  /** The log tail, or why it could not be read. */
  text: string;
  available: boolean;
}

export interface Diagnostics {
  namespace: string;
  warnings: EventRecord[];
  unreadyPods: PodState[];
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
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Pods whose containers are failing, not merely slow: these get their logs read. */
export function isFailingContainer(container: PodState['containers'][number]): boolean {
  return container.restartCount > 0 || container.lastExitCode !== undefined || /Error|CrashLoop|BackOff|OOM/i.test(container.reason ?? '');
}

export async function collectDiagnostics(kube: KubeClient, options: DiagnosticsOptions): Promise<Diagnostics> {
  const { namespace } = options;
  const gaps: string[] = [];
  const warnings = await kube
    .listEvents(namespace)
    .then((events) =>
      events
        .filter((e) => e.type === 'Warning')
        .sort((a, b) => (a.lastSeen ?? '').localeCompare(b.lastSeen ?? ''))
        .slice(-(options.maxEvents ?? 15)),
    )
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
  const unreadyPods = [...byName.values()].filter((p) => !p.ready && p.phase !== 'Succeeded');

  const logs: ContainerLogs[] = [];
  for (const pod of unreadyPods) {
    for (const container of pod.containers.filter(isFailingContainer)) {
      try {
        const text = await kube.podLogs(namespace, pod.name, container.name, options.tailLines ?? 20);
        logs.push({ pod: pod.name, container: container.name, text, available: true });
      } catch (error) {
        logs.push({ pod: pod.name, container: container.name, text: describeError(error), available: false });
      }
    }
  }
  return { namespace, warnings, unreadyPods, logs, gaps };
}

function containerLine(c: PodState['containers'][number]): string {
  const parts = [`${c.name}: ${c.ready ? 'ready' : 'not ready'}`];
  if (c.reason) parts.push(c.reason + (c.message ? ` (${c.message})` : ''));
  if (c.restartCount > 0) parts.push(`${c.restartCount} restarts`);
  if (c.lastTerminationReason) parts.push(`last exit ${c.lastExitCode ?? '?'} ${c.lastTerminationReason}`);
  return parts.join(', ');
}

/** A readable block for error messages and reports. Pure. */
export function formatDiagnostics(d: Diagnostics): string {
  const lines: string[] = [];
  if (d.unreadyPods.length > 0) {
    lines.push(`pods not ready in ${d.namespace}:`);
    for (const pod of d.unreadyPods) {
      lines.push(`  ${pod.name} (${pod.phase}${pod.notReadyReason ? `, ${pod.notReadyReason}` : ''})`);
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
