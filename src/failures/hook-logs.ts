// The logs of the hook Jobs a failure names: why a hook failed is in its container's output, which helm
// never shows. Reading them never throws; what cannot be read says why in place of the lines.
import type { KubeClient } from '../kube/types.js';
import type { FailureReport, MentionedObject } from './classify.js';

export async function collectHookLogs(kube: KubeClient, namespace: string, jobs: readonly MentionedObject[], tailLines = 50): Promise<NonNullable<FailureReport['hookLogs']>> {
  const result: NonNullable<FailureReport['hookLogs']> = [];
  for (const job of jobs.filter((o) => o.kind === 'Job')) {
    const ns = job.namespace ?? namespace;
    // The Job controller labels its pods with the Job's name.
    const pods = await kube.listPods(ns, `job-name=${job.name}`).catch(() => []);
    for (const pod of pods) {
      for (const container of pod.containers) {
        const text = await kube.podLogs(ns, pod.name, container.name, tailLines).catch((error: unknown) => `(logs unavailable: ${(error as Error).message})`);
        result.push({ job: job.name, pod: pod.name, lines: text.split('\n').filter(Boolean) });
      }
    }
  }
  return result;
}
