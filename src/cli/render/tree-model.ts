// The live tree's model: what the events of a run say about each chart, in the stack's order. Pure:
// events in, rows out; tree-view.ts turns it into lines and tree.ts draws them.
import type { MessageLevel, WaitProgress } from '../../lifecycle/events.js';
import type { StackEvent } from '../../stack/events.js';
import { lines, printable } from './text-lines.js';
import { RunTally } from './summary.js';

export type ChartState = 'waiting' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface PhaseRow {
  phase: string;
  startedAt: number;
  durationMs: number | undefined;
  failed: boolean;
}

export interface MessageRow {
  level: MessageLevel;
  text: string;
}

export interface ChartRow {
  chart: string;
  state: ChartState;
  startedAt: number | undefined;
  durationMs: number | undefined;
  outcome: string | undefined;
  /** One line: why it was skipped or cancelled, the remedy taken. */
  note: string | undefined;
  phases: PhaseRow[];
  /** The chart's own messages (its phases' log lines), the latest last. */
  messages: MessageRow[];
  /** What the current wait waits on, and when that was reported. */
  wait: { progress: WaitProgress; at: number } | undefined;
  /** The failure's lines. */
  error: string[];
}

/** Messages kept per chart: the view shows the last few; the CI log and the report have them all. */
const MESSAGES_KEPT = 3;

export class TreeModel {
  readonly rows = new Map<string, ChartRow>();
  title = '';
  startedAt: number | undefined;
  /** A notice for the whole run (Ctrl-C), shown under the charts. */
  notice: string | undefined;
  readonly tally = new RunTally();

  private row(chart: string): ChartRow {
    let row = this.rows.get(chart);
    if (!row) {
      row = { chart, state: 'waiting', startedAt: undefined, durationMs: undefined, outcome: undefined, note: undefined, phases: [], messages: [], wait: undefined, error: [] };
      this.rows.set(chart, row);
    }
    return row;
  }

  apply(event: StackEvent): void {
    this.tally.apply(event);
    switch (event.type) {
      case 'stack-started':
        this.title = `${event.command} ${event.stack}`;
        this.startedAt = event.at;
        // The stack's order, fixed here: rows never move, whatever order the charts run and end in.
        for (const chart of event.charts) this.row(chart);
        return;
      case 'chart-started':
        Object.assign(this.row(event.chart), { state: 'running', startedAt: event.at });
        return;
      case 'phase-started': {
        const row = this.row(event.chart);
        row.phases.push({ phase: event.phase, startedAt: event.at, durationMs: undefined, failed: false });
        row.wait = undefined;
        return;
      }
      case 'phase-finished':
      case 'phase-failed': {
        const row = this.row(event.chart);
        const phase = row.phases.findLast((p) => p.phase === event.phase);
        if (phase) Object.assign(phase, { durationMs: event.durationMs, failed: event.type === 'phase-failed' });
        row.wait = undefined;
        return;
      }
      case 'wait-progress':
        this.row(event.chart).wait = { progress: { waitingOn: event.waitingOn, workloads: event.workloads, elapsedMs: event.elapsedMs, timeoutMs: event.timeoutMs }, at: event.at };
        return;
      case 'message': {
        const row = this.row(event.chart);
        row.messages.push({ level: event.level, text: lines(event.message).join(' ') });
        row.messages.splice(0, Math.max(0, row.messages.length - MESSAGES_KEPT));
        return;
      }
      case 'chart-finished':
        Object.assign(this.row(event.chart), { state: 'done', outcome: event.outcome, durationMs: event.durationMs, wait: undefined });
        return;
      case 'chart-failed':
        Object.assign(this.row(event.chart), {
          state: 'failed',
          outcome: `failed in ${event.phase}${event.failureClass ? ` [${event.failureClass}]` : ''}`,
          durationMs: event.durationMs,
          error: lines(event.error),
          wait: undefined,
        });
        return;
      case 'remedy':
        this.row(event.chart).note = printable(`remedy ${event.remedy} (${event.attemptsLeft} left): ${lines(event.message).join(' ')}`);
        return;
      case 'chart-skipped':
        Object.assign(this.row(event.chart), { state: 'skipped', note: lines(event.reason).join(' ') });
        return;
      case 'chart-cancelled':
        Object.assign(this.row(event.chart), { state: 'cancelled', note: lines(event.reason).join(' '), wait: undefined });
        return;
      default:
        return;
    }
  }
}
