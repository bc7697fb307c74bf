// `--report run.html`: a self-contained page (no scripts, no external assets) with the run's facts,
// its timeline as an SVG Gantt chart with a legend, the charts' outcomes (in the timeline's order),
// the remedies taken, and every failure with its hint, wrapped to the page's width. Built from the
// run's (masked) events and the facts the caller passes. Pure.
import type { StackEvent } from '../stack/events.js';
import { chartRows, STATE_MARKS, type ChartFailure, type ChartRow } from './chart-states.js';
import { escapeXml } from './escape.js';
import { ganttSvg, timelineLegend, timelineOf } from './gantt.js';
import { renderFacts, type RunFacts } from './run-facts.js';

export type { RunFacts } from './run-facts.js';

const STYLE = [
  'body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1200px}',
  'h1{font-size:1.5em;overflow-wrap:anywhere}',
  'table{border-collapse:collapse;width:100%}',
  'td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}',
  // Failure text wraps at the page's width: a long helm message must be readable without scrolling.
  'pre{background:#f6f6f6;padding:1em;white-space:pre-wrap;overflow-wrap:anywhere;overflow:visible;margin:0.5em 0}',
  '.failure{border-left:4px solid #b00020;padding-left:1em;margin:1em 0}',
  '.failure h3{color:#b00020;overflow-wrap:anywhere}',
  '.hint{background:#fff7d6;border:1px solid #e6c200;padding:0.5em 1em;overflow-wrap:anywhere}',
  'svg.timeline{max-width:100%;height:auto;display:block}',
  '.legend h3{font-size:1em;margin:0.5em 0 0.25em}',
  '.legend ul{list-style:none;padding:0;margin:0.25em 0;display:flex;flex-wrap:wrap;gap:0.4em 1.4em;font-size:0.9em}',
  '.legend li{display:flex;align-items:center;gap:0.4em}',
  '.swatch{display:inline-block;width:1.6em;height:0.9em;border:1px solid #888}',
  '.failed-swatch{border:2px solid #b00020;background:repeating-linear-gradient(45deg,#b00020 0 2px,transparent 2px 6px)}',
  '.mark{font-weight:bold;width:1em;text-align:center}',
  'tr.failed td:nth-child(2){color:#b00020;font-weight:bold}',
  'dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:0.2em 1em;margin:0.5em 0 1em}',
  'dl.facts dt{font-weight:bold}',
  'dl.facts dd{margin:0;overflow-wrap:anywhere;font-family:monospace}',
  'dl.facts dd.unknown{font-family:sans-serif;color:#666;font-style:italic}',
].join('\n');

function summaryOf(events: readonly StackEvent[]): string {
  const finished = events.find((e) => e.type === 'stack-finished');
  if (!finished) return 'did not finish';
  const c = finished.counts;
  return `${finished.ok ? 'succeeded' : 'failed'} in ${(finished.durationMs / 1000).toFixed(1)} s: ${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped, ${c.cancelled} cancelled`;
}

function chartTable(rows: readonly ChartRow[]): string {
  const lines = rows.map((r) => {
    const mark = STATE_MARKS[r.state];
    const time = r.durationMs === undefined ? '' : `${(r.durationMs / 1000).toFixed(1)} s`;
    // The state's word is always there ("failed in exec" says it already), with the run's own words.
    const outcome = r.outcome.includes(mark.word) ? r.outcome : `${mark.word}: ${r.outcome}`;
    return `<tr class="${r.state}" data-chart="${escapeXml(r.chart)}"><td>${escapeXml(r.chart)}</td><td><span class="mark">${mark.symbol}</span> ${escapeXml(outcome)}</td><td>${time}</td><td>${escapeXml(r.note)}</td></tr>`;
  });
  return `<table class="charts"><tr><th>chart</th><th>outcome</th><th>time</th><th>note</th></tr>\n${lines.join('\n')}\n</table>`;
}

function remedyTable(events: readonly StackEvent[]): string {
  const rows = events.flatMap((e) => (e.type === 'remedy' ? [[e.chart, e.failureClass, e.remedy, String(e.attempt), String(e.attemptsLeft), e.message]] : []));
  if (rows.length === 0) return '<p>none</p>';
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table class="remedies"><tr><th>chart</th><th>failure class</th><th>remedy</th><th>attempt</th><th>left</th><th>what happened</th></tr>\n${body}\n</table>`;
}

function failureBlock(f: ChartFailure): string {
  const heading = `${STATE_MARKS.failed.symbol} ${f.chart}: failed in ${f.phase}${f.failureClass ? ` (${f.failureClass})` : ''}`;
  const hint = f.hint ? `<p class="hint"><strong>hint:</strong> ${escapeXml(f.hint)}</p>` : '';
  return `<section class="failure" data-chart="${escapeXml(f.chart)}"><h3>${escapeXml(heading)}</h3><pre>${escapeXml(f.error)}</pre>${hint}</section>`;
}

/** The report page. `facts` are what the run knew about itself (see RunFacts); none is asked here. */
export function buildReport(events: readonly StackEvent[], facts: RunFacts = {}): string {
  const started = events.find((e) => e.type === 'stack-started');
  const title = started ? `helmcycle ${started.command} ${started.stack}` : 'helmcycle run';
  const { rows, failures } = chartRows(events);
  const timeline = timelineOf(events);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeXml(title)}</title>
<style>
${STYLE}
</style>
</head><body>
<h1>${escapeXml(title)}</h1>
<p class="summary">${escapeXml(summaryOf(events))}</p>
${renderFacts(facts, started?.at ?? events[0]?.at)}
<h2>Timeline</h2>
${timelineLegend(timeline)}
${ganttSvg(timeline, rows)}
<h2>Charts</h2>
${chartTable(rows)}
<h2>Remedies</h2>
${remedyTable(events)}
<h2>Failures</h2>
${failures.map(failureBlock).join('\n') || '<p>none</p>'}
</body></html>
`;
}
