// Which of the values a user sets a chart knows about, from its files alone (chart-model.ts). A key is
// known when the chart's defaults have it (or an empty map, or a null, above it: a free-form block such
// as `resources: {}` that templates pass on whole with toYaml), or when the schema names it (properties,
// patternProperties, an additionalProperties schema). A key the schema forbids (additionalProperties:
// false) is not allowed. Anything else is a suspect, which only a render can judge (render-check.ts).
// Subcharts' values are judged under their key by their own files, and the parent's; `global` by every
// chart's defaults. Pure.
import type { ChartModel, JsonSchema } from './chart-model.js';

export type Verdict = 'known' | 'not-allowed' | 'suspect';
export type ValuePath = readonly string[];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every leaf of a values object: scalars, arrays and empty maps end a path. */
export function leafPaths(values: Record<string, unknown>, prefix: string[] = []): string[][] {
  const paths: string[][] = [];
  for (const [key, value] of Object.entries(values)) {
    const path = [...prefix, key];
    if (isObject(value) && Object.keys(value).length > 0) paths.push(...leafPaths(value, path));
    else paths.push(path);
  }
  return paths;
}

/** A path as helm's --set writes it: dots inside a key escaped. */
export function formatPath(path: ValuePath): string {
  return path.map((segment) => segment.replace(/\./g, '\\.')).join('.');
}

/** True when the defaults hold the path, or a free-form block (an empty map, a null) above it. */
export function defaultsKnow(defaults: unknown, path: ValuePath): boolean {
  let node: unknown = defaults;
  for (const [index, segment] of path.entries()) {
    if (node === null || node === undefined) return index > 0;
    if (!isObject(node)) return false;
    // An empty map below the top is a block left to the user; an empty values.yaml says nothing.
    if (Object.keys(node).length === 0) return index > 0;
    if (!Object.hasOwn(node, segment)) return false;
    node = node[segment];
  }
  return true;
}

/** A `#/...` pointer inside the same document; any other $ref is left alone (never fetched). */
function resolveLocal(root: JsonSchema, node: JsonSchema, seen = 0): JsonSchema | undefined {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  if (!ref.startsWith('#') || seen > 16) return undefined;
  let target: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    target = isObject(target) ? target[key] : undefined;
  }
  return isObject(target) ? resolveLocal(root, { ...node, ...target, $ref: target.$ref }, seen + 1) : undefined;
}

type SchemaVerdict = 'known' | 'not-allowed' | 'silent';

/** What a schema says about a path below one of its nodes. */
function schemaSays(root: JsonSchema, start: JsonSchema, path: ValuePath): SchemaVerdict {
  const node = resolveLocal(root, start);
  if (!node) return 'silent';
  if (path.length === 0) return 'known';
  const branches = ['allOf', 'anyOf', 'oneOf'].flatMap((k) => (Array.isArray(node[k]) ? (node[k] as unknown[]).filter(isObject) : []));
  const [segment, ...rest] = path as [string, ...string[]];
  const own = ((): SchemaVerdict => {
    const properties = isObject(node.properties) ? node.properties : {};
    if (isObject(properties[segment])) return schemaSays(root, properties[segment], rest);
    const patterns = isObject(node.patternProperties) ? node.patternProperties : {};
    for (const [pattern, schema] of Object.entries(patterns)) {
      let matches = false;
      try {
        matches = new RegExp(pattern, 'u').test(segment);
      } catch {
        continue;
      }
      if (matches && isObject(schema)) return schemaSays(root, schema, rest);
    }
    if (node.additionalProperties === false) return 'not-allowed';
    if (isObject(node.additionalProperties)) return schemaSays(root, node.additionalProperties, rest);
    return 'silent';
  })();
  if (own === 'known' || branches.length === 0) return own;
  const said = branches.map((b) => schemaSays(root, b, path));
  if (said.includes('known')) return 'known';
  // allOf: any branch forbidding it forbids it; anyOf/oneOf: only when every branch does.
  if (own === 'not-allowed' || said.every((s) => s === 'not-allowed')) return 'not-allowed';
  return 'silent';
}

/** Every chart's `global` defaults, the parent's and its subcharts', to any depth. */
function globalsOf(model: ChartModel): unknown[] {
  const own = isObject(model.defaults.global) ? [model.defaults.global] : [];
  return [...own, ...model.subcharts.flatMap((s) => globalsOf(s.model))];
}

/** The chart's verdict on one path of the values a user sets. */
export function judgePath(model: ChartModel, path: ValuePath): Verdict {
  const schema = model.schema ? schemaSays(model.schema, model.schema, path) : 'silent';
  if (schema === 'known' || defaultsKnow(model.defaults, path)) return 'known';
  const [head, ...rest] = path;
  if (head === 'global' && globalsOf(model).some((g) => defaultsKnow(g, rest))) return 'known';
  const verdicts: Verdict[] = [];
  for (const sub of model.subcharts.filter((s) => s.key === head)) {
    if (sub.switches.includes(formatPath(path))) return 'known';
    verdicts.push(judgePath(sub.model, rest));
  }
  if (verdicts.includes('known')) return 'known';
  if (schema === 'not-allowed' || (verdicts.length > 0 && verdicts.every((v) => v === 'not-allowed'))) return 'not-allowed';
  if (model.subcharts.some((s) => s.switches.includes(formatPath(path)))) return 'known';
  return 'suspect';
}
