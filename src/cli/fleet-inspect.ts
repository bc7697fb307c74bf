// plan and status across the stack's targets: the single-cluster answer per target, under a header
// naming it (text), or with a `target` field on each line (-o json); unreachable targets reported.
import { EXIT, statusExitCode } from './exit-codes.js';
import { acrossFleet, type FleetCommandOptions } from './fleet-command.js';
import type { CommandFlags } from '../stack/chart-spec-of.js';
import type { ChartPlan } from '../stack/plan.js';
import type { ChartStatus } from '../stack/inspect.js';
import { apiCheckOf, type ApiCheckSettings } from '../upgrade/plan-apis.js';

type InspectOptions = Omit<FleetCommandOptions, 'flags' | 'lockTimeoutMs' | 'report'>;

function unreached(o: InspectOptions, rows: { target: { name: string }; status: string; error?: unknown; reason?: string }[]): void {
  for (const row of rows) {
    if (row.status === 'succeeded') continue;
    const why = row.reason ?? (row.error instanceof Error ? row.error.message.split('\n')[0] : String(row.error));
    o.stdout(o.output === 'json' ? `${JSON.stringify({ type: 'target', target: row.target.name, status: row.status, reason: why })}\n` : `  ${row.target.name}: ${why}\n`);
  }
}

/** Plans every target; each folds the command's flags with its stack (runSettingsOf), as the fleet's apply does. */
export async function planFleet(o: InspectOptions, flags: CommandFlags & ApiCheckSettings & { command: 'apply' | 'destroy'; strictValues?: boolean | undefined }, format: (plans: ChartPlan[]) => string): Promise<{ code: number; plans: ChartPlan[] }> {
  const [{ selectedCharts, concurrencyFor }, { planCharts }, { runSettingsOf }] = await Promise.all([import('../stack/run-stack.js'), import('../stack/inspect.js'), import('../stack/chart-spec-of.js')]);
  const all: ChartPlan[] = [];
  const { result } = await acrossFleet(o, async (stack, clients, signal, target) => {
    const charts = selectedCharts(stack, o.selection);
    const settings = { ...runSettingsOf(stack, flags), command: flags.command };
    const plans = await planCharts(flags.command === 'destroy' ? [...charts].reverse() : charts, { ...clients, ...settings, concurrency: concurrencyFor(stack, o.concurrency), apiCheck: apiCheckOf(flags, target, stack), ...(flags.strictValues ? { strictValues: true } : {}), ...(o.masker ? { masker: o.masker } : {}), ...(signal ? { signal } : {}) });
    // Each target has its own inventory (it lives in the target's cluster): its prune is its own.
    const notes: string[] = [];
    plans.push(...(await (await import('../stack/plan-prune.js')).planPrune(stack, settings, { ...clients, signal, masker: o.masker, note: (message) => notes.push(message) })));
    all.push(...plans);
    if (o.output === 'json') for (const plan of plans) o.stdout(`${JSON.stringify({ type: 'plan', target: target.name, ...plan })}\n`);
    else o.stdout(`── ${target.name}\n${format(plans)}\n`);
    for (const message of notes) o.stdout(o.output === 'json' ? `${JSON.stringify({ type: 'note', target: target.name, message })}\n` : `note: ${message}\n`);
    return { ok: true };
  });
  unreached(o, result.targets);
  return { code: result.ok ? EXIT.ok : EXIT.chartFailed, plans: all };
}

export async function statusFleet(o: InspectOptions, format: (statuses: ChartStatus[]) => string): Promise<number> {
  const [{ selectedCharts, concurrencyFor }, { chartStatuses }] = await Promise.all([import('../stack/run-stack.js'), import('../stack/inspect.js')]);
  const all: ChartStatus[] = [];
  const { result } = await acrossFleet(o, async (stack, clients, _signal, target) => {
    const statuses = await chartStatuses(selectedCharts(stack, o.selection), clients, concurrencyFor(stack, o.concurrency));
    all.push(...statuses);
    if (o.output === 'json') for (const s of statuses) o.stdout(`${JSON.stringify({ type: 'status', target: target.name, ...s })}\n`);
    else o.stdout(`── ${target.name}\n${format(statuses)}\n`);
    return { ok: true };
  });
  unreached(o, result.targets);
  return result.ok ? statusExitCode(all) : EXIT.chartFailed;
}
