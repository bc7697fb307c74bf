// Taking, renewing and giving back a release's lease. A run holds the lease of each release it changes
// from before preExec to the end of validate (remedies included), so two runs never change one release
// at once, and recovery never touches a release whose deployer is alive. The lease is optimistic: it is
// created or replaced with the resourceVersion read, so of two runs racing for it exactly one wins.
import { setTimeout as sleep } from 'node:timers/promises';
import { HelmcycleError, isForbidden, KubeRequestError } from '../errors.js';
import type { KubeClient, KubeObject } from '../kube/types.js';
import { backoffDelay, type BackoffPolicy } from '../retry/transient.js';
import { processAlive } from './local-processes.js';
import { LeaseObserver, monotonicClock, type MonotonicClock } from './lease-observer.js';
import { currentProcessSpace } from '../host/process-space.js';
import {
  describeHolder,
  LEASE_API_VERSION,
  LEASE_DURATION_SECONDS,
  leaseName,
  leaseObject,
  leaseState,
  readLease,
  type LeaseRecord,
  type LeaseState,
  type RunIdentity,
} from './lease-record.js';

export class LeaseHeldError extends HelmcycleError {
  readonly holder: string;
  /** `problem`: why the lease could not be written, when no live holder was the reason (a 409 or 422 every time). */
  constructor(release: string, namespace: string, holder: string, waitedMs: number, problem?: string) {
    const waited = `${Math.round(waitedMs / 1000)}s (--lock-timeout)`;
    super('RELEASE_LEASE_HELD', problem ? `could not take the lease of ${namespace}/${release}: ${problem}; tried for ${waited}` : `release ${namespace}/${release} is being changed by ${holder}; waited ${waited}`, {
      hint: problem
        ? 'nothing was changed; check who else writes that Lease (or an admission policy rejecting it), or raise --lock-timeout'
        : 'wait for that run to finish, or raise --lock-timeout; a run that died gives its lease up after 30 s without a renewal',
    });
    this.holder = holder;
  }
}

/**
 * Another run took the lease while this one held it (this run's renewals did not get through for the
 * lease's whole duration, or someone replaced it). The chart stops changing the release: a failure of
 * its own, not a cancellation, so the exit code and the report say what happened.
 */
export class LeaseLostError extends HelmcycleError {
  constructor(release: string, namespace: string, reason: string) {
    super('RELEASE_LEASE_LOST', `lost the lease of ${namespace}/${release}: ${reason}`, {
      hint: 'another run took over this release; run again once it has finished (plan and status name the holder)',
    });
  }
}

export interface LeaseOptions {
  kube: KubeClient;
  release: string;
  namespace: string;
  self: RunIdentity;
  /** How long to wait for another run's lease before refusing. */
  lockTimeoutMs: number;
  signal?: AbortSignal;
  /** Told when the run starts waiting, and every ~10 s while it waits. */
  onWait?: (message: string) => void;
  /** Told once when the lease cannot be taken at all (RBAC): the run goes on unlocked. */
  onUnavailable?: (message: string) => void;
  /**
   * The namespace does not exist yet. True: it was created (the chart asks helm to create it anyway), so
   * take the lease there. False: run without a lease; nothing of the release can exist there yet.
   */
  onMissingNamespace?: () => Promise<boolean>;
  pollMs?: number;
  /** For tests: the monotonic clock, the sleep, the jitter and this process's space (process-space.ts). */
  clock?: MonotonicClock;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  processSpace?: string | undefined;
}

/**
 * The waits after a write of the lease that conflicted (another run wrote it between this run's read and
 * write) or was refused as invalid: short at first, since a race resolves at once, and growing, so a
 * server that answers 409 or 422 every time is asked a few times a minute, not thousands of times a second.
 */
export const LEASE_WRITE_BACKOFF: BackoffPolicy = { initialMs: 250, factor: 2, maxMs: 5_000, jitter: 0.5 };

