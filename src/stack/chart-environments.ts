// A chart that is part of the stack only in some environments (`environments: [default, production]`
// on the chart; `default` is the run without --env). Elsewhere the chart is simply not in the stack:
// never deployed, never destroyed, never planned, so a release of that name someone else installed in
// that environment is left alone. A need on a chart left out of the environment is no need there (the
// order it gave has nothing to order). Names that are no environment of the stack are refused, so a typo
// cannot leave a chart out everywhere. Pure.
import { StackConfigError } from '../errors.js';
import type { StackChart, StackDefinition } from './types.js';

/** The run without --env, as a chart's `environments` names it. */
export const BASE_ENVIRONMENT = 'default';

/** The charts that are part of the stack in `environment` (undefined: the base), without the `environments` key. */
export function chartsInEnvironment(definition: StackDefinition, environment: string | undefined, file: string | undefined): StackChart[] {
  const known = new Set([BASE_ENVIRONMENT, ...Object.keys(definition.environments ?? {})]);
  const here = environment ?? BASE_ENVIRONMENT;
  const left = new Set<string>();
  const kept: StackChart[] = [];
  for (const chart of definition.charts) {
    const { environments, ...rest } = chart as StackChart & { environments?: unknown };
    if (environments === undefined) {
      kept.push(chart);
      continue;
    }
    if (!Array.isArray(environments) || environments.some((e) => typeof e !== 'string')) {
      throw new StackConfigError(`chart '${chart.name}': environments is a list of environment names`, { file, chart: chart.name, issues: [{ field: 'environments', message: 'expected a list of strings' }] });
    }
    const unknown = environments.filter((e: string) => !known.has(e));
    if (unknown.length) {
      throw new StackConfigError(`chart '${chart.name}' names environment(s) the stack does not define: ${unknown.join(', ')}`, { file, chart: chart.name, issues: [{ field: 'environments', message: `known: ${[...known].join(', ')} (default is the run without --env)` }] });
    }
    if (environments.includes(here)) kept.push(rest as StackChart);
    else left.add(chart.name);
  }
  if (left.size === 0) return kept;
  for (const name of Object.keys(definition.environments?.[here]?.charts ?? {})) {
    if (left.has(name)) {
      throw new StackConfigError(`environment '${here}' overrides chart '${name}', which is not part of that environment`, { file, chart: name, issues: [{ field: `environments.${here}.charts.${name}`, message: `add '${here}' to the chart's environments, or remove the override` }] });
    }
  }
  return kept.map((chart) => (chart.needs?.some((n) => left.has(n)) ? { ...chart, needs: chart.needs.filter((n) => !left.has(n)) } : chart));
}
