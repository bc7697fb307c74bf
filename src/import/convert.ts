// helmfile.yaml → helmcycle stack: the whole conversion, pure. The CLI (cli/import.ts) reads the files
// and writes the result; this decides every field. Each release is converted once per environment (the
// default one gives the chart, every other one its differences), `needs` are mapped from helmfile's
// `ns/name` or `name` to chart names, helmDefaults become stack defaults, and whatever has no
// equivalent is an item of `notConverted` with what replaces it. The helmfile is untrusted data: it is
// made plain data first (plain-data.ts), and values helm would misread or a cycle of needs refuse it.
import { StackConfigError, type SpecIssue } from '../errors.js';
import { formatFieldPath } from '../config/parse.js';
import { helmfileDocumentSchema, KNOWN_KEYS, type HelmfileDocument } from './helmfile-document.js';
import { convertRelease, flagsOf, repositoryField, type CredentialRef, type ReleaseContext, type StackChartData } from './convert-release.js';
import { mergeValues, overrideOf } from './convert-environments.js';
import { describeCycle, findNeedsCycle } from './needs-cycle.js';
import { notConvertedKey, type NotConverted } from './not-converted.js';
import { fieldAt, plainData } from './plain-data.js';
import { shown } from './quote.js';

export interface ImportInput {
  /** The parsed helmfile.yaml. */
  document: unknown;
  /** Its path, named in errors. */
  file: string;
  /** A path the helmfile names, as the output's folder reaches it. */
  path: (helmfilePath: string) => string;
  /** Environment values files already read (by their path in the helmfile); a missing one is listed. */
  environmentFiles?: Readonly<Record<string, unknown>>;
}

export interface ImportResult {
  stack: { defaults?: StackChartData; environments?: Record<string, { charts: Record<string, StackChartData> }>; charts: StackChartData[] };
  /** Repository credentials, as environment variables: only a TypeScript stack can read them. */
  credentials: CredentialRef[];
  notConverted: NotConverted[];
}

/** The document checked as a helmfile: a StackConfigError naming the file and each bad field. */
export function parseHelmfile(document: unknown, file: string): HelmfileDocument {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new StackConfigError('not a helmfile: expected a mapping with releases', { file, issues: [{ field: '(document)', message: 'a helmfile.yaml is a mapping with a releases list' }] });
  }
  const parsed = helmfileDocumentSchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 20).map((issue) => ({ field: shown(formatFieldPath(issue.path) || '(document)'), message: shown(issue.message) }));
  throw new StackConfigError('not a helmfile this import can read', { file, issues });
}

function environmentValues(doc: HelmfileDocument, name: string, input: ImportInput, note: (item: NotConverted) => void): Record<string, unknown> {
  const env = doc.environments?.[name];
  const layers = (env?.values ?? []).map((item, index) => {
    if (typeof item !== 'string') return item;
    if (input.environmentFiles && Object.hasOwn(input.environmentFiles, item)) return plainData(input.environmentFiles[item], `environments.${name}.values[${index}] (${shown(item)})`, note);
    note({ field: `environments.${name}.values[${index}]`, what: `the values file ${shown(item)} (a template, or not readable as plain YAML)`, instead: 'its values written into the environment, or a function in a TypeScript stack (--ts)' });
    return {};
  });
  return mergeValues(layers);
}

/** helmfile's `needs` entry (`name`, `ns/name` or `context/ns/name`) as the chart name it points at. */
function needOf(need: string, namespacesByName: ReadonlyMap<string, readonly string[]>): string | undefined {
  const parts = need.split('/');
  const name = parts.at(-1)!;
  const namespace = parts.length >= 2 ? parts.at(-2) : undefined;
  const namespaces = namespacesByName.get(name);
  return namespaces && (namespace === undefined || namespaces.includes(namespace)) ? name : undefined;
}

/** Refuses a cycle of needs, naming a few of its releases however long it is. */
function refuseCycle(charts: readonly StackChartData[], file: string): void {
  const cycle = findNeedsCycle(new Map(charts.map((c) => [c.name as string, (c.needs as string[] | undefined) ?? []])));
  if (!cycle) return;
  const index = charts.findIndex((c) => c.name === cycle[0]);
  throw new StackConfigError(`the releases' needs form a cycle of ${cycle.length - 1} release(s): ${describeCycle(cycle)}`, {
    file,
    issues: [{ field: `releases[${index}].needs`, message: 'each release on the cycle waits for the next: remove one of these needs' }],
  });
}

