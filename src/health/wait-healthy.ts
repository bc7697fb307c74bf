// Waits until every judged object of a release is healthy, one fails in a way waiting does not heal
// (degraded), or the time is up. Each round reads every kind once per namespace: one request, a GET
// when the release has one object of that kind (a lighter answer than the namespace's whole list), else
// a LIST, so a release's ten custom resources cost one request a round; a kind the caller may not list
// is read object by object instead. Returns one result per object and never throws on an unhealthy one:
// the caller decides.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient, KubeObject, ObjectRef } from '../kube/types.js';
import { healthOf } from './health-of.js';
import type { Health, HealthFunctions } from './types.js';

export interface HealthWaitOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The chart's own health functions, by group/kind. */
  custom?: HealthFunctions | undefined;
  /** Pause between rounds. */
  intervalMs?: number;
}

export interface ObjectHealth {
  /** Kind/name, as every check result names its object. */
  name: string;
  ok: boolean;
  message: string;
  /** The object judged, and how. */
  object: ObjectRef;
  health: Health['status'];
}

const DEFAULT_INTERVAL_MS = 1_000;

const label = (ref: ObjectRef) => `${ref.kind}/${ref.name}`;
const groupKey = (ref: ObjectRef) => `${ref.apiVersion} ${ref.kind} ${ref.namespace ?? ''}`;

/** The live objects of one kind in one namespace, by name; read one by one when listing is refused. */
async function readGroup(kube: KubeClient, refs: readonly ObjectRef[]): Promise<Map<string, KubeObject | undefined>> {
  const first = refs[0]!;
  const found = new Map<string, KubeObject | undefined>();
  if (refs.length === 1) return found.set(first.name, await kube.getObject(first));
  try {
    const items = await kube.listObjects(first.apiVersion, first.kind, first.namespace);
    for (const ref of refs) {
      found.set(ref.name, items.find((o) => o.kind === first.kind && o.metadata.name === ref.name && (o.metadata.namespace === undefined || o.metadata.namespace === ref.namespace)));
    }
  } catch {
    for (const ref of refs) found.set(ref.name, await kube.getObject(ref));
  }
  return found;
}

function verdict(ref: ObjectRef, live: KubeObject | undefined, custom: HealthFunctions): Health {
  if (!live) return { status: 'progressing', message: 'not found in the cluster' };
  // A list's items carry no kind of their own in the API's answer.
  return healthOf({ ...live, apiVersion: ref.apiVersion, kind: ref.kind }, custom);
}

function nowMessage(health: Health): string {
  if (health.status === 'degraded') return `degraded: ${health.message}`;
  return health.status === 'unknown' ? `health unknown: ${health.message}` : health.message;
}

function finalMessage(health: Health, timedOut: boolean): string {
  if (health.status === 'healthy') return health.message;
  if (health.status === 'degraded') return `degraded: ${health.message}`;
  if (!timedOut) return health.message;
  return health.status === 'unknown' ? `health unknown before the timeout: ${health.message}` : `not ready before the timeout: ${health.message}`;
}

/**
 * One round: every object read (one request per kind and namespace) and judged as it is now. The wait
 * below repeats it; `status` uses it once, so both judge by the same reads and the same rules.
 */
export async function judgeNow(kube: KubeClient, refs: readonly ObjectRef[], custom: HealthFunctions = {}): Promise<Map<ObjectRef, Health>> {
  const groups = new Map<string, ObjectRef[]>();
  for (const ref of refs) groups.set(groupKey(ref), [...(groups.get(groupKey(ref)) ?? []), ref]);
  const reads = await Promise.all([...groups.values()].map(async (group) => ({ group, live: await readGroup(kube, group) })));
  const judged = new Map<ObjectRef, Health>();
  for (const { group, live } of reads) for (const ref of group) judged.set(ref, verdict(ref, live.get(ref.name), custom));
  return judged;
}

/** The objects' health as it is now, one result each, without waiting. */
export async function healthNow(kube: KubeClient, refs: readonly ObjectRef[], custom: HealthFunctions = {}): Promise<ObjectHealth[]> {
  const judged = await judgeNow(kube, refs, custom);
  return refs.map((ref) => {
    const health = judged.get(ref)!;
    return { name: label(ref), ok: health.status === 'healthy', message: nowMessage(health), object: ref, health: health.status };
  });
}

export async function waitForHealthy(kube: KubeClient, refs: readonly ObjectRef[], options: HealthWaitOptions): Promise<ObjectHealth[]> {
  const deadline = Date.now() + options.timeoutMs;
  const custom = options.custom ?? {};
  const last = new Map<ObjectRef, Health>();
  let pending = [...refs];
  while (pending.length > 0) {
    for (const [ref, health] of await judgeNow(kube, pending, custom)) last.set(ref, health);
    pending = pending.filter((ref) => last.get(ref)!.status === 'progressing' || last.get(ref)!.status === 'unknown');
    if (pending.length === 0 || Date.now() >= deadline) break;
    await sleep(Math.min(options.intervalMs ?? DEFAULT_INTERVAL_MS, Math.max(0, deadline - Date.now())), undefined, { signal: options.signal });
  }
  return refs.map((ref) => {
    const health = last.get(ref)!;
    return { name: label(ref), ok: health.status === 'healthy', message: finalMessage(health, pending.includes(ref)), object: ref, health: health.status };
  });
}
