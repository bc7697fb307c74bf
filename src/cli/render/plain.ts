// One line per event, with the time since the run started: for CI logs and pipes. A chart that takes a
// while says so every 10 s, as Terraform's "Still creating... [10s elapsed]" does, naming what it waits
// on (wait-progress events) and the deadline, so that a CI log is never silent for minutes. The
// wait-progress events themselves are not printed: the deploy observer sends them every few seconds.
import { describeWait, type WaitProgress } from '../../lifecycle/events.js';
import { formatStackEvent, type StackEvent } from '../../stack/events.js';
import { systemClock, type Clock } from './clock.js';
import { lines } from './text-lines.js';
import { NO_COLORS, type Palette } from './palette.js';
import { RunTally } from './summary.js';
import type { Renderer } from './types.js';

export interface PlainOptions {
  /** Phase starts too. */
  verbose?: boolean;
  clock?: Clock;
  paint?: Palette;
  reportPath?: string | undefined;
  /** How long a chart may go without a line (Terraform's 10 s). */
  progressEveryMs?: number;
}

interface Running {
  action: 'deploy' | 'destroy';
  /** By the renderer's clock. */
  startedAt: number;
  lastLineAt: number;
  phase: string | undefined;
  wait: { progress: WaitProgress; receivedAt: number } | undefined;
}

const PROGRESS_EVERY_MS = 10_000;

function verb(running: Running): string {
  if (running.phase === 'validate') return 'validating';
  return running.action === 'destroy' ? 'destroying' : 'deploying';
}

/** "web: still deploying... [20s elapsed] exec: waiting on Deployment/web 0 of 1 ..., 18 s of 300 s". Pure. */
export function stillRunningLine(chart: string, running: Running, now: number): string {
  const elapsed = `[${Math.round((now - running.startedAt) / 1000)}s elapsed]`;
  const where = running.phase ? ` ${running.phase}` : '';
  const live = running.wait && { ...running.wait.progress, elapsedMs: running.wait.progress.elapsedMs + (now - running.wait.receivedAt) };
  return `${chart}: still ${verb(running)}... ${elapsed}${where}${live ? `: ${describeWait(live)}` : ''}`;
}

function colourOf(event: StackEvent, paint: Palette): (text: string) => string {
  switch (event.type) {
    case 'chart-failed':
    case 'phase-failed':
      return paint.red;
    case 'chart-finished':
      return paint.green;
    case 'chart-skipped':
    case 'chart-cancelled':
    case 'remedy':
      return paint.yellow;
    case 'message':
      return event.level === 'warn' ? paint.yellow : (text) => text;
    default:
      return (text) => text;
  }
}

export function plainRenderer(write: (line: string) => void, options: PlainOptions = {}): Renderer {
  const clock = options.clock ?? systemClock;
  const paint = options.paint ?? NO_COLORS;
  const every = options.progressEveryMs ?? PROGRESS_EVERY_MS;
  const running = new Map<string, Running>();
  const tally = new RunTally();
  let start: number | undefined;
  // The run's time, for the [   12.3s] prefix: by the events' times for events, by the renderer's clock between them.
  let clockStart = 0;
  const stamp = (ms: number) => `[${(ms / 1000).toFixed(1).padStart(6)}s]`;

  const tick = () => {
    const now = clock.now();
    for (const [chart, r] of running) {
      if (now - r.lastLineAt < every) continue;
      r.lastLineAt = now;
      write(`${stamp(now - clockStart)} ${stillRunningLine(chart, r, now)}`);
    }
  };
  const stopTicking = clock.every(1_000, tick);

  return {
    event(event: StackEvent) {
      tally.apply(event);
      if (start === undefined) {
        start = event.at;
        clockStart = clock.now();
      }
      const now = clock.now();
      const chart = 'chart' in event ? event.chart : undefined;
      const r = chart === undefined ? undefined : running.get(chart);
      switch (event.type) {
        case 'chart-started':
          running.set(event.chart, { action: event.action, startedAt: now, lastLineAt: now, phase: undefined, wait: undefined });
          break;
        case 'phase-started':
          if (r) Object.assign(r, { phase: event.phase, wait: undefined });
          break;
        case 'phase-finished':
        case 'phase-failed':
          if (r) r.wait = undefined;
          break;
        case 'wait-progress':
          if (r) r.wait = { progress: event, receivedAt: now };
          return;
        case 'chart-finished':
        case 'chart-failed':
        case 'chart-cancelled':
          running.delete(event.chart);
          break;
        default:
          break;
      }
      // Phase starts are noise in a log; their end lines carry the duration.
      if (!options.verbose && event.type === 'phase-started') return;
      // A line of its own counts as news: the next "still ..." line is 10 s after it.
      if (r && chart !== undefined && running.has(chart)) r.lastLineAt = now;
      const text = event.type === 'stack-finished' ? formatStackEvent(event) : lines(formatStackEvent(event)).join('\n  ');
      write(`${stamp(event.at - start)} ${colourOf(event, paint)(text)}`);
    },
    close() {
      stopTicking();
      // The closing summary: counts per outcome, and where the report is.
      for (const line of tally.summary(paint, options.reportPath)) write(line);
    },
  };
}
