// How long this process has seen a lease unchanged, on its own monotonic clock: how client-go's leader
// election judges expiry (leaderelection.go keeps an observedRecord and the observedTime it first saw it,
// and a lease is valid while observedTime + leaseDuration is after now). The holder's renewTime is
// written by the holder's clock; comparing it with this machine's clock makes 30 s of skew between two
// CI runners read "renewed just now" as "expired". A record that keeps changing is alive, whatever its
// timestamps say; one that stays the same for its whole duration has stopped being renewed.
import type { LeaseRecord } from './lease-record.js';

/** Milliseconds on a clock that only goes forward (never the wall clock, which NTP and people move). */
export interface MonotonicClock {
  now(): number;
}

export const monotonicClock: MonotonicClock = { now: () => performance.now() };

/** What makes two reads of a lease "the same record": any write changes the resourceVersion. */
function identity(record: LeaseRecord | undefined): string {
  if (!record) return '';
  return JSON.stringify([record.resourceVersion ?? '', record.holder?.runId ?? '', record.renewed?.toISOString() ?? '', record.acquired?.toISOString() ?? '', record.durationSeconds]);
}

/** Follows one lease across reads. */
export class LeaseObserver {
  private seen: { identity: string; at: number } | undefined;

  constructor(private readonly clock: MonotonicClock = monotonicClock) {}

  /** Records a read; answers how long (ms) the same record has been seen, 0 when it is new or changed. */
  observe(record: LeaseRecord | undefined): number {
    const now = this.clock.now();
    const current = identity(record);
    if (!this.seen || this.seen.identity !== current) this.seen = { identity: current, at: now };
    return now - this.seen.at;
  }
}
