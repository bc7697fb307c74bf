// `--report run.html`: a self-contained page (no scripts, no external assets) with the run's timeline
// as an SVG Gantt chart, the remedies taken, and every failure with its class and diagnostics. Built
// from events alone. Pure.
import type { StackEvent } from '../stack/events.js';
import { escapeXml, ganttSvg, timelineOf } from './gantt.js';

export function buildReport(events: readonly StackEvent[]): string {
  const started = events.find((e) => e.type === 'stack-started');
  const finished = events.find((e) => e.type === 'stack-finished');
  const title = started ? `helmcycle ${started.command} ${started.stack}` : 'helmcycle run';
  const rows = new Map<string, { outcome: string; ms: number | undefined; note: string }>();
  const failures: { chart: string; phase: string; error: string }[] = [];
  const remedies: string[] = [];
  for (const event of events) {
    if (event.type === 'remedy') {
      const cells = [event.chart, event.failureClass, event.remedy, String(event.attempt), String(event.attemptsLeft), event.message];
      remedies.push(`<tr>${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`);
    }
    if (event.type === 'chart-finished') rows.set(event.chart, { outcome: event.outcome, ms: event.durationMs, note: '' });
    if (event.type === 'chart-failed') {
      rows.set(event.chart, { outcome: `failed in ${event.phase}`, ms: event.durationMs, note: event.failureClass ?? event.code });
      failures.push({ chart: event.chart, phase: event.phase, error: event.error });
    }
    if (event.type === 'chart-skipped' || event.type === 'chart-cancelled') rows.set(event.chart, { outcome: event.type === 'chart-skipped' ? 'skipped' : 'cancelled', ms: undefined, note: event.reason });
  }
  const summary = finished
    ? `${finished.ok ? 'succeeded' : 'failed'} in ${(finished.durationMs / 1000).toFixed(1)} s: ${finished.counts.succeeded} succeeded, ${finished.counts.failed} failed, ${finished.counts.skipped} skipped, ${finished.counts.cancelled} cancelled`
    : 'did not finish';
  const table = [...rows]
    .map(([chart, r]) => `<tr><td>${escapeXml(chart)}</td><td>${escapeXml(r.outcome)}</td><td>${r.ms === undefined ? '' : (r.ms / 1000).toFixed(1) + ' s'}</td><td>${escapeXml(r.note)}</td></tr>`)
    .join('\n');
  const failureBlocks = failures
    .map((f) => `<section class="failure"><h3>${escapeXml(f.chart)}: failed in ${escapeXml(f.phase)}</h3><pre>${escapeXml(f.error)}</pre></section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}pre{background:#f6f6f6;padding:1em;overflow:auto}.failure h3{color:#b00}</style>
</head><body>
<h1>${escapeXml(title)}</h1>
<p>${escapeXml(summary)}</p>
<h2>Timeline</h2>
${ganttSvg(timelineOf(events))}
<h2>Charts</h2>
<table><tr><th>chart</th><th>outcome</th><th>time</th><th>note</th></tr>
${table}
</table>
<h2>Remedies</h2>
${remedies.length ? `<table><tr><th>chart</th><th>failure class</th><th>remedy</th><th>attempt</th><th>left</th><th>what happened</th></tr>\n${remedies.join('\n')}\n</table>` : '<p>none</p>'}
<h2>Failures</h2>
${failureBlocks || '<p>none</p>'}
</body></html>
`;
}
