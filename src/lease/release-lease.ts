// Taking, renewing and giving back a release's lease. A run holds the lease of each release it changes
// from before preExec to the end of validate (remedies included), so two runs never change one release
// at once, and recovery never touches a release whose deployer is alive. The lease is optimistic: it is
// created or replaced with the resourceVersion read, so of two runs racing for it exactly one wins.
import { setTimeout as sleep } from 'node:timers/promises';
import { HelmcycleError, isForbidden, KubeRequestError } from '../errors.js';
import type { KubeClient } from '../kube/types.js';
import { processAlive } from './local-processes.js';
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
  constructor(release: string, namespace: string, holder: string, waitedMs: number) {
    super('RELEASE_LEASE_HELD', `release ${namespace}/${release} is being changed by ${holder}; waited ${Math.round(waitedMs / 1000)}s (--lock-timeout)`, {
      hint: 'wait for that run to finish, or raise --lock-timeout; a run that died gives its lease up within 30 s',
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
}

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

function ref(release: string, namespace: string) {
  return { apiVersion: LEASE_API_VERSION, kind: 'Lease', name: leaseName(release), namespace };
}

const conflict = (error: unknown) => error instanceof KubeRequestError && (error.statusCode === 409 || error.statusCode === 422);

/** The release's lease as it is now, classified for `self`. Read-only: plan and status use it. */
export async function inspectLease(kube: KubeClient, release: string, namespace: string, self: RunIdentity): Promise<{ record: LeaseRecord | undefined; state: LeaseState }> {
  const object = await kube.getObject(ref(release, namespace));
  const record = object ? readLease(object) : undefined;
  return { record, state: leaseState(record, self, new Date(), { host: self.host, processAlive }) };
}

/** Takes the lease, waiting for a live holder up to the lock timeout; undefined when RBAC forbids leases. */
export async function acquireReleaseLease(options: LeaseOptions): Promise<HeldLease | undefined> {
  const { kube, release, namespace, self } = options;
  const started = Date.now();
  let nextNote = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    let current: { record: LeaseRecord | undefined; state: LeaseState };
    try {
      current = await inspectLease(kube, release, namespace, self);
      if (current.state.kind === 'live') {
        const waited = Date.now() - started;
        const holder = describeHolder(current.state.holder, current.state.since);
        if (waited >= options.lockTimeoutMs) throw new LeaseHeldError(release, namespace, holder, waited);
        if (Date.now() >= nextNote) {
          options.onWait?.(`waiting for the lease of ${namespace}/${release}: held by ${holder}`);
          nextNote = Date.now() + 10_000;
        }
        await sleep(options.pollMs ?? 1_000, undefined, options.signal ? { signal: options.signal } : {});
        continue;
      }
      const object = leaseObject(release, namespace, self, new Date(), current.record);
      const written = current.record ? await kube.replaceObject(object) : await kube.createObject(object);
      const previous = current.state.kind === 'expired' ? current.record : undefined;
      if (previous) options.onWait?.(`took over the lease of ${namespace}/${release} from ${describeHolder(previous.holder, previous.acquired)}, which stopped renewing it`);
      return holdLease(options, readLease(written), previous);
    } catch (error) {
      if (conflict(error)) continue; // another run wrote it between our read and write: read again
      if (error instanceof KubeRequestError && error.statusCode === 404) {
        if (await options.onMissingNamespace?.()) continue;
        return undefined;
      }
      if (isForbidden(error)) {
        options.onUnavailable?.(`cannot take the lease of ${namespace}/${release} (${(error as Error).message}); running without it: grant get/create/update/delete on leases.coordination.k8s.io in ${namespace}`);
        return undefined;
      }
      throw error;
    }
  }
}

function holdLease(options: LeaseOptions, taken: LeaseRecord, previous: LeaseRecord | undefined): HeldLease {
  const { kube, release, namespace, self } = options;
  const lost = new AbortController();
  let record = taken;
  let lastRenewed = Date.now();
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
      lastRenewed = Date.now();
    } catch (error) {
      if (stopped) return;
      if (conflict(error)) {
        // Someone wrote the lease since this run last did: it is lost only if that was another run.
        const live = await kube.getObject(ref(release, namespace)).catch(() => undefined);
        const current = live ? readLease(live) : undefined;
        if (current?.holder?.runId === self.runId) record = current;
        else lose(current?.holder ? `${describeHolder(current.holder, current.acquired)} holds it now` : 'it was deleted');
      } else if (Date.now() - lastRenewed > LEASE_DURATION_SECONDS * 1_000) {
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
        const live = await kube.getObject(ref(release, namespace));
        if (live && readLease(live).holder?.runId === self.runId) await kube.deleteObject(ref(release, namespace));
      } catch {
        // Not given back: it expires by itself within its duration.
      }
    },
  };
}
