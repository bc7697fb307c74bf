// The stack `apply FILE` runs: the saved plan's charts, each held to what the plan decided. Two things
// make the run do exactly what the plan showed:
//  - the chart version is pinned to the one plan resolved (a range such as ^1.2 could resolve to a newer
//    chart published since); a local chart is covered by its files' fingerprint instead;
//  - before preExec, once this run holds the release's lease, the chart decides again (decideChart, the
//    path plan took) and refuses (StalePlanError, nothing changed) when the release, its drift or the
//    decision is no longer what the plan saw: another run or a hand edit may have moved it between
//    apply's up-front check and this chart's turn.
// The rest is the ordinary apply, whose exec makes that same decision (decide-release.ts).
import type { HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { isLocalChart } from '../lifecycle/requests.js';
import type { ChartPayload, Phase } from '../lifecycle/types.js';
import { chartSpecOf, type RunSettings } from './chart-spec-of.js';
import { decideChart } from './plan-decision.js';
import { decisionMoved, seenDriftOf, seenOf, StalePlanError, type CurrentDecision, type SavedChartPlan, type SavedPlan } from './plan-file.js';
import type { ResolvedChart, ResolvedStack, StackChart } from './types.js';

/** The settings a saved plan's run decides with: the stack's and the plan's flags, folded (runSettingsOf). */
export type GuardSettings = Pick<RunSettings, 'forceUpgrade' | 'ignoreDrift'> & { command: 'apply' | 'destroy' };

/** A chart's decision now, in the terms a saved plan records. */
export async function currentDecision(chart: ResolvedChart, settings: GuardSettings, clients: { helm: HelmClient; kube: KubeClient; signal?: AbortSignal | undefined }): Promise<CurrentDecision> {
  const decided = await decideChart(chart, { ...clients, ...settings, ...(clients.signal ? { signal: clients.signal } : {}) });
  return { release: seenOf(decided.found), action: decided.action, deploy: decided.deploy, drift: seenDriftOf(decided.drift) };
}

/** A preExec that first decides again and holds it against the plan, then runs the chart's own (or the default). */
export function guardedPreExec(chart: ResolvedChart, saved: SavedChartPlan, settings: GuardSettings, planFile: string, own: Phase<ChartPayload> | undefined): Phase<ChartPayload> {
  return async (ctx, payload) => {
    const moved = decisionMoved(saved, await currentDecision(chart, settings, { helm: ctx.helm, kube: ctx.kube, signal: ctx.signal }));
    if (moved.length) throw new StalePlanError(planFile, moved, saved.chart);
    return own ? own(ctx, payload) : ctx.defaults.preExec(ctx, payload);
  };
}

/** The chart with the version plan resolved pinned (a local chart is not: its files are fingerprinted). Pure. */
export function pinnedChart(chart: ResolvedChart, saved: SavedChartPlan, plan: Pick<SavedPlan, 'command'>): ResolvedChart {
  const spec = chartSpecOf(chart.definition, chart.file);
  if (plan.command !== 'apply' || !saved.targetVersion || isLocalChart(spec)) return chart;
  return { ...chart, definition: { ...chart.definition, version: saved.targetVersion } };
}

/** A chart's definition for apply FILE: pinned, and guarded before preExec. Pure. */
export function guardedDefinition(chart: ResolvedChart, saved: SavedChartPlan, plan: Pick<SavedPlan, 'command'>, settings: GuardSettings, planFile: string): StackChart {
  const pinned = pinnedChart(chart, saved, plan);
  const definition = pinned.definition;
  return { ...definition, lifecycle: { ...definition.lifecycle, preExec: guardedPreExec(pinned, saved, settings, planFile, definition.lifecycle?.preExec) } };
}

/** The stack with every chart of the plan guarded; charts outside the plan are left as they are (the selection leaves them out). */
export function guardedStack(stack: ResolvedStack, plan: SavedPlan, settings: GuardSettings, planFile: string): ResolvedStack {
  const byName = new Map(plan.charts.map((c) => [c.chart, c]));
  return {
    ...stack,
    charts: stack.charts.map((chart) => {
      const saved = byName.get(chart.name);
      return saved ? { ...chart, definition: guardedDefinition(chart, saved, plan, settings, planFile) } : chart;
    }),
  };
}
