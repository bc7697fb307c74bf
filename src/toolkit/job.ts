// A one-off Job, for the rare step that must run inside the cluster (a database migration that only the
// cluster network reaches). Everything else in a lifecycle is plain TypeScript and needs no image; here
// the user names an image, the Job runs once (no retries: a failed step is reported, not repeated), its
// log lines stream to the caller as they come, and the Job is deleted afterwards unless asked to keep it.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HelmcycleError } from '../errors.js';
import type { KubeClient, KubeObject, PodState } from '../kube/types.js';

const POLL_MS = 500;
export const JOB_LABEL = 'helmcycle.dev/job';

export interface JobOptions {
  namespace: string;
  /** A prefix; a random suffix keeps runs apart. */
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  /** Plain environment variables; put secrets in a Secret and use envFrom instead. */
  env?: Record<string, string>;
  /** Secrets or ConfigMaps whose keys become environment variables. */
  envFrom?: ({ secretRef: { name: string } } | { configMapRef: { name: string } })[];
  serviceAccountName?: string;
  /** Extra labels for the Job's pod (a NetworkPolicy may select on them). */
  labels?: Record<string, string>;
  timeoutSeconds?: number;
  /** Called with each log line of the Job's container as it arrives. */
  onLog?: (line: string) => void;
  /** Keep the Job (and its pod) after it finishes, for inspection. */
  keep?: boolean;
  signal?: AbortSignal;
}

export interface JobResult {
  name: string;
  succeeded: boolean;
  logs: string[];
}

export class JobFailedError extends HelmcycleError {
  readonly logs: readonly string[];
  constructor(message: string, logs: readonly string[]) {
    const tail = logs.slice(-20).map((line) => `  | ${line}`).join('\n');
    super('JOB_FAILED', `${message}${tail ? `\nlast log lines:\n${tail}` : ''}`, { hint: 'read the log lines above; the Job is kept when keep: true' });
    this.logs = logs;
  }
}

/** The Job manifest. Pure (the caller supplies the name). */
export function jobManifest(options: JobOptions, name: string): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: options.namespace, labels: { [JOB_LABEL]: name } },
    spec: {
      backoffLimit: 0,
      ...(options.timeoutSeconds ? { activeDeadlineSeconds: options.timeoutSeconds } : {}),
      template: {
        metadata: { labels: { ...options.labels, [JOB_LABEL]: name } },
        spec: {
          restartPolicy: 'Never',
          ...(options.serviceAccountName ? { serviceAccountName: options.serviceAccountName } : {}),
          containers: [
            {
              name: 'step',
              image: options.image,
              ...(options.command ? { command: options.command } : {}),
              ...(options.args ? { args: options.args } : {}),
              ...(options.env ? { env: Object.entries(options.env).map(([key, value]) => ({ name: key, value })) } : {}),
              ...(options.envFrom ? { envFrom: options.envFrom } : {}),
            },
          ],
        },
      },
    },
  };
}

type JobState = 'running' | 'succeeded' | 'failed';

function jobState(job: KubeObject | undefined): { state: JobState; reason: string } {
  const conditions = (job?.status?.conditions ?? []) as { type: string; status: string; reason?: string; message?: string }[];
  const done = conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!done) return { state: 'running', reason: '' };
  return { state: done.type === 'Complete' ? 'succeeded' : 'failed', reason: [done.reason, done.message].filter(Boolean).join(': ') };
}

/** The pod has a container that started (or finished): its log can be read. */
function hasStarted(pod: PodState): boolean {
  return pod.phase === 'Running' || pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

/** How long the log stream may lag behind the Job's end before it is cut (a kubelet ends it itself). */
const LOG_DRAIN_MS = 2_000;

/** Runs the Job to its end, streaming its log; throws a JobFailedError (with the log) when it fails. */
export async function runJob(kube: KubeClient, options: JobOptions): Promise<JobResult> {
  const name = `${options.name}-${randomBytes(3).toString('hex')}`.slice(0, 63);
  const ref = { apiVersion: 'batch/v1', kind: 'Job', namespace: options.namespace, name };
  const deadline = Date.now() + (options.timeoutSeconds ?? 600) * 1_000;
  const logs: string[] = [];
  const stopLogs = new AbortController();
  const cancel = () => stopLogs.abort();
  options.signal?.addEventListener('abort', cancel, { once: true });
  let streaming: Promise<void> | undefined;
  await kube.createObject(jobManifest(options, name));
  try {
    for (;;) {
      if (!streaming) {
        const pod = (await kube.listPods(options.namespace, `${JOB_LABEL}=${name}`)).find(hasStarted);
        if (pod) {
          const onLine = (line: string) => {
            logs.push(line);
            options.onLog?.(line);
          };
          // A lost log stream must not fail the step: the Job's conditions say how it ended.
          streaming = kube.followPodLogs(options.namespace, pod.name, 'step', onLine, stopLogs.signal).catch(() => undefined);
        }
      }
      const { state, reason } = jobState(await kube.getObject(ref));
      if (state !== 'running') {
        // The Job is over: let the stream deliver its last lines, then stop following it.
        if (streaming) await Promise.race([streaming, sleep(LOG_DRAIN_MS)]);
        if (state === 'succeeded') return { name, succeeded: true, logs };
        throw new JobFailedError(`Job ${options.namespace}/${name} failed${reason ? `: ${reason}` : ''}`, logs);
      }
      if (Date.now() >= deadline) throw new JobFailedError(`Job ${options.namespace}/${name} did not finish within ${options.timeoutSeconds ?? 600} s`, logs);
      await sleep(POLL_MS, undefined, { signal: options.signal });
    }
  } finally {
    stopLogs.abort();
    options.signal?.removeEventListener('abort', cancel);
    if (!options.keep) await kube.deleteObject(ref);
  }
}
