// The live view on a terminal: a tree of charts, the running ones opened to their phases, with elapsed
// times. The model (events → rows) is pure; the renderer redraws it in place with log-update.
import logUpdate from 'log-update';
import type { StackEvent } from '../../stack/events.js';
import type { Renderer } from './types.js';

type ChartState = 'waiting' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

interface PhaseRow {
  phase: string;
  startedAt: number;
  durationMs: number | undefined;
  failed: boolean;
}

export interface ChartRow {
  chart: string;
  state: ChartState;
  startedAt: number | undefined;
  durationMs: number | undefined;
  outcome: string | undefined;
  note: string | undefined;
  phases: PhaseRow[];
}

export class TreeModel {
  readonly rows = new Map<string, ChartRow>();
  title = '';

  private row(chart: string): ChartRow {
    let row = this.rows.get(chart);
    if (!row) {
      row = { chart, state: 'waiting', startedAt: undefined, durationMs: undefined, outcome: undefined, note: undefined, phases: [] };
      this.rows.set(chart, row);
    }
    return row;
  }

  apply(event: StackEvent): void {
    switch (event.type) {
      case 'stack-started':
        this.title = `${event.command} ${event.stack}`;
        for (const chart of event.charts) this.row(chart);
        return;
      case 'chart-started':
        Object.assign(this.row(event.chart), { state: 'running', startedAt: event.at });
        return;
      case 'phase-started':
        this.row(event.chart).phases.push({ phase: event.phase, startedAt: event.at, durationMs: undefined, failed: false });
        return;
      case 'phase-finished':
      case 'phase-failed': {
        const phase = this.row(event.chart).phases.findLast((p) => p.phase === event.phase);
        if (phase) Object.assign(phase, { durationMs: event.durationMs, failed: event.type === 'phase-failed' });
        return;
      }
      case 'chart-finished':
        Object.assign(this.row(event.chart), { state: 'done', outcome: event.outcome, durationMs: event.durationMs });
        return;
      case 'chart-failed':
        Object.assign(this.row(event.chart), {
          state: 'failed',
          outcome: `failed in ${event.phase}${event.failureClass ? ` [${event.failureClass}]` : ''}`,
          durationMs: event.durationMs,
          note: event.error.split('\n')[0],
        });
        return;
      case 'remedy':
        this.row(event.chart).note = `remedy ${event.remedy} (${event.attemptsLeft} left): ${event.message}`;
        return;
      case 'chart-skipped':
        Object.assign(this.row(event.chart), { state: 'skipped', note: event.reason });
        return;
      case 'chart-cancelled':
        Object.assign(this.row(event.chart), { state: 'cancelled', note: event.reason });
        return;
      default:
        return;
    }
  }
}

const ICONS: Record<ChartState, string> = { waiting: '·', running: '▶', done: '✔', failed: '✖', skipped: '↷', cancelled: '⊘' };

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The tree as lines, at time `now`. Pure. */
export function renderTree(model: TreeModel, now: number): string {
  const lines = [model.title];
  const width = Math.max(8, ...[...model.rows.keys()].map((name) => name.length));
  for (const row of model.rows.values()) {
    const elapsed = row.durationMs ?? (row.startedAt ? now - row.startedAt : undefined);
    const status = row.state === 'running' ? (row.phases.at(-1)?.phase ?? 'starting') : (row.outcome ?? row.state);
    const time = elapsed === undefined ? '' : seconds(elapsed).padStart(7);
    lines.push(` ${ICONS[row.state]} ${row.chart.padEnd(width)}  ${status.padEnd(22)}${time}${row.note ? `  ${row.note}` : ''}`);
    if (row.state === 'running' || row.state === 'failed') {
      row.phases.forEach((phase, i) => {
        const branch = i === row.phases.length - 1 ? '└' : '├';
        const took = phase.durationMs === undefined ? `${seconds(now - phase.startedAt)}…` : seconds(phase.durationMs);
        lines.push(`     ${branch} ${phase.phase.padEnd(20)}${took.padStart(8)}${phase.failed ? '  failed' : ''}`);
      });
    }
  }
  return lines.map((line) => line.trimEnd()).join('\n');
}

export function treeRenderer(): Renderer {
  const model = new TreeModel();
  const draw = () => logUpdate(renderTree(model, Date.now()));
  const timer = setInterval(draw, 200);
  timer.unref();
  return {
    event(event) {
      model.apply(event);
      draw();
    },
    close() {
      clearInterval(timer);
      draw();
      logUpdate.done();
    },
  };
}
