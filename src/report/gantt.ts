// The timeline of a run as an SVG Gantt chart: one row per chart (in the report's one order), one bar
// per phase, round time ticks, and a mark beside each row that does not rely on colour: ✖ and a
// hatched, outlined bar for a failure, ↷ and the reason for a skip. Pure.
import type { StackEvent } from '../stack/events.js';
import { PHASES } from '../lifecycle/types.js';
import { STATE_MARKS, type ChartRow } from './chart-states.js';
import { escapeXml } from './escape.js';
import { formatTick, timeAxis } from './ticks.js';

export { escapeXml } from './escape.js';

export interface Bar {
  chart: string;
  phase: string;
  start: number;
  end: number;
  failed: boolean;
}

export interface Timeline {
  start: number;
  end: number;
  bars: Bar[];
}

export function timelineOf(events: readonly StackEvent[]): Timeline {
  const bars: Bar[] = [];
  const open = new Map<string, number>();
  let start = Infinity;
  let end = -Infinity;
  for (const event of events) {
    start = Math.min(start, event.at);
    end = Math.max(end, event.at);
    if (event.type === 'phase-started') open.set(`${event.chart}\0${event.phase}`, event.at);
    if (event.type === 'phase-finished' || event.type === 'phase-failed') {
      const key = `${event.chart}\0${event.phase}`;
      bars.push({ chart: event.chart, phase: event.phase, start: open.get(key) ?? event.at - event.durationMs, end: event.at, failed: event.type === 'phase-failed' });
      open.delete(key);
    }
  }
  return { start: Number.isFinite(start) ? start : 0, end: Number.isFinite(end) ? end : 0, bars };
}

/** Colour-blind-safe hues (ColorBrewer Set2), one per phase; the legend names each. */
export const PHASE_COLORS: Record<string, string> = {
  checkPrerequisites: '#8da0cb',
  preExec: '#66c2a5',
  exec: '#fc8d62',
  onDeployFailure: '#e78ac3',
  postExec: '#a6d854',
  validate: '#ffd92f',
};
const OTHER_PHASE = '#bbbbbb';
const FAILED = '#b00020';

const MAX_NAME = 40;
const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const LAYOUT = { chartWidth: 760, rowHeight: 24, barHeight: 16, axisHeight: 28, markRoom: 24, charPx: 7.2 } as const;

