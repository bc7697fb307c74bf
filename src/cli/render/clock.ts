// Time for the renderers, behind an interface so that tests drive it by hand (test/unit/fakes.ts)
// instead of waiting on real timers.

export interface Clock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. Never keeps the process alive. */
  every(ms: number, tick: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
