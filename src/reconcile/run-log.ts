// The lines reconcile writes for a run: one for the run, one per chart that changed, failed or was
// skipped (a chart left as it was says nothing, so a quiet stack logs one line per interval). Pure.
import type { ReconcileRun } from './types.js';

export function describeRun(run: ReconcileRun): string[] {
  const at = `revision ${run.revision.slice(0, 12)}`;
  if (run.error) return [`reconcile: ${run.trigger} run at ${at}: ${run.error}`];
  const count = (status: string) => run.charts.filter((c) => c.status === status).length;
  const head = `reconcile: ${run.trigger} run at ${at}: ${run.ok ? 'ok' : 'FAILED'} (${count('succeeded')} succeeded, ${count('failed')} failed, ${count('skipped')} skipped${count('cancelled') ? `, ${count('cancelled')} cancelled` : ''}) in ${(run.durationMs / 1000).toFixed(1)}s${run.interrupted ? ', interrupted' : ''}`;
  const lines = [head];
  for (const chart of run.charts) {
    if (chart.status === 'failed') lines.push(`  ✖ ${chart.name}: [${chart.failureClass ?? 'other'}] ${chart.message ?? ''}`);
    else if (chart.status !== 'succeeded') lines.push(`  - ${chart.name}: ${chart.status}`);
    else if (chart.changed || chart.driftRepaired) lines.push(`  ✔ ${chart.name}: ${chart.changed ? 'changed' : ''}${chart.driftRepaired ? `${chart.changed ? ', ' : ''}${chart.driftRepaired} drifted object(s) put back` : ''}`);
  }
  return lines;
}
