// `helmcycle plan` on one cluster: every selected chart planned with the run's settings folded once
// (runSettingsOf, as apply folds them), printed, and saved with --out for `apply FILE`.
import type { HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import type { Masker } from '../secrets/masker.js';
import { runSettingsOf, type CommandFlags } from '../stack/chart-spec-of.js';
import { planCharts } from '../stack/inspect.js';
import { planPrune } from '../stack/plan-prune.js';
import type { ChartPlan } from '../stack/plan.js';
import { concurrencyFor, selectedCharts } from '../stack/run-stack.js';
import type { ResolvedStack } from '../stack/types.js';
import { formatPlanJson } from './format.js';
import { savePlan, serverOf } from './saved-plan.js';
import { apiCheckOf, type ApiCheckSettings } from '../upgrade/plan-apis.js';

export interface PlanClusterOptions {
  clients: { helm: HelmClient; kube: KubeClient & { config: Parameters<typeof serverOf>[0] } };
  selection: { selectors: string[]; only: string[] };
  concurrency: number | undefined;
  output: 'text' | 'json';
  /** The text form of the plans. */
  format: (plans: ChartPlan[]) => string;
  /** --out FILE: where to save the plan. */
  out: string | undefined;
  stdout: (text: string) => void;
  signal: AbortSignal | undefined;
  /**
   * Where notes go: what the inventories say beside the plan (a rename seen, an old inventory left
   * behind). Apart from stdout, so that `-o json` stays one plan per line; without it they go to stdout.
   */
  note?: ((message: string) => void) | undefined;
  /** The run's masker: every chart's secrets, not only the planned chart's (a values file can hold another chart's value). */
  masker?: Masker | undefined;
}

export async function planCluster(stack: ResolvedStack, flags: CommandFlags & ApiCheckSettings & { command: 'apply' | 'destroy'; strictValues?: boolean | undefined }, o: PlanClusterOptions): Promise<ChartPlan[]> {
  const charts = selectedCharts(stack, o.selection);
  const settings = { ...runSettingsOf(stack, flags), command: flags.command };
  const plans = await planCharts(flags.command === 'destroy' ? [...charts].reverse() : charts, {
    ...o.clients,
    ...settings,
    concurrency: concurrencyFor(stack, o.concurrency),
    apiCheck: apiCheckOf(flags, stack),
    ...(flags.strictValues ? { strictValues: true } : {}),
    ...(o.masker ? { masker: o.masker } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  // The inventory's releases no longer in the stack, after the charts (apply removes them last).
  const notes: string[] = [];
  plans.push(...(await planPrune(stack, settings, { ...o.clients, signal: o.signal, masker: o.masker, note: (message) => notes.push(message) })));
  o.stdout(o.output === 'json' ? formatPlanJson(plans) : `${o.format(plans)}\n`);
  // After the plan: they say why an entry is not there (an old inventory left), never what apply does.
  for (const message of notes) (o.note ?? ((m: string) => o.stdout(o.output === 'json' ? `${JSON.stringify({ type: 'note', message: m })}\n` : `note: ${m}\n`)))(message);
  if (o.out) {
    await savePlan(o.out, { stack: { ...stack, file: stack.file! }, flags, selection: o.selection, server: serverOf(o.clients.kube.config), plans });
    if (o.output !== 'json') o.stdout(`plan saved to ${o.out}: 'helmcycle apply ${o.out}' applies exactly this, and refuses if the stack file, a flag, a release, its drift or a decision changed since\n`);
  }
  return plans;
}
