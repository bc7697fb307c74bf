// What a deploy is waiting on, from the observation of its release (kube/deploy-observation.ts), and
// how often to say so. Pure: the observer hands a view on each change and at least once a second, and
// a renderer wants a line when the picture changes, plus a heartbeat so that "40 s of 300 s" stays
// current in logs and reports.
import type { DeployObservation } from '../kube/deploy-observation.js';
import type { WaitProgress } from './events.js';

/** The workloads of the release not ready at their latest sighting, in the order first seen. Pure. */
export function waitProgressOf(observation: DeployObservation, now: number, timeoutMs: number): WaitProgress {
  const present = observation.workloads.filter((w) => w.present);
  const waitingOn = present
    .map((w) => w.generations.at(-1)!.state)
    .filter((state) => !state.ready)
    .map((state) => ({ kind: state.kind, name: state.name, message: state.message }));
  return { waitingOn, workloads: present.length, elapsedMs: Math.max(0, now - observation.startedAt), timeoutMs };
}

export interface ThrottleOptions {
  /** Never two reports closer than this, however fast the picture changes. */
  minIntervalMs?: number;
  /** A report at least this often while nothing changes. */
  heartbeatMs?: number;
}

const pictureOf = (progress: WaitProgress) => `${progress.workloads}|${progress.waitingOn.map((w) => `${w.kind}/${w.name}:${w.message}`).join('|')}`;

/** Decides, per observation, whether to report it: on a change (at most every second), else every 5 s. */
export function progressThrottle(options: ThrottleOptions = {}): (progress: WaitProgress, now: number) => boolean {
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  let lastAt: number | undefined;
  let lastPicture: string | undefined;
  return (progress, now) => {
    const picture = pictureOf(progress);
    const since = lastAt === undefined ? Infinity : now - lastAt;
    const due = since >= heartbeatMs || (picture !== lastPicture && since >= minIntervalMs);
    if (due) {
      lastAt = now;
      lastPicture = picture;
    }
    return due;
  };
}
