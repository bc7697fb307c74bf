// `helmcycle types`: one .d.ts per chart of the stack (values/types-gen.ts), named after the chart's
// release, in one folder. Each chart is read as the values check reads it (local in place, any other
// pulled into a private temporary folder); nothing else is read, nothing is fetched for a schema.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HelmClient } from '../helm/types.js';
import { typeNameOf, valuesDeclaration } from '../values/types-gen.js';
import { chartSpecOf } from './chart-spec-of.js';
import type { ResolvedChart } from './types.js';
import { chartModelOf } from './values-check.js';

export interface WrittenTypes {
  chart: string;
  file: string;
  typeName: string;
  /** Where the type came from: the chart's schema, or its defaults. */
  from: 'values.schema.json' | 'values.yaml';
}

export async function writeValuesTypes(charts: readonly ResolvedChart[], helm: HelmClient, outDir: string, signal?: AbortSignal): Promise<WrittenTypes[]> {
  await mkdir(outDir, { recursive: true });
  const written: WrittenTypes[] = [];
  for (const chart of charts) {
    const spec = chartSpecOf(chart.definition, chart.file);
    if (spec.action === 'destroy') continue;
    const model = await chartModelOf(spec, helm, { ...(signal ? { signal } : {}) });
    const file = join(outDir, `${chart.name}.d.ts`);
    await writeFile(file, await valuesDeclaration(chart.name, model));
    written.push({ chart: chart.name, file, typeName: typeNameOf(chart.name), from: model.schema ? 'values.schema.json' : 'values.yaml' });
  }
  return written;
}
