// Turns a chart's secret sources into sensitive values before it runs: each SOPS file of
// `secretValuesFiles` is decrypted in memory, and each `ref+...` value (in `values`, `valuesFiles`,
// `secretValues` and `setSensitive`) is resolved. What comes out is kept only in `secretValues`, which
// helm reads from its standard input, which is masked everywhere, and which makes the release digest a
// keyed HMAC (lifecycle/digest.ts). A reference in `values` leaves `values` (it would otherwise be
// written to a values file and covered by the digest in clear); a reference inside a list moves the
// whole list, since helm replaces lists whole. A reference in a values file stays in the file (helm
// reads the reference text) and its value is laid over it from standard input, which comes later.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { parseSetPath } from '../config/set-path.js';
import { StackConfigError } from '../errors.js';
import type { ResolvedChart } from './types.js';
import { decryptSopsText, isSopsDocument, SopsDecryptError } from '../secrets/sops/sops-file.js';
import type { AgeIdentitySet } from '../secrets/sops/age-identities.js';
import { RefError } from '../secrets/refs/builtin-resolvers.js';
import { holdsRef, parseValueRef, type RefResolver } from '../secrets/refs/value-ref.js';

type Values = Record<string, unknown>;

export interface ChartSecretContext {
  /** The age keys (loaded once, on the first SOPS file). */
  identities: () => Promise<AgeIdentitySet>;
  /** Resolvers by scheme: the built-in ones and the stack's own. */
  resolvers: Readonly<Record<string, RefResolver>>;
  signal?: AbortSignal | undefined;
}

const asList = (value: unknown): Values[] => (value === undefined ? [] : Array.isArray(value) ? (value as Values[]) : [value as Values]);
const isPlainObject = (value: unknown): value is Values => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Sets `value` at `path` in `root`, making maps on the way. */
function setAt(root: Values, path: readonly (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = root;
  path.forEach((segment, index) => {
    if (index === path.length - 1) node[segment] = value;
    else {
      if (!isPlainObject(node[segment]) && !Array.isArray(node[segment])) node[segment] = typeof path[index + 1] === 'number' ? [] : {};
      node = node[segment] as Record<string | number, unknown>;
    }
  });
}

class ChartSecrets {
  constructor(private readonly chart: ResolvedChart, private readonly context: ChartSecretContext) {}

  fail(field: string, message: string): never {
    throw new StackConfigError(`chart '${this.chart.name}' has a secret that cannot be read`, { ...(this.chart.file ? { file: this.chart.file } : {}), chart: this.chart.name, issues: [{ field, message }] });
  }

  /** The value a reference points at. */
  async resolve(value: string, field: string): Promise<unknown> {
    const ref = parseValueRef(value)!;
    const resolver = this.context.resolvers[ref.scheme];
    if (!resolver) this.fail(field, `ref+${ref.scheme}:// has no resolver (helmcycle resolves env, file and k8s; a TypeScript stack adds others with resolvers: { ${ref.scheme}: async (ref) => ... })`);
    try {
      return await resolver!(ref, { signal: this.context.signal });
    } catch (error) {
      // A resolver's own message may quote what it read: only RefError's (written to name no value) are shown.
      this.fail(field, error instanceof RefError ? error.message : `${ref.text} could not be resolved (${error instanceof Error ? error.name : 'error'})`);
    }
  }

  /** A copy with every reference resolved. */
  async resolveDeep(value: unknown, field: string): Promise<unknown> {
    if (parseValueRef(value)) return this.resolve(value as string, field);
    if (Array.isArray(value)) return Promise.all(value.map((item, i) => this.resolveDeep(item, `${field}[${i}]`)));
    if (isPlainObject(value)) {
      const out: Values = {};
      for (const [key, item] of Object.entries(value)) out[key] = await this.resolveDeep(item, `${field}.${key}`);
      return out;
    }
    return value;
  }

  /**
   * The references of a values object, resolved into `override` at their paths; returns the object
   * without them (a list holding one is moved whole).
   */
  async extract(value: Values, field: string, path: string[], override: Values): Promise<Values> {
    const kept: Values = {};
    for (const [key, item] of Object.entries(value)) {
      const at = [...path, key];
      if (parseValueRef(item) || (Array.isArray(item) && holdsRef(item))) setAt(override, at, await this.resolveDeep(item, `${field}.${key}`));
      else if (isPlainObject(item)) kept[key] = await this.extract(item, `${field}.${key}`, at, override);
      else kept[key] = item;
    }
    return kept;
  }

  async decrypt(file: string, field: string): Promise<Values> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      this.fail(field, `${file} cannot be read`);
    }
    const set = await this.context.identities();
    try {
      return await decryptSopsText(text!, file, { identities: set.identities, identitySource: set.source });
    } catch (error) {
      if (error instanceof SopsDecryptError) this.fail(field, error.message);
      throw error;
    }
  }

  /** A values file's references, resolved into `override` (the file itself is left as it is). */
  async fileRefs(file: string, field: string, override: Values): Promise<void> {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined || (!text.includes('ref+') && !text.includes('sops'))) return;
    for (const document of parseAllDocuments(text)) {
      if (!('errors' in document) || document.errors.length > 0) continue;
      const content = document.toJS() as unknown;
      if (isSopsDocument(content)) this.fail(field, `${file} is SOPS-encrypted: list it under secretValuesFiles, so that it is decrypted`);
      if (isPlainObject(content) && holdsRef(content)) await this.extract(content, field, [], override);
    }
  }
}

/** The chart with its SOPS files decrypted and its references resolved, all into `secretValues`. */
export async function resolveChartSecrets(chart: ResolvedChart, context: ChartSecretContext): Promise<ResolvedChart> {
  const definition = chart.definition as typeof chart.definition & { secretValues?: Values | Values[]; secretValuesFiles?: string[] };
  const secrets = new ChartSecrets(chart, context);
  const override: Values = {};
  const secretValues: Values[] = [];
  for (const [index, object] of asList(definition.secretValues).entries()) secretValues.push((await secrets.resolveDeep(object, `secretValues[${index}]`)) as Values);
  for (const [index, file] of (definition.secretValuesFiles ?? []).entries()) {
    secretValues.push((await secrets.resolveDeep(await secrets.decrypt(file, `secretValuesFiles[${index}]`), `secretValuesFiles[${index}]`)) as Values);
  }
  const values: Values[] = [];
  for (const [index, object] of asList(definition.values).entries()) values.push(await secrets.extract(object, `values[${index}]`, [], override));
  for (const [index, file] of (definition.valuesFiles ?? []).entries()) await secrets.fileRefs(file, `valuesFiles[${index}]`, override);
  const setSensitive: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(definition.setSensitive ?? {})) {
    if (parseValueRef(value)) setAt(override, parseSetPath(key), await secrets.resolve(value as string, `setSensitive.${key}`));
    else setSensitive[key] = value;
  }
  if (Object.keys(override).length > 0) secretValues.push(override);
  if (secretValues.length === 0 && !(definition.secretValuesFiles ?? []).length) return chart;
  return {
    ...chart,
    definition: { ...definition, values, setSensitive, secretValuesFiles: [], secretValues } as typeof chart.definition,
  };
}

/** Whether a chart still has secrets to resolve (SOPS files, or references in its values). Pure. */
export function hasUnresolvedSecrets(definition: { values?: unknown; secretValuesFiles?: readonly string[] | undefined; setSensitive?: unknown; secretValues?: unknown }): boolean {
  return (definition.secretValuesFiles ?? []).length > 0 || holdsRef(definition.values) || holdsRef(definition.setSensitive) || holdsRef(definition.secretValues);
}
