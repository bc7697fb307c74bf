// What became of each chart in a run, and the one order in which the report shows them (timeline and
// table alike): by when each chart started, then those that never started, in the stack's order. Pure.
import type { StackEvent } from '../stack/events.js';

export type ChartState = 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'unfinished';

/**
 * A mark per state that does not rely on colour: a symbol and a word are shown together wherever a
 * state is (the timeline's row, the table, the legend).
 */
export const STATE_MARKS: Record<ChartState, { symbol: string; word: string }> = {
  succeeded: { symbol: '✔', word: 'succeeded' },
  failed: { symbol: '✖', word: 'failed' },
  skipped: { symbol: '↷', word: 'skipped' },
  cancelled: { symbol: '⊘', word: 'cancelled' },
  unfinished: { symbol: '…', word: 'did not finish' },
};

export interface ChartRow {
  chart: string;
  state: ChartState;
  /** The outcome as the run said it ("installed", "failed in exec", "skipped"). */
  outcome: string;
  durationMs: number | undefined;
  /** Why (a skip's or cancel's reason) or what (a failure's class or code). */
  note: string;
}

export interface ChartFailure {
  chart: string;
  phase: string;
  error: string;
  hint: string | undefined;
  failureClass: string | undefined;
}

/** Charts by when they started (ties and never-started ones in the order the stack listed them). */
export function chartOrder(events: readonly StackEvent[]): string[] {
  const listed: string[] = [];
  const startedAt = new Map<string, number>();
  const note = (chart: string) => { if (!listed.includes(chart)) listed.push(chart); };
  for (const event of events) {
    if (event.type === 'stack-started') event.charts.forEach(note);
    if (!('chart' in event)) continue;
    note(event.chart);
    if ((event.type === 'chart-started' || event.type === 'phase-started') && !startedAt.has(event.chart)) startedAt.set(event.chart, event.at);
  }
  const rank = (chart: string) => startedAt.get(chart) ?? Infinity;
  return listed
    .map((chart, index) => ({ chart, index }))
    .sort((a, b) => rank(a.chart) - rank(b.chart) || a.index - b.index)
    .map((entry) => entry.chart);
}

/** Each chart's row, in chartOrder, and every failure in the same order. */
export function chartRows(events: readonly StackEvent[]): { rows: ChartRow[]; failures: ChartFailure[] } {
  const byChart = new Map<string, ChartRow>();
  const failures = new Map<string, ChartFailure>();
  for (const event of events) {
    if (event.type === 'chart-finished') byChart.set(event.chart, { chart: event.chart, state: 'succeeded', outcome: event.outcome, durationMs: event.durationMs, note: '' });
    if (event.type === 'chart-failed') {
      byChart.set(event.chart, { chart: event.chart, state: 'failed', outcome: `failed in ${event.phase}`, durationMs: event.durationMs, note: event.failureClass ?? event.code });
      failures.set(event.chart, { chart: event.chart, phase: event.phase, error: event.error, hint: event.hint, failureClass: event.failureClass });
    }
    if (event.type === 'chart-skipped') byChart.set(event.chart, { chart: event.chart, state: 'skipped', outcome: 'skipped', durationMs: undefined, note: event.reason });
    if (event.type === 'chart-cancelled') byChart.set(event.chart, { chart: event.chart, state: 'cancelled', outcome: 'cancelled', durationMs: undefined, note: event.reason });
  }
  const order = chartOrder(events);
  const rows = order.map((chart) => byChart.get(chart) ?? { chart, state: 'unfinished' as const, outcome: 'did not finish', durationMs: undefined, note: '' });
  return { rows, failures: order.flatMap((chart) => failures.get(chart) ?? []) };
}
