// The time axis of the report's timeline: ticks at round steps (1, 2 or 5 × 10^n seconds), so a
// reader sees "0 s, 5 s, 10 s" rather than "0.0 s, 3.7 s, 7.4 s". Pure.

export interface TimeAxis {
  /** Milliseconds between two ticks. */
  stepMs: number;
  /** Where the axis ends (ms from the start): the first tick at or after the run's end. */
  endMs: number;
  /** Offsets of the ticks, 0 first, endMs last. */
  ticksMs: number[];
}

/** Drops the float noise of 0.1 × 3 and the like, which would show in a label. */
const tidy = (n: number): number => Number(n.toPrecision(12));

/** The smallest 1, 2 or 5 × 10^n seconds step that gives at most `maxIntervals` intervals over the span. */
export function tickStepMs(spanMs: number, maxIntervals = 8): number {
  // A run shorter than a millisecond (or none) still gets an axis: one step of 1 ms.
  const span = Math.max(spanMs, 1);
  const raw = span / Math.max(1, Math.floor(maxIntervals));
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) {
    const step = tidy(factor * power);
    if (step >= raw - 1e-9) return Math.max(step, 1);
  }
  return tidy(10 * power);
}

export function timeAxis(spanMs: number, maxIntervals = 8): TimeAxis {
  const stepMs = tickStepMs(spanMs, maxIntervals);
  const intervals = Math.max(1, Math.ceil(tidy(Math.max(spanMs, 0) / stepMs)));
  const ticksMs = Array.from({ length: intervals + 1 }, (_, i) => tidy(i * stepMs));
  return { stepMs, endMs: ticksMs[ticksMs.length - 1]!, ticksMs };
}

/** A tick's label in seconds, with as many decimals as the step needs ("0.5 s", "10 s"). */
export function formatTick(offsetMs: number, stepMs: number): string {
  if (offsetMs === 0) return '0 s';
  const decimals = Math.max(0, Math.ceil(-Math.log10(stepMs / 1000) - 1e-9));
  return `${(offsetMs / 1000).toFixed(decimals)} s`;
}
