// `helmcycle types`: a TypeScript declaration of what a chart's values may hold, from its
// values.schema.json, or inferred from its values.yaml where it has none, with its subcharts' under
// their alias, so `values: {...} satisfies WebValues` in a TS config is checked by tsc. Every key is
// optional (a user sets some; `required` applies to the values merged with the defaults). Nothing is
// fetched or read: a $ref outside the schema's own document is replaced by "any value" before
// json-schema-to-typescript sees it, and its own external resolution is turned off as well.
import { compile } from 'json-schema-to-typescript';
import type { ChartModel, JsonSchema } from './chart-model.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A schema inferred from defaults: maps closed to the keys they have, empty maps and nulls open. Pure. */
export function inferSchema(value: unknown): JsonSchema {
  if (value === null || value === undefined) return {};
  if (Array.isArray(value)) return { type: 'array' };
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return { type: 'object' };
    return { type: 'object', properties: Object.fromEntries(keys.map((k) => [k, inferSchema(value[k])])), additionalProperties: false };
  }
  if (typeof value === 'number') return { type: 'number' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  return { type: 'string' };
}

/** The schema with `required` dropped and every $ref that leaves the document replaced by {}. Pure. */
export function localOnly(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(localOnly);
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'required' && Array.isArray(value)) continue;
    if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) {
      out.description = `${typeof node.description === 'string' ? `${node.description} ` : ''}(external schema ${value} not read)`;
      continue;
    }
    // "$id" would make ref resolution relative to a URL.
    if (key === '$id' || key === 'id') continue;
    out[key] = localOnly(value);
  }
  return out;
}

/** Every `global` default of the chart and its subcharts, merged (later charts add keys only). */
function globalsOf(model: ChartModel): Record<string, unknown> {
  const merged: Record<string, unknown> = isObject(model.defaults.global) ? { ...model.defaults.global } : {};
  for (const sub of model.subcharts) for (const [k, v] of Object.entries(globalsOf(sub.model))) if (!(k in merged)) merged[k] = v;
  return merged;
}

/** The schema of one chart's values, its subcharts' laid in under their keys where it says nothing of them. Pure. */
export function valuesSchema(model: ChartModel, top = true): JsonSchema {
  const own = model.schema ? (localOnly(model.schema) as JsonSchema) : inferSchema({ ...model.defaults, ...(top ? { global: globalsOf(model) } : {}) });
  if (model.schema && !isObject(own.properties) && own.type === undefined) return own;
  const properties: Record<string, unknown> = isObject(own.properties) ? { ...own.properties } : {};
  for (const sub of model.subcharts) {
    if (properties[sub.key] !== undefined && model.schema) continue;
    const schema = valuesSchema(sub.model, false);
    const switches = sub.switches.filter((s) => s.startsWith(`${sub.key}.`) && !s.slice(sub.key.length + 1).includes('.')).map((s) => s.slice(sub.key.length + 1));
    const subProperties = { ...(isObject(schema.properties) ? schema.properties : {}), ...Object.fromEntries(switches.map((s) => [s, { type: 'boolean' }])) };
    // What the parent's own defaults put under the subchart's key (inferred) is kept beside the subchart's.
    const parentSide = properties[sub.key];
    const parentProperties = isObject(parentSide) && isObject(parentSide.properties) ? parentSide.properties : {};
    const { global: _global, ...rest } = { ...parentProperties, ...subProperties };
    properties[sub.key] = { ...schema, properties: rest };
  }
  return { ...own, type: own.type ?? 'object', properties };
}

/** "kube-state-metrics" → "KubeStateMetricsValues". Pure. */
export function typeNameOf(release: string): string {
  const words = release.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return `${/^[0-9]/.test(name) ? `Chart${name}` : name}Values`;
}

/** The .d.ts text for one chart of a stack. */
export async function valuesDeclaration(release: string, model: ChartModel): Promise<string> {
  const name = typeNameOf(release);
  const schema = { ...valuesSchema(model), title: name };
  const source = model.schema ? 'values.schema.json' : 'values.yaml (no values.schema.json: inferred)';
  return compile(schema as Parameters<typeof compile>[0], name, {
    bannerComment: `/* Written by \`helmcycle types\` from ${model.name} ${model.version}'s ${source}, for chart '${release}'. Do not edit: run it again. */`,
    additionalProperties: true,
    declareExternallyReferenced: true,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
    unknownAny: true,
    strictIndexSignatures: false,
    // Nothing outside the schema is resolved: localOnly removed external refs, and this refuses any left.
    $refOptions: { resolve: { external: false } },
    cwd: '/nonexistent-helmcycle-types',
  });
}
