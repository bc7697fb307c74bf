// The one kind of helmfile Go template the import can evaluate: a plain reference to an environment's
// values (`{{ .Values.db.host }}`, `{{ .Environment.Values.db.host }}`, `{{ .StateValues.x }}`) or to the
// environment's name (`{{ .Environment.Name }}`). Such a reference resolves per environment, so the
// imported stack carries the resolved values and each environment's difference as its override. Any
// other template (functions, pipelines, conditions, env lookups) is left to the user. Pure.

const REFERENCE = /\{\{-?\s*\.(?:Environment\.Values|StateValues|Values)\.([\w.-]+)\s*-?\}\}|\{\{-?\s*\.Environment\.Name\s*-?\}\}/g;
const WHOLE = new RegExp(`^(?:${REFERENCE.source})$`);
/** `{{ env "X" }}` / `{{ requiredEnv "X" }}` alone: an environment variable, for credentials. */
const ENV_LOOKUP = /^\{\{-?\s*(?:requiredEnv|env)\s+"([A-Za-z_][A-Za-z0-9_]*)"\s*-?\}\}$/;

/** `ref+env://X`: what a rendered helmfile holds where a template read the environment variable X. */
const ENV_REF = /^ref\+env:\/\/([A-Za-z_][A-Za-z0-9_]*)$/;

export interface TemplateScope {
  environment: string;
  values: Readonly<Record<string, unknown>>;
  /** The helmfile was rendered already (load-state.ts): what looks like a template is text for the chart. */
  rendered?: boolean;
}

export const hasTemplate = (text: string) => text.includes('{{');

/** The environment variable a value reads, when the value is only that lookup. */
export function envLookup(text: string): string | undefined {
  return ENV_LOOKUP.exec(text.trim())?.[1] ?? ENV_REF.exec(text.trim())?.[1];
}

function lookup(values: Readonly<Record<string, unknown>>, path: string): unknown {
  let node: unknown = values;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export type Resolved = { ok: true; value: unknown } | { ok: false; reason: string };

/** A string resolved in the scope: a whole reference keeps the value's type, references inside text are interpolated. */
export function resolveString(text: string, scope: TemplateScope): Resolved {
  if (scope.rendered || !hasTemplate(text)) return { ok: true, value: text };
  const whole = WHOLE.exec(text.trim());
  const valueOf = (path: string | undefined): Resolved => {
    if (path === undefined) return { ok: true, value: scope.environment };
    const value = lookup(scope.values, path);
    return value === undefined ? { ok: false, reason: `.Values.${path} is not set in environment '${scope.environment}'` } : { ok: true, value };
  };
  if (whole) return valueOf(whole[1] ?? whole[2]);
  let failure: Resolved | undefined;
  const replaced = text.replace(REFERENCE, (_match, path: string | undefined) => {
    const resolved = valueOf(path);
    if (!resolved.ok) failure ??= resolved;
    return resolved.ok && (resolved.value === null || typeof resolved.value !== 'object') ? String(resolved.value) : '';
  });
  if (failure) return failure;
  if (hasTemplate(replaced)) return { ok: false, reason: 'a Go template other than a plain .Values reference' };
  return { ok: true, value: replaced };
}

/** Every string inside a value resolved; the first failure stops it. */
export function resolveDeep(value: unknown, scope: TemplateScope): Resolved {
  if (typeof value === 'string') return resolveString(value, scope);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const resolved = resolveDeep(item, scope);
      if (!resolved.ok) return resolved;
      out.push(resolved.value);
    }
    return { ok: true, value: out };
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = resolveDeep(item, scope);
      if (!resolved.ok) return resolved;
      out[key] = resolved.value;
    }
    return { ok: true, value: out };
  }
  return { ok: true, value };
}
