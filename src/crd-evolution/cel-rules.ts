// x-kubernetes-validations rules evaluated with @bufbuild/cel, `self` bound to the node the rule sits
// on, as the API server does. What it cannot evaluate is listed as not checked, never guessed: a
// transition rule (oldSelf: there is no old object before the upgrade), a rule calling a function of
// the Kubernetes CEL libraries (quantity, url, ip, lists, regex, format, authz ...), a rule on a
// field name the API server escapes (__dash__ and friends), or one the parser does not read. Pure.
import { isCelError, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { CelRule, OpenApiSchema } from './openapi-schema.js';
import type { Violation } from './schema-check.js';

/** A rule that was not evaluated, where it sits, and why. */
export interface UncheckedRule {
  /** The schema path of the rule ("spec", "spec.targets[*]"). */
  path: string;
  rule: string;
  reason: string;
}

export interface CelOutcome {
  violations: Violation[];
  unchecked: UncheckedRule[];
}

/** Why a rule is not evaluated at all, or undefined when it is. Pure. */
export function uncheckableReason(rule: string): string | undefined {
  if (/\boldSelf\b/.test(rule)) return 'a transition rule (oldSelf): there is no old object to compare before the upgrade';
  if (/__(dash|dot|slash|underscores)__|__[a-z]+__/.test(rule)) return 'names an escaped field (__dash__ ...)';
  return undefined;
}

const UNEVALUABLE = /unbound function|no such overload|no matching overload|found no matching overload|syntax error|parse error|mismatched input|unsupported/i;

/** The node as CEL sees it: integers of an integer (or int-or-string) field as CEL ints. Pure. */
export function celValue(schema: OpenApiSchema | undefined, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => celValue(schema?.items, item));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema?.properties?.[key] ?? (typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      out[key] = celValue(childSchema, child);
    }
    return out;
  }
  if (typeof value === 'number' && Number.isInteger(value) && (schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'])) return BigInt(value);
  return value;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function evaluate(rule: CelRule, self: unknown): { ok: true } | { ok: false; message: string } | { unevaluable: string } {
  let result: unknown;
  try {
    result = run(rule.rule, { self: self as never }, { funcs: strings });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return UNEVALUABLE.test(text) ? { unevaluable: text } : { ok: false, message: `the rule did not evaluate: ${text}` };
  }
  if (isCelError(result)) return UNEVALUABLE.test(result.message) ? { unevaluable: result.message } : { ok: false, message: `the rule did not evaluate: ${result.message}` };
  if (result === true) return { ok: true };
  if (result === false) return { ok: false, message: rule.message ?? `failed rule: ${rule.rule}` };
  return { unevaluable: `the rule gave ${typeof result}, not a bool` };
}

interface Walk {
  outcome: CelOutcome;
  /** Unchecked rules by schema path and rule, each once whatever number of nodes it sits on. */
  uncheckedSeen: Set<string>;
}

function noteUnchecked(walk: Walk, schemaPath: string, rule: string, reason: string): void {
  const key = `${schemaPath}\0${rule}`;
  if (walk.uncheckedSeen.has(key)) return;
  walk.uncheckedSeen.add(key);
  walk.outcome.unchecked.push({ path: schemaPath, rule, reason });
}

function visit(walk: Walk, schema: OpenApiSchema, value: unknown, path: string, schemaPath: string): void {
  if (value === undefined || value === null) return;
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    const skip = uncheckableReason(rule.rule);
    if (skip) {
      noteUnchecked(walk, schemaPath, rule.rule, skip);
      continue;
    }
    const result = evaluate(rule, celValue(schema, value));
    if ('unevaluable' in result) noteUnchecked(walk, schemaPath, rule.rule, `not evaluable here: ${result.unevaluable}`);
    else if (!result.ok) {
      const at = rule.fieldPath ? join(path, rule.fieldPath.replace(/^\./, '')) : path;
      walk.outcome.violations.push({ path: at, rule: `x-kubernetes-validations: ${rule.rule}`, message: result.message });
    }
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => visit(walk, schema.items!, item, `${path}[${i}]`, `${schemaPath}[*]`));
    return;
  }
  if (typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const known = schema.properties?.[key];
    if (known) visit(walk, known, child, join(path, key), join(schemaPath, key));
    else if (typeof schema.additionalProperties === 'object') visit(walk, schema.additionalProperties, child, join(path, key), join(schemaPath, '*'));
  }
}

/** Every x-kubernetes-validations rule of `schema` on the nodes of `object` that are there. */
export function celViolations(schema: OpenApiSchema, object: unknown): CelOutcome {
  const walk: Walk = { outcome: { violations: [], unchecked: [] }, uncheckedSeen: new Set() };
  visit(walk, schema, object, '', '');
  return walk.outcome;
}

/** Every rule of a schema that can never be evaluated here (whatever the objects), by schema path. Pure. */
export function uncheckableRules(schema: OpenApiSchema, schemaPath = ''): UncheckedRule[] {
  const own = (schema['x-kubernetes-validations'] ?? []).flatMap((rule) => {
    const reason = uncheckableReason(rule.rule);
    return reason ? [{ path: schemaPath, rule: rule.rule, reason }] : [];
  });
  const children = [
    ...Object.entries(schema.properties ?? {}).map(([key, child]) => uncheckableRules(child, join(schemaPath, key))),
    ...(schema.items ? [uncheckableRules(schema.items, `${schemaPath}[*]`)] : []),
    ...(typeof schema.additionalProperties === 'object' ? [uncheckableRules(schema.additionalProperties, join(schemaPath, '*'))] : []),
  ];
  return [...own, ...children.flat()];
}
