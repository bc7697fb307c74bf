// A custom resource checked against a CRD version's structural schema with ajv: types, enum, required,
// patterns, bounds, x-kubernetes-int-or-string, nullable, and fields the API server would prune. The
// object is only read: no defaults filled in, no coercion, nothing removed (ajv's useDefaults,
// coerceTypes and removeAdditional stay off). `format` is not checked (the API server's formats are its
// own). Pure, but for a cache of compiled schemas.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { INT_OR_STRING, toJsonSchema, type OpenApiSchema } from './openapi-schema.js';

/** One way an object breaks a schema: where (a dotted path from the object's root), and which rule. */
export interface Violation {
  path: string;
  rule: string;
  message: string;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, useDefaults: false, coerceTypes: false, removeAdditional: false });
  ajv.addKeyword({
    keyword: INT_OR_STRING,
    errors: true,
    validate: function intOrString(allowed: true | 'nullable', data: unknown) {
      const ok = (typeof data === 'number' && Number.isInteger(data)) || typeof data === 'string' || (allowed === 'nullable' && data === null);
      if (!ok) (intOrString as unknown as { errors: Partial<ErrorObject>[] }).errors = [{ keyword: INT_OR_STRING, message: 'must be an integer or a string', params: {} }];
      return ok;
    },
  });
  return ajv;
}

const ajv = newAjv();
const compiled = new WeakMap<OpenApiSchema, ValidateFunction>();

function validatorOf(schema: OpenApiSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(toJsonSchema(schema, { resourceRoot: true }));
    compiled.set(schema, validate);
  }
  return validate;
}

/** "/spec/targets/0/url" → "spec.targets[0].url". Pure. */
export function dottedPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function violationOf(error: ErrorObject): Violation {
  const path = dottedPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: join(path, String(params.missingProperty)), rule: 'required', message: 'required field is missing' };
    case 'additionalProperties':
      return { path: join(path, String(params.additionalProperty)), rule: 'pruned', message: 'not in the schema: the API server drops it on the next write' };
    case 'enum':
      return { path, rule: 'enum', message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case INT_OR_STRING:
      return { path, rule: 'x-kubernetes-int-or-string', message: error.message ?? 'must be an integer or a string' };
    default:
      return { path, rule: error.keyword, message: error.message ?? error.keyword };
  }
}

/**
 * Where `object` breaks `schema` (a CRD version's openAPIV3Schema), one violation per rule and path,
 * less the combinators' summaries ("must match a schema in anyOf") when a more precise one is there.
 */
export function schemaViolations(schema: OpenApiSchema, object: unknown): Violation[] {
  const validate = validatorOf(schema);
  if (validate(object)) return [];
  const seen = new Set<string>();
  const violations: Violation[] = [];
  for (const error of validate.errors ?? []) {
    const violation = violationOf(error);
    const key = `${violation.path}\0${violation.rule}\0${violation.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    violations.push(violation);
  }
  return violations;
}
