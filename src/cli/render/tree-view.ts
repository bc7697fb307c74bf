// The live tree as lines: a row per chart in the stack's order, running charts opened to their phases,
// what they wait on and their last messages, failures with their first lines, then the summary. Every
// line fits the width, and the frame fits the height: when space runs short, details go first (least
// useful first), then rows of finished or waiting charts, counted in one line. Pure.
import { waitParts } from '../../lifecycle/events.js';
import { displayWidth, fitWidth, padWidth } from './fit.js';
import { NO_COLORS, type Palette } from './palette.js';
import type { ChartRow, ChartState, TreeModel } from './tree-model.js';

export interface ViewOptions {
  now: number;
  /** Columns each line may take. */
  width: number;
  /** Lines the frame may take; unlimited when undefined (the final frame, which scrolls). */
  height?: number | undefined;
  paint?: Palette;
  reportPath?: string | undefined;
}

const ICONS: Record<ChartState, string> = { waiting: '·', running: '▶', done: '✔', failed: '✖', skipped: '↷', cancelled: '⊘' };
/** Which rows stay when not all fit: running ones, then failures, ... */
const KEEP_RANK: Record<ChartState, number> = { running: 0, failed: 1, cancelled: 2, waiting: 3, skipped: 4, done: 5 };
/** Failure lines shown under a failed chart; the whole failure is printed when the run ends. */
const ERROR_LINES = 3;
const MAX_NAME_WIDTH = 24;

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

function stateColour(paint: Palette, state: ChartState): (text: string) => string {
  switch (state) {
    case 'done':
      return paint.green;
    case 'failed':
      return paint.red;
    case 'running':
      return paint.cyan;
    case 'skipped':
    case 'cancelled':
      return paint.yellow;
    default:
      return paint.dim;
  }
}

/** A line under a chart, and how much it matters when space is short (lower: kept first). */
interface Detail {
  text: string;
  priority: number;
}

function details(row: ChartRow, now: number, width: number, paint: Palette): Detail[] {
  const out: Detail[] = [];
  if (row.state === 'running') {
    row.phases.forEach((phase, i) => {
      const last = i === row.phases.length - 1;
      const took = phase.durationMs === undefined ? `${seconds(now - phase.startedAt)}…` : seconds(phase.durationMs);
      const text = paint.dim(`     ${last ? '└' : '├'} ${phase.phase.padEnd(20)}${took.padStart(8)}`) + (phase.failed ? `  ${paint.red('failed')}` : '');
      out.push({ text, priority: last ? 1 : 4 });
    });
    if (row.wait) {
      // Elapsed goes on between reports: the report's figure plus the time since.
      const live = { ...row.wait.progress, elapsedMs: row.wait.progress.elapsedMs + Math.max(0, now - row.wait.at) };
      // The deadline stays in view: what is waited on is cut to leave room for it.
      const { what, deadline } = waitParts(live);
      const prefix = `       ${paint.cyan('⧗')} `;
      out.push({ text: `${prefix}${fitWidth(what, width - displayWidth(prefix) - displayWidth(deadline) - 2)}, ${deadline}`, priority: 0 });
    }
    for (const [i, m] of row.messages.entries()) {
      const text = m.level === 'warn' ? paint.yellow(`warning: ${m.text}`) : m.text;
      out.push({ text: `       › ${text}`, priority: i === row.messages.length - 1 ? 2 : 5 });
    }
  }
  if (row.state === 'failed') {
    row.error.slice(0, ERROR_LINES).forEach((line, i) => out.push({ text: `       ${i === 0 ? paint.red(line) : line}`, priority: i === 0 ? 1 : 3 }));
    const more = row.error.length - ERROR_LINES;
    if (more > 0) out.push({ text: paint.dim(`       … ${more} more line(s), printed when the run ends`), priority: 3 });
  }
  return out;
}

function chartLine(row: ChartRow, nameWidth: number, now: number, paint: Palette): string {
  const elapsed = row.durationMs ?? (row.startedAt !== undefined ? now - row.startedAt : undefined);
  const status = row.state === 'running' ? (row.phases.at(-1)?.phase ?? 'starting') : (row.outcome ?? row.state);
  const time = elapsed === undefined ? '' : seconds(elapsed).padStart(8);
  const colour = stateColour(paint, row.state);
  const name = padWidth(fitWidth(row.chart, nameWidth), nameWidth);
  return ` ${colour(ICONS[row.state])} ${name}  ${colour(status.padEnd(22))}${time}${row.note ? `  ${paint.dim(row.note)}` : ''}`;
}

/** The frame's lines, each at most `width` columns. Pure. */
export function renderTree(model: TreeModel, options: ViewOptions): string[] {
  const paint = options.paint ?? NO_COLORS;
  const { now } = options;
  const rows = [...model.rows.values()];
  const done = rows.filter((r) => r.state !== 'waiting' && r.state !== 'running').length;
  const ran = model.tally.finished?.durationMs ?? (model.startedAt === undefined ? undefined : now - model.startedAt);
  const since = ran === undefined ? '' : `, ${seconds(ran)}`;
  const title = model.title ? `${paint.bold(model.title)}  ${paint.dim(`${done} of ${rows.length} done${since}`)}` : '';
  const tail = [
    ...(model.notice ? [paint.yellow(model.notice)] : []),
    ...model.tally.summary(paint, options.reportPath),
  ];
  const height = options.height ?? Infinity;
  const nameWidth = Math.min(MAX_NAME_WIDTH, Math.max(8, ...rows.map((r) => displayWidth(r.chart))));

  // Which chart rows fit: all, or the most telling ones (in their own order) and a line for the rest.
  let shown = rows;
  let hiddenLine: string | undefined;
  const room = height - 1 - tail.length;
  if (rows.length > room) {
    const keep = new Set(
      rows
        .map((row, index) => ({ row, index }))
        .sort((a, b) => KEEP_RANK[a.row.state] - KEEP_RANK[b.row.state] || a.index - b.index)
        .slice(0, Math.max(0, room - 1))
        .map((r) => r.row),
    );
    shown = rows.filter((r) => keep.has(r));
    const hidden = rows.filter((r) => !keep.has(r));
    const byState = new Map<string, number>();
    for (const r of hidden) byState.set(r.state, (byState.get(r.state) ?? 0) + 1);
    hiddenLine = paint.dim(`   … ${hidden.length} more: ${[...byState].map(([s, n]) => `${n} ${s}`).join(', ')}`);
  }

  // Details by priority into what is left, shown in their place.
  const perRow = shown.map((row) => details(row, now, options.width, paint));
  let left = height - 1 - shown.length - (hiddenLine ? 1 : 0) - tail.length;
  const chosen = new Set<Detail>();
  const candidates = perRow.flatMap((list, rowIndex) => list.map((detail) => ({ detail, rowIndex })));
  candidates.sort((a, b) => a.detail.priority - b.detail.priority || a.rowIndex - b.rowIndex);
  for (const { detail } of candidates) {
    if (left <= 0) break;
    chosen.add(detail);
    left--;
  }

  const out = title ? [title] : [];
  shown.forEach((row, i) => {
    out.push(chartLine(row, nameWidth, now, paint));
    for (const detail of perRow[i]!) if (chosen.has(detail)) out.push(detail.text);
  });
  if (hiddenLine) out.push(hiddenLine);
  out.push(...tail);
  return out.map((line) => fitWidth(line.trimEnd(), options.width));
}
