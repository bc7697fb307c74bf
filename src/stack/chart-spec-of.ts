// The validated spec inside a stack chart's definition (its phases, checks, migrations and needs set
// aside by the one split in lifecycle/definition.ts).
import type { ChartSpec } from '../config/chart-spec.js';
import { parseDefinition } from '../lifecycle/definition.js';
import type { StackChart } from './types.js';

export function chartSpecOf(definition: StackChart, file?: string): ChartSpec {
  return parseDefinition(definition, { file }).spec;
}
