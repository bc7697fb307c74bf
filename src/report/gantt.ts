// The timeline of a run as bars: one row per chart, one bar per phase. Pure.
import type { StackEvent } from '../stack/events.js';

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
  charts: string[];
  bars: Bar[];
}

export function timelineOf(events: readonly StackEvent[]): Timeline {
  const bars: Bar[] = [];
  const open = new Map<string, number>();
  const charts: string[] = [];
  let start = Infinity;
  let end = -Infinity;
  for (const event of events) {
    start = Math.min(start, event.at);
    end = Math.max(end, event.at);
    if (event.type === 'stack-started') for (const c of event.charts) if (!charts.includes(c)) charts.push(c);
    if ('chart' in event && !charts.includes(event.chart)) charts.push(event.chart);
    if (event.type === 'phase-started') open.set(`${event.chart}\0${event.phase}`, event.at);
    if (event.type === 'phase-finished' || event.type === 'phase-failed') {
      const key = `${event.chart}\0${event.phase}`;
      bars.push({ chart: event.chart, phase: event.phase, start: open.get(key) ?? event.at - event.durationMs, end: event.at, failed: event.type === 'phase-failed' });
      open.delete(key);
    }
  }
  return { start: Number.isFinite(start) ? start : 0, end: Number.isFinite(end) ? end : 0, charts, bars };
}

const COLORS: Record<string, string> = {
  checkPrerequisites: '#8da0cb',
  preExec: '#66c2a5',
  exec: '#fc8d62',
  onDeployFailure: '#e78ac3',
  postExec: '#a6d854',
  validate: '#ffd92f',
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function ganttSvg(timeline: Timeline): string {
  const labelWidth = 180;
  const chartWidth = 760;
  const rowHeight = 22;
  const span = Math.max(1, timeline.end - timeline.start);
  const x = (t: number) => labelWidth + ((t - timeline.start) / span) * chartWidth;
  const height = (timeline.charts.length + 1) * rowHeight + 10;
  const parts: string[] = [];
  timeline.charts.forEach((chart, i) => {
    const y = i * rowHeight + 4;
    parts.push(`<text x="4" y="${y + 15}" font-size="12">${escapeXml(chart)}</text>`);
  });
  for (const bar of timeline.bars) {
    const y = timeline.charts.indexOf(bar.chart) * rowHeight + 4;
    const width = Math.max(1, x(bar.end) - x(bar.start));
    const title = `${bar.chart} ${bar.phase}: ${((bar.end - bar.start) / 1000).toFixed(2)} s${bar.failed ? ' (failed)' : ''}`;
    parts.push(
      `<rect x="${x(bar.start).toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${rowHeight - 6}" fill="${COLORS[bar.phase] ?? '#bbb'}"${bar.failed ? ' stroke="#c00" stroke-width="2"' : ''}><title>${escapeXml(title)}</title></rect>`,
    );
  }
  const axisY = timeline.charts.length * rowHeight + 18;
  for (let i = 0; i <= 4; i++) {
    const t = timeline.start + (span * i) / 4;
    parts.push(`<text x="${x(t).toFixed(1)}" y="${axisY}" font-size="10" text-anchor="middle">${((t - timeline.start) / 1000).toFixed(1)} s</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + chartWidth + 20}" height="${height + 10}" font-family="sans-serif">${parts.join('')}</svg>`;
}

export { escapeXml };
