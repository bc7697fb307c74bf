// Before recovering a release stuck in pending-*: wait until nobody can still be carrying its operation
// out (judgePending), or until it is no longer pending (the operation finished after all). Runs while
// this run holds the release's lease, so no other helmcycle run can start meanwhile.
import { setTimeout as sleep } from 'node:timers/promises';
import { HelmcycleError } from '../errors.js';
import type { ReleaseInfo } from '../helm/types.js';
import { holderVisibleHere, type LeaseRecord, type LeaseState, type RunIdentity } from './lease-record.js';
import { helmRunningFor, processAlive } from './local-processes.js';
import { judgePending } from './pending-guard.js';
import { currentProcessSpace } from '../host/process-space.js';

export interface AwaitRecoverableOptions {
  release: ReleaseInfo;
  /** The lease this run took over (a dead run's), or undefined when there was none. */
  previous: LeaseRecord | undefined;
  self: RunIdentity;
  timeoutSeconds: number;
  /** How long to wait before refusing. */
  lockTimeoutMs: number;
  /** Reads the release again. */
  readRelease: () => Promise<ReleaseInfo | undefined>;
  log: (message: string) => void;
  signal?: AbortSignal;
  pollMs?: number;
  /** For tests: this process's space (process-space.ts). */
  processSpace?: string;
}

export type AwaitOutcome =
  /** Still pending, and nobody carries it out: recover it. */
  | { kind: 'recover'; release: ReleaseInfo; reason: string }
  /** The operation finished meanwhile: decide again from this state. */
  | { kind: 'settled'; release: ReleaseInfo | undefined };

function leaseOf(previous: LeaseRecord | undefined): LeaseState {
  return previous?.holder ? { kind: 'expired', holder: previous.holder, since: previous.acquired } : { kind: 'absent' };
}

export async function awaitRecoverable(options: AwaitRecoverableOptions): Promise<AwaitOutcome> {
  const started = Date.now();
  let release: ReleaseInfo | undefined = options.release;
  let nextNote = 0;
  for (;;) {
    if (!release || !release.status.startsWith('pending-')) return { kind: 'settled', release };
    const holder = options.previous?.holder;
    const visible = holder !== undefined && holderVisibleHere(holder, options.processSpace ?? currentProcessSpace());
    const verdict = judgePending({
      status: release.status,
      revision: release.revision,
      updated: release.updated ? new Date(release.updated) : undefined,
      lease: leaseOf(options.previous),
      timeoutSeconds: options.timeoutSeconds,
      helmRunningHere: helmRunningFor(release.name, release.namespace),
      holderVisibleHere: visible,
      holderAliveHere: visible && processAlive(holder!.pid),
      now: new Date(),
    });
    if (verdict.kind === 'recover') return { kind: 'recover', release, reason: verdict.reason };
    const waited = Date.now() - started;
    if (waited >= options.lockTimeoutMs) {
      throw new HelmcycleError('RELEASE_LEASE_HELD', `${verdict.reason}; waited ${Math.round(waited / 1000)}s (--lock-timeout) and did not recover it`, {
        hint: 'let that operation finish, or raise --lock-timeout; nothing was changed',
      });
    }
    if (Date.now() >= nextNote) {
      options.log(`${verdict.reason}: waiting before recovering it`);
      nextNote = Date.now() + 10_000;
    }
    await sleep(options.pollMs ?? 2_000, undefined, options.signal ? { signal: options.signal } : {});
    release = await options.readRelease();
  }
}