export interface HeldLease {
  /**
   * The lease this run took over from a run that died or stalled, if any: recovery asks it whether a
   * pending release was left by helmcycle (and where) or by another tool.
   */
  previous: LeaseRecord | undefined;
  /** Aborted when the lease was lost (another run took it after this one stopped renewing). */
  lost: AbortSignal;
  /** Stops renewing and deletes the lease if it is still this run's. */
  release(): Promise<void>;
}

/** The Lease object of a release's lease. */
export function leaseRef(release: string, namespace: string) {
  return { apiVersion: LEASE_API_VERSION, kind: 'Lease', name: leaseName(release), namespace };
}

const conflict = (error: unknown) => error instanceof KubeRequestError && (error.statusCode === 409 || error.statusCode === 422);

const defaultSleep = (ms: number, signal?: AbortSignal) => sleep(ms, undefined, signal ? { signal } : {});

/**
 * The release's lease as it is now, classified for `self`. Read-only: plan and status use it. Without an
 * observer that has followed the lease before, a lease held by another run reads as live (unless its
 * holder is provably dead here): one read cannot tell a renewed lease from a stale one without trusting
 * the holder's clock.
 */
export async function inspectLease(
  kube: KubeClient,
  release: string,
  namespace: string,
  self: RunIdentity,
  observer = new LeaseObserver(),
  processSpace = currentProcessSpace(),
): Promise<{ record: LeaseRecord | undefined; state: LeaseState }> {
  return classifyLeaseObject(await kube.getObject(leaseRef(release, namespace)), self, observer, processSpace);
}

/** inspectLease of a lease object already read (undefined: there is none). */
export function classifyLeaseObject(
  object: KubeObject | undefined,
  self: RunIdentity,
  observer = new LeaseObserver(),
  processSpace = currentProcessSpace(),
): { record: LeaseRecord | undefined; state: LeaseState } {
  const record = object ? readLease(object) : undefined;
  return { record, state: leaseState(record, self, observer.observe(record), { processSpace, processAlive }) };
}

/**
 * Takes the lease, waiting for a live holder up to the lock timeout; undefined when RBAC forbids leases.
 * Every path that tries again waits first (a poll for a live holder, a growing backoff after a conflict
 * or a namespace just created), and every wait counts against --lock-timeout.
 */
