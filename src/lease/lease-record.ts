// The in-cluster lease around every change to a release: a coordination.k8s.io/v1 Lease named after the
// release, in the release's namespace. This file is the pure part: who a run is, how a holder is
// written into a Lease object and read back, and whether a lease is live. Nothing here talks to a cluster.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeObject } from '../kube/types.js';
import { currentProcessSpace } from '../host/process-space.js';

export const LEASE_API_VERSION = 'coordination.k8s.io/v1';
/**
 * How long a lease stays live without a renewal, measured by each reader as the time it has seen the
 * record unchanged (lease-observer.ts); a holder renews every third of it.
 */
export const LEASE_DURATION_SECONDS = 30;

const ANNOTATION = {
  host: 'helmcycle.dev/holder-host',
  pid: 'helmcycle.dev/holder-pid',
  command: 'helmcycle.dev/holder-command',
  processSpace: 'helmcycle.dev/holder-process-space',
} as const;

/** Who holds (or wants) a lease: one run of helmcycle. */
export interface RunIdentity {
  /** Unique per run: the lease's holderIdentity. */
  runId: string;
  host: string;
  pid: number;
  /** What the run is doing, e.g. "helmcycle apply" (never its arguments: they may name secrets' files). */
  command: string;
  /** The boot and pid namespace the pid belongs to (process-space.ts); undefined when unknown. */
  processSpace?: string | undefined;
}

export function newRunIdentity(command: string): RunIdentity {
  const processSpace = currentProcessSpace();
  return { runId: `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`, host: hostname(), pid: process.pid, command, ...(processSpace ? { processSpace } : {}) };
}

/** A lease as read from the cluster. */
export interface LeaseRecord {
  name: string;
  namespace: string;
  holder: RunIdentity | undefined;
  acquired: Date | undefined;
  renewed: Date | undefined;
  durationSeconds: number;
  resourceVersion: string | undefined;
}

/** The Lease's name for a release. Release names are at most 53 characters, so it always fits. */
export function leaseName(release: string): string {
  return `helmcycle-release-${release}`;
}

function parseTime(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== 'string' || !value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function readLease(object: KubeObject): LeaseRecord {
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  const annotations = object.metadata.annotations ?? {};
  const runId = typeof spec.holderIdentity === 'string' && spec.holderIdentity ? spec.holderIdentity : undefined;
  const pid = Number(annotations[ANNOTATION.pid]);
  const processSpace = annotations[ANNOTATION.processSpace];
  return {
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? '',
    holder: runId
      ? { runId, host: annotations[ANNOTATION.host] ?? 'unknown host', pid: Number.isInteger(pid) ? pid : 0, command: annotations[ANNOTATION.command] ?? 'unknown command', ...(processSpace ? { processSpace } : {}) }
      : undefined,
    acquired: parseTime(spec.acquireTime),
    renewed: parseTime(spec.renewTime),
    durationSeconds: typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : LEASE_DURATION_SECONDS,
    resourceVersion: typeof object.metadata.resourceVersion === 'string' ? object.metadata.resourceVersion : undefined,
  };
}

/** The Lease object that records `holder` as holding the release's lease, renewed at `now`. */
export function leaseObject(release: string, namespace: string, holder: RunIdentity, now: Date, previous?: LeaseRecord): KubeObject {
  const acquired = previous?.holder?.runId === holder.runId && previous.acquired ? previous.acquired : now;
  return {
    apiVersion: LEASE_API_VERSION,
    kind: 'Lease',
    metadata: {
      name: leaseName(release),
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'helmcycle', 'helmcycle.dev/release': release },
      annotations: {
        [ANNOTATION.host]: holder.host,
        [ANNOTATION.pid]: String(holder.pid),
        [ANNOTATION.command]: holder.command,
        ...(holder.processSpace ? { [ANNOTATION.processSpace]: holder.processSpace } : {}),
      },
      ...(previous?.resourceVersion ? { resourceVersion: previous.resourceVersion } : {}),
    },
    spec: {
      holderIdentity: holder.runId,
      leaseDurationSeconds: LEASE_DURATION_SECONDS,
      acquireTime: microTime(acquired),
      renewTime: microTime(now),
    },
  };
}

export type LeaseState =
  | { kind: 'absent' }
  | { kind: 'ours' }
  /** Another run holds it and renewed it within its duration. */
  | { kind: 'live'; holder: RunIdentity; since: Date | undefined }
  /** Another run held it and stopped renewing (it died, or lost the cluster): it may be taken. */
  | { kind: 'expired'; holder: RunIdentity | undefined; since: Date | undefined };

export interface LivenessProbe {
  /** Whether a process with this pid is alive (only asked for holders in this process space). */
  processAlive(pid: number): boolean;
  /** This process's boot and pid namespace (process-space.ts), undefined when unknown. */
  processSpace: string | undefined;
}

/**
 * Whether the holder's pid means something here: it ran in this boot and this pid namespace. A host name
 * is not enough (containers on one host, machines named alike); a holder that recorded no process space
 * (an older helmcycle) is never judged by its pid.
 */
export function holderVisibleHere(holder: RunIdentity, processSpace: string | undefined): boolean {
  return processSpace !== undefined && holder.processSpace === processSpace && holder.pid > 0;
}

/**
 * Classifies a lease. Pure. A lease is live until this process has seen it unchanged for its whole
 * duration (`unchangedForMs`, from a LeaseObserver: never the holder's timestamps against this clock);
 * a holder in this process space whose process is gone has died even if the lease has not run out yet
 * (so a run killed on a laptop or a CI machine does not hold up the next one for the whole duration).
 */
export function leaseState(record: LeaseRecord | undefined, self: RunIdentity, unchangedForMs: number, probe: LivenessProbe): LeaseState {
  if (!record || !record.holder) return { kind: 'absent' };
  if (record.holder.runId === self.runId) return { kind: 'ours' };
  const since = record.acquired;
  const expired = unchangedForMs > record.durationSeconds * 1_000;
  const diedHere = holderVisibleHere(record.holder, probe.processSpace) && !probe.processAlive(record.holder.pid);
  if (expired || diedHere) return { kind: 'expired', holder: record.holder, since };
  return { kind: 'live', holder: record.holder, since };
}

/** "run X (helmcycle apply, pid 42 on ci-7) since 12:00:01Z", for messages. */
export function describeHolder(holder: RunIdentity | undefined, since: Date | undefined): string {
  if (!holder) return 'nobody';
  const when = since ? ` since ${since.toISOString()}` : '';
  return `${holder.command} (pid ${holder.pid} on ${holder.host}, run ${holder.runId})${when}`;
}