export function convertHelmfile(input: ImportInput): ImportResult {
  const notConverted: NotConverted[] = [];
  const seen = new Set<string>();
  const note = (item: NotConverted) => {
    const key = `${item.field}\u0000${item.what}`;
    if (!seen.has(key)) notConverted.push(item), seen.add(key);
  };
  const refusals: SpecIssue[] = [];
  const refused = new Set<string>();
  const refuse = (issue: SpecIssue) => {
    const key = `${issue.field}\u0000${issue.message}`;
    if (!refused.has(key)) refusals.push(issue), refused.add(key);
  };
  const raw = plainData(input.document, '', note);
  const doc = parseHelmfile(raw, input.file);
  for (const key of Object.keys(raw as Record<string, unknown>)) if (!(KNOWN_KEYS.document as readonly string[]).includes(key)) note(notConvertedKey(fieldAt('', key), key));
  for (const [key] of Object.entries(doc.helmDefaults ?? {})) if (!(KNOWN_KEYS.helmDefaults as readonly string[]).includes(key)) note(notConvertedKey(fieldAt('helmDefaults', key), key));
  (doc.repositories ?? []).forEach((repo) => {
    for (const key of Object.keys(repo)) if (!(KNOWN_KEYS.repository as readonly string[]).includes(key)) note(notConvertedKey(fieldAt(repositoryField(repo.name), key), key));
  });
  for (const [name, env] of Object.entries(doc.environments ?? {})) {
    for (const key of Object.keys(env ?? {})) if (!(KNOWN_KEYS.environment as readonly string[]).includes(key)) note(notConvertedKey(fieldAt(fieldAt('environments', name), key), key));
  }
  const repositories = new Map((doc.repositories ?? []).map((r) => [r.name, r]));
  const convertAll = (environment: string) => {
    const values = environmentValues(doc, environment, input, note);
    const context: ReleaseContext = { repositories, scope: { environment, values }, path: input.path, note, refuse };
    return doc.releases.map((release, index) => convertRelease(release, `releases[${index}]`, context));
  };

  const base = convertAll('default');
  // helmcycle chart names are release names and must be unique; helmfile allows one name in two namespaces.
  const names = new Set<string>();
  const kept = base.filter((converted, index) => {
    const name = converted.chart.name as string;
    if (!names.has(name)) return names.add(name), true;
    note({ field: `releases[${index}]`, what: `a second release named '${shown(name)}' (in another namespace)`, instead: 'one helmcycle stack per namespace, or a distinct release name; this release is not in the output' });
    return false;
  });
  const namespacesByName = new Map(kept.map((c) => [c.chart.name as string, [(c.chart.namespace as string | undefined) ?? 'default']]));
  const charts = kept.map((converted) => {
    const index = base.indexOf(converted);
    const needs = (doc.releases[index]!.needs ?? []).flatMap((need, n) => {
      const found = needOf(need, namespacesByName);
      if (found === undefined) note({ field: `releases[${index}].needs[${n}]`, what: `'${shown(need)}' is no release of this helmfile`, instead: 'needs: [chart name] on a chart of this stack (a need outside the stack is not expressible)' });
      return found === undefined ? [] : [found];
    });
    return { ...converted.chart, ...(needs.length ? { needs } : {}) };
  });

  const environments: Record<string, { charts: Record<string, StackChartData> }> = {};
  for (const environment of Object.keys(doc.environments ?? {})) {
    if (environment === 'default') continue;
    if (!/^[\w.-]+$/.test(environment)) {
      note({ field: fieldAt('environments', environment), what: 'an environment name helmcycle cannot take', instead: 'an environment named with letters, digits, dots, dashes and underscores' });
      continue;
    }
    const resolved = convertAll(environment);
    const overrides: Record<string, StackChartData> = {};
    kept.forEach((converted) => {
      const envChart = resolved[base.indexOf(converted)]!.chart;
      const override = overrideOf(converted.chart, envChart);
      // helmcycle adds an environment's values files to the chart's; a default file the environment replaces still applies.
      const replaced = ((converted.chart.valuesFiles as string[] | undefined) ?? []).filter((f) => !((envChart.valuesFiles as string[] | undefined) ?? []).includes(f));
      if (replaced.length) {
        note({ field: `releases[${base.indexOf(converted)}].values`, what: `in environment '${environment}', the values file(s) ${shown(replaced.join(', '))} of the default environment are replaced, not added to`, instead: `helmcycle applies them too, before environments.${environment}.charts.${converted.chart.name as string}.valuesFiles: move what differs into that environment's file, or build valuesFiles per environment in a TypeScript stack` });
      }
      if (override) overrides[converted.chart.name as string] = override;
    });
    environments[environment] = { charts: overrides };
  }

  if (refusals.length) throw new StackConfigError(`holds ${refusals.length} value(s) helm would misread or refuse; nothing was written`, { file: input.file, issues: refusals });
  refuseCycle(charts, input.file);

  // helmfile passes --create-namespace unless told not to; helmcycle creates none unless told to.
  const defaults: StackChartData = { createNamespace: true, ...flagsOf(doc.helmDefaults ?? {}) };
  if (doc.commonLabels && Object.keys(doc.commonLabels).length) defaults.labels = doc.commonLabels;
  const credentials = kept.flatMap((c) => (c.credentials ? [c.credentials] : []));
  return {
    stack: { defaults, ...(Object.keys(environments).length ? { environments } : {}), charts },
    credentials,
    notConverted,
  };
}
