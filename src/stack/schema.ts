// The stack file's schema. It checks the stack's own shape (names, needs, environments); each chart's
// fields are checked by the chart spec schema once defaults are applied, so an error names the chart.
// The JSON Schema published for helmcycle.yaml is generated from `stackFileDocumentationSchema`.
import { z } from 'zod';
import { chartSpecFields, refineChartSpec } from '../config/chart-spec.js';

const chartName = z.string().min(1, 'a chart needs a name');

/** The stack's shape: what is checked before any chart is merged with its defaults. */
export const stackShapeSchema = z.strictObject({
  /** Editors read it (yaml-language-server); helmcycle ignores it. */
  $schema: z.string().optional(),
  name: z.string().min(1).optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  defaults: z.record(z.string(), z.unknown()).optional(),
  environments: z
    .record(
      z.string().regex(/^[\w.-]+$/, 'an environment name is letters, digits, dots, dashes and underscores'),
      z.strictObject({
        defaults: z.record(z.string(), z.unknown()).optional(),
        charts: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      }),
    )
    .optional(),
  charts: z
    .array(z.looseObject({ name: chartName, needs: z.array(chartName).optional() }))
    .min(1, 'a stack needs at least one chart'),
});

const { name: _name, chart: _chart, ...defaultableFields } = chartSpecFields;

/** For editors and docs: the full stack file, chart fields included. */
export const stackFileDocumentationSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().optional().describe('The stack name, shown in output and reports.'),
  concurrency: z.number().int().min(1).max(64).optional().describe('How many charts may run at once.'),
  defaults: z.strictObject(defaultableFields).partial().optional().describe('Spec fields applied to every chart unless it sets them.'),
  environments: z
    .record(
      z.string(),
      z.strictObject({
        defaults: z.strictObject(defaultableFields).partial().optional(),
        charts: z.record(z.string(), z.strictObject(chartSpecFields).partial()).optional(),
      }),
    )
    .optional()
    .describe('Overrides selected with --env.'),
  charts: z.array(
    z
      .strictObject({ ...chartSpecFields, needs: z.array(z.string()).optional().describe('Charts that must succeed first.') })
      .superRefine(refineChartSpec),
  ),
});

export function stackJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://helmcycle.dev/schema/helmcycle.schema.json',
    title: 'helmcycle stack',
    ...z.toJSONSchema(stackFileDocumentationSchema, { io: 'input', unrepresentable: 'any' }),
  };
}
