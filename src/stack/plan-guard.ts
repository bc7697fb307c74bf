// The stack `apply FILE` runs: the saved plan's charts, each held to what the plan saw. Two things make
// the run do exactly what the plan showed:
//  - the chart version is pinned to the one plan resolved (a range such as ^1.2 could resolve to a newer
//    chart published since); a local chart is covered by its files' fingerprint instead;
//  - before preExec, once this run holds the release's lease and has read the release again, the chart
//    refuses (StalePlanError, nothing changed) when the release is no longer the revision and status the
//    plan saw: another run may have changed it between apply's up-front check and this chart's turn.
// The rest is the ordinary apply; its decision (decide.ts) is a pure function of those same inputs.
import { isLocalChart } from '../lifecycle/requests.js';
import type { ChartPayload, Phase } from '../lifecycle/types.js';
import { chartSpecOf } from './chart-spec-of.js';
import { releaseMoved, seenOf, StalePlanError, type SavedChartPlan, type SavedPlan } from './plan-file.js';
import type { ResolvedChart, ResolvedStack, StackChart } from './types.js';

/** A preExec that first checks the release against the plan, then runs the chart's own (or the default). */
export function guardedPreExec(saved: Pick<SavedChartPlan, 'chart' | 'release'>, planFile: string, own: Phase<ChartPayload> | undefined): Phase<ChartPayload> {
  return async (ctx, payload) => {
    const now = seenOf(await ctx.helm.status({ release: ctx.spec.name, namespace: ctx.spec.namespace }, { signal: ctx.signal }));
    const moved = releaseMoved(saved.chart, saved.release, now);
    if (moved) throw new StalePlanError(planFile, [moved], saved.chart);
    return own ? own(ctx, payload) : ctx.defaults.preExec(ctx, payload);
  };
}

/** A chart's definition for apply FILE. Pure. */
export function guardedDefinition(chart: ResolvedChart, saved: SavedChartPlan, plan: Pick<SavedPlan, 'command'>, planFile: string): StackChart {
  const definition = chart.definition;
  const spec = chartSpecOf(definition, chart.file);
  const pin = plan.command === 'apply' && saved.targetVersion && !isLocalChart(spec) ? { version: saved.targetVersion } : {};
  return { ...definition, ...pin, lifecycle: { ...definition.lifecycle, preExec: guardedPreExec(saved, planFile, definition.lifecycle?.preExec) } };
}

/** The stack with every chart of the plan guarded; charts outside the plan are left as they are (the selection leaves them out). */
export function guardedStack(stack: ResolvedStack, plan: SavedPlan, planFile: string): ResolvedStack {
  const byName = new Map(plan.charts.map((c) => [c.chart, c]));
  return {
    ...stack,
    charts: stack.charts.map((chart) => {
      const saved = byName.get(chart.name);
      return saved ? { ...chart, definition: guardedDefinition(chart, saved, plan, planFile) } : chart;
    }),
  };
}
