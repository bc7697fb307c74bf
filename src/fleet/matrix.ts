// The fleet's result as a matrix: one row per target, one column per chart, a status in each cell.
// A chart that ran shows its outcome ('installed', 'upgraded', 'unchanged' when its digest matched, ...);
// a target that did not run shows why in every cell. Pure.
import type { StackResult } from '../stack/run-stack.js';
import type { FleetResult, TargetStatus } from './run-fleet.js';

export interface ChartCell {
  chart: string;
  /** The chart's outcome when it succeeded, else its status (failed, skipped, cancelled). */
  status: string;
  error?: string;
}

export interface TargetRow {
  target: string;
  wave: string | undefined;
  status: TargetStatus;
  /** Why it did not run, or why it is unreachable. */
  reason?: string;
  durationMs: number;
  charts: ChartCell[];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

export function fleetMatrix(result: FleetResult<StackResult>, chartNames: readonly string[], mask: (text: string) => string = (t) => t): TargetRow[] {
  return result.targets.map((o) => {
    const byName = new Map((o.result?.charts ?? []).map((c) => [c.name, c]));
    const notRun = o.status === 'unreachable' ? 'unreachable' : o.status === 'not-started' ? 'not started' : o.status === 'cancelled' ? 'cancelled' : undefined;
    const charts = chartNames.map((chart): ChartCell => {
      const record = byName.get(chart);
      if (!record) return { chart, status: notRun ?? (o.error ? 'failed' : '-') };
      if (record.status === 'succeeded') return { chart, status: record.result?.outcome ?? 'succeeded' };
      return { chart, status: record.status, ...(record.error ? { error: mask(message(record.error)) } : {}) };
    });
    const reason = o.reason ?? (o.error ? mask(message(o.error)) : undefined);
    return { target: o.target.name, wave: o.wave, status: o.status, ...(reason ? { reason } : {}), durationMs: o.durationMs, charts };
  });
}

/** The terminal table: TARGET, WAVE, one column per chart, STATUS; then why each failed or unreached target did. */
export function formatMatrix(rows: readonly TargetRow[], chartNames: readonly string[]): string {
  const table = [['TARGET', 'WAVE', ...chartNames.map((c) => c.toUpperCase()), 'TARGET STATUS']];
  for (const row of rows) table.push([row.target, row.wave ?? '-', ...row.charts.map((c) => c.status), row.status]);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  const lines = table.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  for (const row of rows) {
    if (row.reason) lines.push(`  ${row.target}: ${row.reason}`);
    for (const cell of row.charts) if (cell.error) lines.push(`  ${row.target}/${cell.chart}: ${cell.error}`);
  }
  const count = (s: TargetStatus) => rows.filter((r) => r.status === s).length;
  lines.push(`fleet: ${count('succeeded')} succeeded, ${count('failed')} failed, ${count('unreachable')} unreachable, ${count('not-started')} not started${count('cancelled') ? `, ${count('cancelled')} cancelled` : ''} of ${rows.length} target(s)`);
  return lines.join('\n');
}

/** `-o json`: one object per target with its per-chart results, then a summary line. */
export function formatMatrixJson(rows: readonly TargetRow[], ok: boolean): string {
  const lines = rows.map((row) => JSON.stringify({ type: 'target', ...row }));
  lines.push(JSON.stringify({ type: 'fleet-summary', ok, targets: rows.length, succeeded: rows.filter((r) => r.status === 'succeeded').length }));
  return `${lines.join('\n')}\n`;
}