export async function acquireReleaseLease(options: LeaseOptions): Promise<HeldLease | undefined> {
  const { kube, release, namespace, self } = options;
  const clock = options.clock ?? monotonicClock;
  const pause = options.sleep ?? defaultSleep;
  const observer = new LeaseObserver(clock);
  const started = clock.now();
  let nextNote = 0;
  let failedWrites = 0;
  let missingAgain = false;
  /** Waits `ms` (never past the lock timeout), or throws `timedOut()` once the timeout is spent. */
  const waitOr = async (ms: number, timedOut: (waited: number) => Error) => {
    const waited = clock.now() - started;
    if (waited >= options.lockTimeoutMs) throw timedOut(waited);
    await pause(Math.max(0, Math.min(ms, options.lockTimeoutMs - waited)), options.signal);
    options.signal?.throwIfAborted();
  };
  const backoff = () => backoffDelay(++failedWrites, LEASE_WRITE_BACKOFF, (options.random ?? Math.random)());
  for (;;) {
    options.signal?.throwIfAborted();
    let current: { record: LeaseRecord | undefined; state: LeaseState } | undefined;
    try {
      current = await inspectLease(kube, release, namespace, self, observer, 'processSpace' in options ? options.processSpace : currentProcessSpace());
      if (current.state.kind === 'live') {
        const holder = describeHolder(current.state.holder, current.state.since);
        if (clock.now() >= nextNote) {
          options.onWait?.(`waiting for the lease of ${namespace}/${release}: held by ${holder}`);
          nextNote = clock.now() + 10_000;
        }
        await waitOr(options.pollMs ?? 1_000, (waited) => new LeaseHeldError(release, namespace, holder, waited));
        continue;
      }
      const object = leaseObject(release, namespace, self, new Date(), current.record);
      const written = current.record ? await kube.replaceObject(object) : await kube.createObject(object);
      const previous = current.state.kind === 'expired' ? current.record : undefined;
      if (previous) options.onWait?.(`took over the lease of ${namespace}/${release} from ${describeHolder(previous.holder, previous.acquired)}, which stopped renewing it`);
      return holdLease(options, clock, readLease(written), previous);
    } catch (error) {
      if (conflict(error)) {
        // Another run wrote it between our read and write (409), or the server refuses the object (422):
        // read again after a wait, and give up with the lock timeout.
        const status = (error as KubeRequestError).statusCode;
        const holder = describeHolder(current?.record?.holder, current?.record?.acquired);
        await waitOr(backoff(), (waited) => new LeaseHeldError(release, namespace, holder, waited, `every write of it was refused (HTTP ${status}: ${(error as Error).message.split('\n')[0]})`));
        continue;
      }
      if (error instanceof KubeRequestError && error.statusCode === 404) {
        if (!(await options.onMissingNamespace?.())) return undefined;
        // The namespace is there now: try again at once, and after a wait from the second time on (an API
        // server that keeps answering 404 must not be asked in a tight loop).
        if (missingAgain) await waitOr(backoff(), (waited) => new LeaseHeldError(release, namespace, 'nobody', waited, `its namespace ${namespace} was still not found after creating it`));
        missingAgain = true;
        continue;
      }
      if (isForbidden(error)) {
        options.onUnavailable?.(`cannot take the lease of ${namespace}/${release} (${(error as Error).message}); running without it: grant get/create/update/delete on leases.coordination.k8s.io in ${namespace}`);
        return undefined;
      }
      throw error;
    }
  }
}

function holdLease(options: LeaseOptions, clock: MonotonicClock, taken: LeaseRecord, previous: LeaseRecord | undefined): HeldLease {
  const { kube, release, namespace, self } = options;
  const lost = new AbortController();
  let record = taken;
  let lastRenewed = clock.now();
  let stopped = false;
  // One renewal at a time: while the API server is paused, a renewal hangs; a second one sent with the
  // same resourceVersion would then conflict with the first once the server resumes, and be taken for
  // a lease lost to another run.
  let renewing = false;
  const lose = (reason: string) => {
    lost.abort(new LeaseLostError(release, namespace, reason));
    stop();
  };
  const renew = async () => {
    if (renewing || stopped) return;
    renewing = true;
    try {
      const written = await kube.replaceObject(leaseObject(release, namespace, self, new Date(), record));
      record = readLease(written);
      lastRenewed = clock.now();
    } catch (error) {
      if (stopped) return;
      if (conflict(error)) {
        // Someone wrote the lease since this run last did: it is lost only if that was another run.
        const live = await kube.getObject(leaseRef(release, namespace)).catch(() => undefined);
        const current = live ? readLease(live) : undefined;
        if (current?.holder?.runId === self.runId) record = current;
        else lose(current?.holder ? `${describeHolder(current.holder, current.acquired)} holds it now` : 'it was deleted');
      } else if (clock.now() - lastRenewed > LEASE_DURATION_SECONDS * 1_000) {
        // Anything else (the API server paused or unreachable) is retried on the next tick until the
        // lease would have run out, when another run may rightly have taken it over.
        lose(`not renewed for ${LEASE_DURATION_SECONDS}s (${(error as Error).message})`);
      }
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(() => void renew(), (LEASE_DURATION_SECONDS * 1_000) / 3);
  timer.unref();
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return {
    previous,
    lost: lost.signal,
    release: async () => {
      if (stopped && lost.signal.aborted) return;
      stop();
      try {
        const live = await kube.getObject(leaseRef(release, namespace));
        if (live && readLease(live).holder?.runId === self.runId) await kube.deleteObject(leaseRef(release, namespace));
      } catch {
        // Not given back: it expires by itself within its duration.
      }
    },
  };
}
