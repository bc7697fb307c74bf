// A CRD version's structural OpenAPI v3 schema as the JSON Schema ajv checks. The two dialects differ
// where it matters for a true answer: OpenAPI 3.0's `nullable` and boolean `exclusiveMinimum`, the
// x-kubernetes-* extensions, and what the API server does itself (it fills `default`s in before
// validating, and it prunes fields the schema does not name instead of refusing them). Pure.

/** One node of a CRD's openAPIV3Schema, as it is in the CRD (only what this module reads is typed). */
export interface OpenApiSchema {
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  allOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  not?: OpenApiSchema;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-validations'?: CelRule[];
  [key: string]: unknown;
}

/** One x-kubernetes-validations entry. */
export interface CelRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
  optionalOldSelf?: boolean;
}

/** The ajv keyword standing for x-kubernetes-int-or-string ('nullable' when null is allowed too). */
export const INT_OR_STRING = 'x-int-or-string';

/** The keywords the converted schema keeps for ajv; everything else (descriptions, x-kubernetes-*) is dropped. */
const KEPT = ['type', 'enum', 'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'multipleOf', 'minimum', 'maximum'] as const;

/** The fields the API server serves on every object (and on an embedded resource) whatever its schema says. */
const OBJECT_META = ['apiVersion', 'kind', 'metadata'];

export interface ConvertOptions {
  /** The root of a custom resource, or an embedded resource: apiVersion, kind and metadata are implied. */
  resourceRoot?: boolean;
  /** Inside allOf/anyOf/oneOf/not: value validations only, which never make the object closed. */
  junctor?: boolean;
}

function convertList(list: readonly OpenApiSchema[] | undefined): Record<string, unknown>[] | undefined {
  return list?.map((s) => toJsonSchema(s, { junctor: true }));
}

/**
 * The JSON Schema (draft-07, as ajv reads it) of one OpenAPI node. An object that neither lists its
 * properties as open (x-kubernetes-preserve-unknown-fields, additionalProperties) nor has none at all
 * gets additionalProperties: false, so a field the API server would prune on the next write shows as a
 * finding ("pruned"): after a migration it would be gone.
 */
export function toJsonSchema(node: OpenApiSchema, options: ConvertOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of KEPT) if (node[key] !== undefined) out[key] = node[key];
  if (node.exclusiveMinimum === true && node.minimum !== undefined) {
    delete out.minimum;
    out.exclusiveMinimum = node.minimum;
  }
  if (node.exclusiveMaximum === true && node.maximum !== undefined) {
    delete out.maximum;
    out.exclusiveMaximum = node.maximum;
  }
  // A keyword of schema-check.ts's ajv: one finding ("must be an integer or a string"), not three of anyOf.
  if (node['x-kubernetes-int-or-string']) {
    delete out.type;
    out[INT_OR_STRING] = true;
  }
  const root = options.resourceRoot || node['x-kubernetes-embedded-resource'] === true;
  if (node.properties || root) {
    const properties: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(node.properties ?? {})) properties[name] = toJsonSchema(child, { junctor: options.junctor });
    // metadata is the API server's to validate (name, labels); a CRD may not constrain it beyond name.
    if (root) for (const name of OBJECT_META) properties[name] = name === 'metadata' ? {} : (properties[name] ?? { type: 'string' });
    out.properties = properties;
  }
  // A field with a default is never missing once the API server serves the object.
  const required = (node.required ?? []).filter((name) => node.properties?.[name]?.default === undefined);
  if (required.length) out.required = required;
  const inner = { junctor: options.junctor };
  if (node.items) out.items = toJsonSchema(node.items, inner);
  if (typeof node.additionalProperties === 'object') out.additionalProperties = toJsonSchema(node.additionalProperties, inner);
  else if (node.additionalProperties === true || node['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = true;
  // An object that names no open fields keeps only those it lists (none at all when it lists none).
  else if ((out.properties || node.type === 'object') && !options.junctor) out.additionalProperties = false;
  if (node.allOf) out.allOf = convertList(node.allOf);
  if (node.anyOf) out.anyOf = convertList(node.anyOf);
  if (node.oneOf) out.oneOf = convertList(node.oneOf);
  if (node.not) out.not = toJsonSchema(node.not, { junctor: true });
  if (node.nullable) {
    // OpenAPI 3.0: null is allowed besides the type and the enum's values (ajv reads `nullable` so, and
    // wants the null in the enum spelled out).
    out.nullable = true;
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
    if (out[INT_OR_STRING]) out[INT_OR_STRING] = 'nullable';
  }
  return out;
}
