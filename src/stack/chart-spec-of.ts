// The validated spec inside a stack chart's definition (its phases, checks and needs set aside).
import type { ChartSpec } from '../config/chart-spec.js';
import { parseChartSpec } from '../config/parse.js';
import type { StackChart } from './types.js';

export function chartSpecOf(definition: StackChart, file?: string): ChartSpec {
  const { lifecycle: _lifecycle, checks: _checks, needs: _needs, ...spec } = definition;
  return parseChartSpec(spec, file ? { file } : {});
}