export function ganttSvg(timeline: Timeline, rows: readonly ChartRow[]): string {
  const { chartWidth, rowHeight, barHeight, axisHeight, markRoom, charPx } = LAYOUT;
  const labelWidth = Math.round(Math.min(320, Math.max(120, 24 + charPx * Math.max(0, ...rows.map((r) => cut(r.chart, MAX_NAME).length + 2)))));
  const axis = timeAxis(timeline.end - timeline.start);
  const x = (t: number) => labelWidth + ((t - timeline.start) / axis.endMs) * chartWidth;
  const width = labelWidth + chartWidth + markRoom;
  const rowsHeight = rows.length * rowHeight;
  const height = rowsHeight + axisHeight;
  const parts: string[] = [
    `<defs><pattern id="failed-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff" fill-opacity="0"/><line x1="0" y1="0" x2="0" y2="6" stroke="${FAILED}" stroke-width="2"/></pattern></defs>`,
  ];
  for (const tick of axis.ticksMs) {
    const tx = x(timeline.start + tick).toFixed(1);
    parts.push(`<line class="grid" x1="${tx}" y1="0" x2="${tx}" y2="${rowsHeight + 4}" stroke="#e4e4e4"/>`);
    parts.push(`<text class="tick" x="${tx}" y="${rowsHeight + 18}" font-size="11" text-anchor="middle">${formatTick(tick, axis.stepMs)}</text>`);
  }
  rows.forEach((row, i) => {
    const top = i * rowHeight;
    const mark = STATE_MARKS[row.state];
    const failed = row.state === 'failed';
    const cells: string[] = [
      `<text class="label" x="4" y="${top + 16}" font-size="12"${failed ? ` fill="${FAILED}" font-weight="bold"` : ''}><title>${escapeXml(`${row.chart}: ${mark.word}`)}</title>${mark.symbol} ${escapeXml(cut(row.chart, MAX_NAME))}</text>`,
    ];
    const marks: string[] = [];
    for (const bar of timeline.bars.filter((b) => b.chart === row.chart)) {
      const left = x(bar.start);
      const barWidth = Math.max(2, x(bar.end) - left);
      const title = `${bar.chart} ${bar.phase}: ${((bar.end - bar.start) / 1000).toFixed(2)} s${bar.failed ? ' (failed)' : ''}`;
      const y = top + (rowHeight - barHeight) / 2;
      cells.push(`<rect class="bar${bar.failed ? ' failed' : ''}" data-phase="${escapeXml(bar.phase)}" x="${left.toFixed(1)}" y="${y}" width="${barWidth.toFixed(1)}" height="${barHeight}" fill="${PHASE_COLORS[bar.phase] ?? OTHER_PHASE}"${bar.failed ? ` stroke="${FAILED}" stroke-width="2"` : ''}><title>${escapeXml(title)}</title></rect>`);
      if (bar.failed) {
        cells.push(`<rect x="${left.toFixed(1)}" y="${y}" width="${barWidth.toFixed(1)}" height="${barHeight}" fill="url(#failed-hatch)" pointer-events="none"/>`);
        // On the bar when it is wide enough, else just after it; drawn last so no later bar hides it.
        const cx = barWidth >= 24 ? left + barWidth / 2 : left + barWidth + 9;
        marks.push(`<g class="failed-mark"><circle cx="${cx.toFixed(1)}" cy="${top + rowHeight / 2}" r="8" fill="#fff" stroke="${FAILED}"/><text x="${cx.toFixed(1)}" y="${top + rowHeight / 2 + 4.5}" font-size="12" font-weight="bold" text-anchor="middle" fill="${FAILED}">${STATE_MARKS.failed.symbol}</text></g>`);
      }
    }
    cells.push(...marks);
    if (row.state === 'skipped' || row.state === 'cancelled') {
      const text = `${mark.symbol} ${mark.word}${row.note ? `: ${row.note}` : ''}`;
      cells.push(`<text class="not-run" x="${labelWidth + 4}" y="${top + 16}" font-size="12" font-style="italic" fill="#555">${escapeXml(cut(text, 110))}</text>`);
    }
    parts.push(`<g class="row" data-chart="${escapeXml(row.chart)}" data-state="${row.state}">${cells.join('')}</g>`);
  });
  // The viewBox lets the chart shrink with a narrow window instead of scrolling sideways.
  return `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" role="img" aria-label="timeline of the run">${parts.join('')}</svg>`;
}

/** What the colours and marks mean: the phases that appear, then the chart states. */
export function timelineLegend(timeline: Timeline): string {
  const seen = new Set(timeline.bars.map((b) => b.phase));
  const phases = [...PHASES.filter((p) => seen.has(p)), ...[...seen].filter((p) => !(PHASES as readonly string[]).includes(p))];
  const phaseItems = phases.map((p) => `<li><span class="swatch" style="background:${PHASE_COLORS[p] ?? OTHER_PHASE}"></span>${escapeXml(p)}</li>`);
  const failedBar = `<li><span class="swatch failed-swatch"></span>a phase that failed (outlined, hatched, marked ${STATE_MARKS.failed.symbol})</li>`;
  const states = (['succeeded', 'failed', 'skipped', 'cancelled'] as const).map((s) => `<li><span class="mark">${STATE_MARKS[s].symbol}</span>${STATE_MARKS[s].word}</li>`);
  return `<div class="legend"><h3>Legend</h3><ul class="legend-phases">${phaseItems.join('')}${failedBar}</ul><ul class="legend-states">${states.join('')}</ul></div>`;
}
