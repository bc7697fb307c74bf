// helmfile environments as helmcycle environments. helmfile's environment values are template inputs;
// the import resolves the plain references to them in each release (templates.ts), so an environment
// becomes what it changes: per chart, the fields whose resolved value differs from the default
// environment's, as `environments.<env>.charts.<name>`. Pure.
import { isDeepStrictEqual } from 'node:util';
import type { StackChartData } from './convert-release.js';
import type { NotConverted } from './not-converted.js';
import { shown } from './quote.js';

/** Fields an override lists in full when they differ (they accumulate in helmcycle: the env's extra items are added). */
const ACCUMULATING = ['values', 'valuesFiles', 'secretValuesFiles'] as const;
/** Fields merged key by key: the override holds the keys that differ. */
const KEYED = ['set', 'setString', 'setSensitive', 'labels'] as const;

/** What an environment's chart changes from the base chart, or undefined when nothing. */
export function overrideOf(base: StackChartData, env: StackChartData): StackChartData | undefined {
  const out: StackChartData = {};
  for (const key of new Set([...Object.keys(base), ...Object.keys(env)])) {
    if (key === 'name' || isDeepStrictEqual(base[key], env[key])) continue;
    if ((ACCUMULATING as readonly string[]).includes(key)) {
      const before = (base[key] as unknown[] | undefined) ?? [];
      const extra = ((env[key] as unknown[] | undefined) ?? []).filter((item) => !before.some((b) => isDeepStrictEqual(b, item)));
      if (extra.length) out[key] = extra;
    } else if ((KEYED as readonly string[]).includes(key)) {
      const before = (base[key] as Record<string, unknown> | undefined) ?? {};
      const changed = Object.fromEntries(Object.entries((env[key] as Record<string, unknown> | undefined) ?? {}).filter(([k, v]) => !isDeepStrictEqual(before[k], v)));
      if (Object.keys(changed).length) out[key] = changed;
    } else if (key === 'action' && env[key] === undefined) {
      out[key] = 'deploy';
    } else if (env[key] !== undefined) {
      out[key] = env[key];
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** The values of an environment, its maps merged in order (later wins, maps deeply), its files as given. */
export function mergeValues(layers: readonly unknown[]): Record<string, unknown> {
  const merge = (a: unknown, b: unknown): unknown => {
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b)) out[k] = Object.hasOwn(out, k) ? merge(out[k], v) : v;
      return out;
    }
    return b;
  };
  return layers.reduce<Record<string, unknown>>((acc, layer) => merge(acc, layer ?? {}) as Record<string, unknown>, {});
}

/**
 * An environment's overrides: per chart, what its rendering changes, and the charts it does not render
 * (`absent`: the caller leaves them out of that environment, never destroys them, as helmfile leaves such
 * a release alone), unless the import left one out there itself (`refused`, listed already) or could not
 * render all of the environment (`incomplete`): then it is unknown there, and listed, never destroyed.
 */
export function environmentOverrides(
  kept: readonly { chart: StackChartData; field: string }[],
  resolved: ReadonlyMap<string, { chart: StackChartData }>,
  environment: string,
  refused: readonly string[],
  incomplete: boolean,
  note: (item: NotConverted) => void,
): { overrides: Record<string, StackChartData>; absent: string[] } {
  const overrides: Record<string, StackChartData> = {};
  const absent: string[] = [];
  for (const converted of kept) {
    const name = converted.chart.name as string;
    const envChart = resolved.get(name)?.chart;
    if (!envChart) {
      if (refused.includes(name)) continue;
      if (incomplete) {
        note({ topic: 'releases', field: converted.field, what: `release '${shown(name)}' is not known in environment '${environment}' (a document could not be rendered there: listed above)`, instead: `no override is written: check environments.${environment}.charts.${shown(name)} by hand` });
        continue;
      }
      absent.push(name);
      continue;
    }
    const override = overrideOf(converted.chart, envChart);
    // helmcycle adds an environment's values and secrets files to the chart's; a default file the environment
    // replaces still applies (for a secrets file: decrypted there too, with its keys under the environment's).
    for (const [field, helmfileField, what] of [['valuesFiles', 'values', 'values'], ['secretValuesFiles', 'secrets', 'secrets']] as const) {
      const replaced = ((converted.chart[field] as string[] | undefined) ?? []).filter((f) => !((envChart[field] as string[] | undefined) ?? []).includes(f));
      if (replaced.length) {
        note({ field: `${converted.field}.${helmfileField}`, what: `in environment '${environment}', the ${what} file(s) ${shown(replaced.join(', '))} of the default environment are replaced, not added to`, instead: `helmcycle applies them too, before environments.${environment}.charts.${name}.${field}: move what differs into that environment's file, or build ${field} per environment in a TypeScript stack` });
      }
    }
    if (override) overrides[name] = override;
  }
  return { overrides, absent };
}
