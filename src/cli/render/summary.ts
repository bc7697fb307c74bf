// The closing lines of a run, for the terminal and for CI logs: the run's state and duration, how many
// charts ended in each outcome ("2 installed, 1 unchanged, 1 failed, 2 not run"), and where the HTML
// report is. Pure, fed the run's events.
import type { StackEvent } from '../../stack/events.js';
import type { Palette } from './palette.js';

type Finished = Extract<StackEvent, { type: 'stack-finished' }>;

export class RunTally {
  /** Each chart's last outcome, in the order they ended. */
  private readonly outcomes = new Map<string, string>();
  finished: Finished | undefined;

  apply(event: StackEvent): void {
    switch (event.type) {
      case 'chart-finished':
        this.outcomes.set(event.chart, event.outcome);
        return;
      case 'chart-failed':
        this.outcomes.set(event.chart, 'failed');
        return;
      case 'chart-cancelled':
        this.outcomes.set(event.chart, 'cancelled');
        return;
      // Not run because of another chart ("skipped" alone would read like exec's skipIfAlreadyInstalled).
      case 'chart-skipped':
        this.outcomes.set(event.chart, 'not run');
        return;
      case 'stack-finished':
        this.finished = event;
        return;
      default:
        return;
    }
  }

  /** Outcome → number of charts, most common first (ties: the order first seen). */
  counts(): [string, number][] {
    const counts = new Map<string, number>();
    for (const outcome of this.outcomes.values()) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]);
  }

  /** The summary lines; none before the run finished. */
  summary(paint: Palette, reportPath?: string): string[] {
    const f = this.finished;
    if (!f) return [];
    const colour = (outcome: string) => (outcome === 'failed' ? paint.red : outcome === 'cancelled' || outcome === 'not run' ? paint.yellow : paint.green);
    const parts = this.counts().map(([outcome, n]) => colour(outcome)(`${n} ${outcome}`));
    const state = f.ok ? paint.green('done') : paint.red('FAILED');
    const lines = [`${f.command} ${f.stack}: ${state} in ${(f.durationMs / 1000).toFixed(1)} s${parts.length ? `: ${parts.join(', ')}` : ''}`];
    if (reportPath) lines.push(`report: ${reportPath}`);
    return lines;
  }
}
