// Text for plan, status and list output. Pure.
import { formatManifestDiff } from '../stack/manifest-diff.js';
import type { ChartPlan } from '../stack/plan.js';
import type { ResourceDrift } from '../drift/detect.js';
import type { ChartStatus } from '../stack/inspect.js';
import type { ResolvedChart } from '../stack/types.js';
import { NO_COLORS, type Palette } from './render/palette.js';
import { describeApiFinding } from '../upgrade/api-check.js';
import type { CrdEvolution } from '../crd-evolution/assess.js';
import { describeFinding } from '../crd-evolution/errors.js';

const PLAN_SIGNS: Record<ChartPlan['action'], string> = { install: '+', upgrade: '~', reinstall: '±', skip: '=', restore: '↺', recover: '!', delete: '-', none: ' ' };

function actionColour(action: ChartPlan['action'], paint: Palette): (text: string) => string {
  if (action === 'install') return paint.green;
  if (action === 'delete') return paint.red;
  if (action === 'none' || action === 'skip') return paint.dim;
  return paint.yellow;
}

/**
 * A line of formatManifestDiff's output in the colour of its sign: added green, removed red, changed
 * yellow, hunks cyan. The sign is at a fixed place (a resource line's first column, a patch line's
 * fifth), so that a YAML list item ("- name") of a context line is not taken for a removal.
 */
function colourDiffLine(line: string, paint: Palette): string {
  const sign = /^(?:([-+~]) | {4}([-+@]))/.exec(line)?.slice(1).find(Boolean);
  if (sign === '+') return paint.green(line);
  if (sign === '-') return paint.red(line);
  if (sign === '~') return paint.yellow(line);
  if (sign === '@') return paint.cyan(line);
  return line;
}

function shown(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** "drift Deployment/ns/web: spec.replicas 1 → 3 (live)". */
function formatDrift(drift: ResourceDrift): string[] {
  return drift.fields.map((f) => (f.path ? `drift ${drift.resource}: ${f.path} declared ${shown(f.declared)}, live ${shown(f.live)}` : `drift ${drift.resource}: missing live`));
}

/** A CRD upgrade's findings (one line each, with path and rule), migration, and rules not checked. */
function formatCrdEvolution(e: CrdEvolution): string[] {
  const c = e.compatibility;
  return [
    ...(e.migration ? [`CRD ${e.crd}: ${e.migration.description}${e.migration.blocked ? ` (blocked: ${e.migration.blocked})` : ''}`] : []),
    ...c.findings.map((f) => `! ${describeFinding(e.crd, f)}`),
    ...(c.notChecked ? [`CRD ${e.crd}: existing objects not checked: ${c.notChecked}`] : []),
    ...c.unchecked.map((u) => `CRD ${e.crd}: not checked at ${u.path || '(root)'}: ${u.rule} (${u.reason})`),
  ];
}

export function formatPlan(plans: readonly ChartPlan[], options: { paint?: Palette } = {}): string {
  const paint = options.paint ?? NO_COLORS;
  const out: string[] = [];
  for (const plan of plans) {
    out.push(actionColour(plan.action, paint)(`${PLAN_SIGNS[plan.action]} ${plan.chart} (${plan.namespace}): ${plan.action}: ${plan.reason}`));
    if (plan.heldBy) out.push(`    being changed by ${plan.heldBy}: apply waits for it (--lock-timeout)`);
    for (const drifted of plan.drift ?? []) out.push(...formatDrift(drifted).map((line) => `    ${paint.yellow(line)}`));
    if (plan.changes.length) out.push(...formatManifestDiff(plan.changes).split('\n').map((line) => `    ${colourDiffLine(line, paint)}`));
    for (const evolution of plan.crdEvolution ?? []) out.push(...formatCrdEvolution(evolution).map((line) => `    ${line.startsWith('!') ? paint.red(line) : line}`));
    for (const f of plan.apiFindings ?? []) out.push((f.level === 'removed' ? paint.red : paint.yellow)(`    ! ${describeApiFinding(f)}`));
    for (const f of plan.valueFindings ?? []) out.push(paint.yellow(`    ! value ${f.path}: ${f.detail}`));
    if (plan.valuesNotChecked) out.push(paint.dim(`    values not checked: ${plan.valuesNotChecked}`));
    for (const p of plan.predictions) out.push(paint.yellow(`    ! predicted ${p.class}: ${p.detail}`), paint.yellow(`      apply would take: ${p.remedy} (${p.remedyReason})`));
  }
  const count = (a: ChartPlan['action']) => plans.filter((p) => p.action === a).length;
  const predicted = plans.reduce((n, p) => n + p.predictions.length, 0);
  const apiFindings = plans.reduce((n, p) => n + (p.apiFindings?.length ?? 0), 0);
  const valueFindings = plans.reduce((n, p) => n + (p.valueFindings?.length ?? 0), 0);
  out.push(
    `plan: ${count('install')} to install, ${count('upgrade')} to upgrade, ${count('reinstall')} to reinstall, ${count('recover')} to recover, ${count('delete')} to delete, ${count('skip')} unchanged${count('restore') ? `, ${count('restore')} to restore from a backup` : ''}; ${predicted} predicted failure(s)${apiFindings ? `; ${apiFindings} removed or deprecated API(s)` : ''}${valueFindings ? `; ${valueFindings} value(s) the charts do not read` : ''}`,
  );
  return out.join('\n');
}

/** `plan -o json`: one line per chart. The plans come masked from planChart (see secrets/). */
export function formatPlanJson(plans: readonly ChartPlan[]): string {
  return plans.map((plan) => `${JSON.stringify({ type: 'plan', ...plan })}\n`).join('');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function formatStatus(statuses: readonly ChartStatus[]): string {
  const rows = [['CHART', 'NAMESPACE', 'REVISION', 'STATUS', 'VERSION', 'HEALTH']];
  for (const s of statuses) rows.push([s.chart, s.namespace, s.revision?.toString() ?? '-', s.status, s.chartVersion ?? '-', s.health]);
  const unready = statuses.flatMap((s) => s.unready.map((u) => `  ${s.chart}: ${u}`));
  const held = statuses.filter((s) => s.heldBy).map((s) => `  ${s.chart}: being changed by ${s.heldBy}`);
  return [table(rows), ...(unready.length ? ['not ready:', ...unready] : []), ...(held.length ? ['leases:', ...held] : []), statusSummary(statuses)].join('\n');
}

/** One line that says what the exit code says: how many are ready, degraded and not installed. */
export function statusSummary(statuses: readonly ChartStatus[]): string {
  const count = (health: ChartStatus['health']) => statuses.filter((s) => s.health === health).length;
  const missing = statuses.filter((s) => s.health === 'not-installed').map((s) => s.chart);
  const parts = [`${count('ready')} ready`, `${count('degraded')} degraded`, `${missing.length} not installed${missing.length ? ` (${missing.join(', ')}: apply installs them)` : ''}`];
  return `status: ${parts.join(', ')}`;
}

export function formatList(charts: readonly ResolvedChart[]): string {
  const rows = [['CHART', 'NAMESPACE', 'SOURCE', 'VERSION', 'NEEDS', 'LABELS']];
  for (const c of charts) {
    const d = c.definition;
    const source = d.repository ? `${d.repository} ${d.chart}` : d.chart;
    const labels = Object.entries(d.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    rows.push([c.name, d.namespace ?? 'default', source, d.version ?? '-', c.needs.join(',') || '-', labels || '-']);
  }
  return table(rows);
}
