// A chart definition is the spec (data, checked by the chart spec schema) plus code and wiring that are
// not spec: the phases it replaces, its checks, its health functions, its migrations and, in a stack,
// the charts it needs.
// This is the one place that tells them apart: the runner, the stack loader, plan, status and the CLI all
// split a definition here, so a key added to one list cannot be forgotten in another. Pure.
import semver from 'semver';
import { z } from 'zod';
import { SpecError, type SpecIssue } from '../errors.js';
import type { ChartSpec } from '../config/chart-spec.js';
import { formatFieldPath, parseChartSpec } from '../config/parse.js';
import { specIssuesOf } from '../config/unknown-keys.js';
import type { Migration } from './migrations.js';
import { HEALTH_KEY_PATTERN } from '../health/health-key.js';
import type { HealthFunctions } from '../health/types.js';
import type { ManifestTransform } from './transform.js';
import { PHASES, type ChartDefinition, type ChartPayload, type CustomCheck, type Lifecycle } from './types.js';

/** The keys of a definition that are not chart spec fields. */
export const DEFINITION_KEYS = ['lifecycle', 'checks', 'health', 'migrations', 'needs', 'transform'] as const;
export type DefinitionKey = (typeof DEFINITION_KEYS)[number];

export interface DefinitionParts<P extends ChartPayload = ChartPayload> {
  /** Every other key, unchecked: parseChartSpec checks it. */
  spec: Record<string, unknown>;
  lifecycle: Partial<Lifecycle<P>>;
  checks: CustomCheck<P>[];
  /** The chart's own health functions by group/kind, over the built-in rules (health/health-of.ts). */
  health: HealthFunctions;
  migrations: Migration<P>[];
  needs: string[];
  /** Changes the rendered objects before helm applies, dry-runs or prints them (transform.ts). */
  transform: ManifestTransform | undefined;
}

/** A definition as a stack or runChart may receive it: `needs` is a stack's, tolerated everywhere. */
export type AnyDefinition<P extends ChartPayload = ChartPayload> = ChartDefinition<P> & { needs?: string[] };

export function splitDefinition<P extends ChartPayload>(definition: AnyDefinition<P>): DefinitionParts<P> {
  const { lifecycle, checks, health, migrations, needs, transform, ...spec } = definition;
  return { spec, lifecycle: lifecycle ?? {}, checks: checks ?? [], health: health ?? {}, migrations: migrations ?? [], needs: needs ?? [], transform };
}

/** The definition again, from a (possibly changed) spec and the parts; empty parts are left out. */
export function joinDefinition<P extends ChartPayload>(spec: Record<string, unknown>, parts: Omit<DefinitionParts<P>, 'spec'>): AnyDefinition<P> {
  return {
    ...(spec as ChartDefinition<P>),
    ...(Object.keys(parts.lifecycle).length ? { lifecycle: parts.lifecycle } : {}),
    ...(parts.checks.length ? { checks: parts.checks } : {}),
    ...(Object.keys(parts.health).length ? { health: parts.health } : {}),
    ...(parts.migrations.length ? { migrations: parts.migrations } : {}),
    ...(parts.needs.length ? { needs: parts.needs } : {}),
    ...(parts.transform ? { transform: parts.transform } : {}),
  };
}

// The code parts are checked for shape, so a YAML file that writes `lifecycle:` or `migrations:` as data
// (or a TypeScript one that misspells a phase) is bad input at load time, not a crash in the middle of a run.
const fn = (what: string) => z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', `expected a function (${what} is TypeScript: write the stack as helmcycle.config.ts)`);
const range = z.string().refine((v) => semver.validRange(v) !== null, 'expected a semver range, e.g. <45.0.0');

const partsSchema = z.object({
  lifecycle: z.strictObject(Object.fromEntries(PHASES.map((phase) => [phase, fn('a phase').optional()]))),
  checks: z.array(
    z.strictObject({
      name: z.string().min(1),
      run: fn('a check'),
      on: z.enum(['deploy', 'destroy', 'both']).optional(),
    }),
  ),
  health: z.record(z.string(), fn('a health function')).superRefine((functions, ctx) => {
    for (const key of Object.keys(functions)) {
      if (!HEALTH_KEY_PATTERN.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'expected a group/Kind key, e.g. example.com/Widget (the core group: the Kind alone, e.g. Service)' });
    }
  }),
  migrations: z.array(
    z.strictObject({
      name: z.string().min(1),
      from: range,
      to: range.optional(),
      steps: z.array(z.strictObject({ name: z.string().min(1), run: fn('a migration step'), undo: fn('an undo').optional() })).min(1, 'a migration needs at least one step'),
    }),
  ),
  needs: z.array(z.string().min(1)),
  transform: fn('a transform'),
}).partial();

/** What is wrong with the code parts, field paths as a user writes them (`checks[0].run`). */
export function definitionPartIssues(definition: Record<string, unknown>): SpecIssue[] {
  const present = Object.fromEntries(DEFINITION_KEYS.filter((k) => Object.hasOwn(definition, k) && definition[k] !== undefined).map((k) => [k, definition[k]]));
  const result = partsSchema.safeParse(present);
  if (result.success) return [];
  return specIssuesOf(result.error, partsSchema, formatFieldPath);
}

export interface ParsedDefinition<P extends ChartPayload = ChartPayload> extends Omit<DefinitionParts<P>, 'spec'> {
  spec: ChartSpec;
}

/**
 * Splits a definition and checks both halves: the spec by the chart spec schema, the code parts by shape.
 * One SpecError lists every issue of both, naming the chart and the file.
 */
export function parseDefinition<P extends ChartPayload>(definition: AnyDefinition<P>, options: { file?: string | undefined } = {}): ParsedDefinition<P> {
  const parts = splitDefinition(definition);
  const partIssues = definitionPartIssues(definition as unknown as Record<string, unknown>);
  const file = options.file ? { file: options.file } : {};
  let spec: ChartSpec;
  try {
    spec = parseChartSpec(parts.spec, { ...file, alsoKnown: DEFINITION_KEYS });
  } catch (error) {
    if (error instanceof SpecError && partIssues.length > 0) throw new SpecError(error.chart ?? '(unnamed)', [...error.issues, ...partIssues], options.file);
    throw error;
  }
  if (partIssues.length > 0) throw new SpecError(spec.name, partIssues, options.file);
  return { ...parts, spec };
}
