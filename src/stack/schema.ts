// The stack file's schema. It checks the stack's own shape (names, needs, environments); each chart's
// fields are checked by the chart spec schema once defaults are applied, so an error names the chart.
// The JSON Schema published for helmcycle.yaml is generated from `stackFileDocumentationSchema`.
import { z } from 'zod';
import { argvText } from '../config/argv-fields.js';
import { chartSpecFields, refineChartSpec } from '../config/chart-spec.js';
import { KUBE_VERSION_HINT, KUBE_VERSION_PATTERN } from '../upgrade/kube-version.js';

const chartName = z.string().min(1, 'a chart needs a name');

/** A Kubernetes version plan checks removed and deprecated APIs against (src/upgrade/). */
const kubeVersion = z.string().regex(KUBE_VERSION_PATTERN, KUBE_VERSION_HINT);

const targetName = z.string().regex(/^[\w.-]+$/, 'a target name is letters, digits, dots, dashes and underscores');
/** One cluster of the fleet the stack is applied to (see src/fleet/). */
export const targetSchema = z.strictObject({
  name: targetName.describe('The target, as --targets and the output name it.'),
  // Both reach helm's argv (as --kube-context=... and --kubeconfig=...), where no NUL can go.
  kubeContext: argvText.min(1).optional().describe("A context of the kubeconfig (the target's own, else the run's)."),
  kubeconfig: argvText.min(1).optional().describe("A kubeconfig file of the target's own, relative to the stack file."),
  labels: z.record(z.string(), z.string()).optional().describe('Labels that -t key=value selects the target by.'),
  environment: z.string().min(1).optional().describe('The stack environment this target runs with (instead of --env).'),
  wave: z.string().min(1).optional().describe('One of fleet.waves; a wave starts once the one before has finished.'),
  prune: z.boolean().optional().describe("apply: uninstall the releases this stack deployed (its inventory) that are no longer in the stack, in reverse dependency order (as --prune); never a release the inventory does not list."),
  kubeVersion: kubeVersion.optional().describe("The Kubernetes version plan checks this target's manifests against for removed and deprecated APIs (--kube-version wins; default: the stack's, else the server's)."),
});
const failureBudget = z.union([
  z.number().int().min(0),
  z.string().regex(/^\d+(\.\d+)?%$/, "a percent such as '10%'"),
]);
/** How the targets run: how many at once, how many may fail, and in which waves. */
export const fleetSchema = z.strictObject({
  parallel: z.number().int().min(1).max(64).optional().describe('How many targets run at once (default 4).'),
  failureBudget: failureBudget.optional().describe("How many targets may fail (a count, or a percent such as '10%') before no new one starts (default 0)."),
  waves: z.array(z.string().min(1)).optional().describe('Wave names in run order; targets without a wave run last.'),
});

const { name: _name, chart: _chart, ...defaultableFields } = chartSpecFields;

/**
 * Defaults are checked as what they are, before they are laid over any chart: a typo or a wrong type in
 * `defaults` is the defaults' error (`defaults.atmic`), not the first chart's, and `name` (which every
 * chart sets for itself, so a default could never apply) is refused instead of passing silently.
 */
export const chartDefaultsSchema = z.strictObject(defaultableFields).partial();
/** An environment's override of one chart: any spec field but the name it is found by. */
export const chartOverrideSchema = z.strictObject({ ...defaultableFields, chart: chartSpecFields.chart }).partial();

const notInDefaults = (field: string, why: string) => z.never({ error: `${field} cannot be a default: ${why}` }).optional();
const shapeDefaults = chartDefaultsSchema.extend({
  name: notInDefaults('name', 'every chart sets its own, so it would apply to none'),
  chart: notInDefaults('chart', 'each chart names its own chart'),
});
const shapeOverride = chartOverrideSchema.extend({
  name: notInDefaults('name', 'the override is found by the chart name it is written under'),
});

/** The stack's shape: what is checked before any chart is merged with its defaults. */
export const stackShapeSchema = z.strictObject({
  /** Editors read it (yaml-language-server); helmcycle ignores it. */
  $schema: z.string().optional(),
  name: z.string().min(1).optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  rollbackStackOnFailure: z.boolean().optional(),
  ignoreDrift: z.boolean().optional(),
  prune: z.boolean().optional(),
  kubeVersion: kubeVersion.optional(),
  defaults: shapeDefaults.optional(),
  targets: z.array(targetSchema).optional(),
  fleet: fleetSchema.optional(),
  resolvers: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a scheme is lowercase letters, digits and dashes'), z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', { error: 'a resolver is a function (async (ref) => value), so resolvers are written in a TypeScript stack' }))
    .optional(),
  environments: z
    .record(
      z.string().regex(/^[\w.-]+$/, 'an environment name is letters, digits, dots, dashes and underscores'),
      z.strictObject({
        defaults: shapeDefaults.optional(),
        charts: z.record(z.string(), shapeOverride).optional(),
      }),
    )
    .optional(),
  charts: z
    .array(z.looseObject({ name: chartName, needs: z.array(chartName).optional(), environments: z.array(z.string()).optional() }))
    .min(1, 'a stack needs at least one chart'),
});

/** For editors and docs: the full stack file, chart fields included. */
export const stackFileDocumentationSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().optional().describe('The stack name, shown in output and reports.'),
  concurrency: z.number().int().min(1).max(64).optional().describe('How many charts may run at once.'),
  rollbackStackOnFailure: z.boolean().optional().describe('apply: when a chart fails for good, put back every release the run changed, in reverse dependency order (the CLI flag wins).'),
  ignoreDrift: z.boolean().optional().describe('Do not compare live objects with the deployed manifests: plan shows no drift, apply repairs none (as --ignore-drift).'),
  kubeVersion: kubeVersion.optional().describe('The Kubernetes version plan checks manifests against for removed and deprecated APIs (--kube-version wins; default: the server\'s).'),
  targets: z.array(targetSchema).optional().describe('The clusters apply, plan, status, destroy and validate run across.'),
  fleet: fleetSchema.optional().describe('How the targets run.'),
  defaults: chartDefaultsSchema.optional().describe('Spec fields applied to every chart unless it sets them.'),
  environments: z
    .record(
      z.string(),
      z.strictObject({
        defaults: chartDefaultsSchema.optional(),
        charts: z.record(z.string(), chartOverrideSchema).optional(),
      }),
    )
    .optional()
    .describe('Overrides selected with --env.'),
  charts: z.array(
    z
      .strictObject({
        ...chartSpecFields,
        needs: z.array(z.string()).optional().describe('Charts that must succeed first.'),
        environments: z.array(z.string()).optional().describe('Only in these environments is the chart part of the stack (`default` is the run without --env); elsewhere it is neither deployed nor destroyed.'),
      })
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
