// Applying defaults and environment overrides to a chart. Pure. Lists of values accumulate (later
// sources win inside helm, as later values files do); maps of set-values and labels merge key by key;
// any other field is replaced by the later source.
import type { ChartSpecInput } from '../config/chart-spec.js';

type Layer = Record<string, unknown>;

const LIST_FIELDS = new Set(['values', 'valuesFiles', 'yamlFilesContent', 'secretValuesFiles', 'secretValues']);
const MAP_FIELDS = new Set(['set', 'setString', 'setJson', 'setSensitive', 'labels']);

function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Lays `over` on `base` by the rules above. */
export function mergeLayer(base: Layer, over: Layer): Layer {
  const out: Layer = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    if (LIST_FIELDS.has(key)) out[key] = [...asList(base[key]), ...asList(value)];
    else if (MAP_FIELDS.has(key) && isRecord(value) && isRecord(base[key])) out[key] = { ...(base[key] as Layer), ...value };
    else out[key] = value;
  }
  return out;
}

function isRecord(value: unknown): value is Layer {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** stack defaults ← environment defaults ← the chart ← the environment's override of that chart. */
export function layerChart<T extends Layer>(chart: T, layers: { defaults?: Layer; envDefaults?: Layer; envChart?: Layer }): T {
  const below = mergeLayer(layers.defaults ?? {}, layers.envDefaults ?? {});
  const merged = mergeLayer(mergeLayer(below, chart), layers.envChart ?? {});
  return merged as T;
}

export type { ChartSpecInput };
