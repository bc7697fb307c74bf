// helmfile.yaml → helmcycle stack: the whole conversion, pure. The CLI (cli/import.ts) reads the files
// and writes the result; this decides every field. Each release is converted once per environment (the
// default one gives the chart, every other one its differences), `needs` are mapped from helmfile's
// `ns/name` or `name` to chart names, helmDefaults become stack defaults, and whatever has no
// equivalent is an item of `notConverted` with what replaces it. The helmfile is untrusted data: it is
// made plain data first (plain-data.ts), and values helm would misread or a cycle of needs refuse it.
import { StackConfigError, type SpecIssue } from '../errors.js';
import { formatFieldPath } from '../config/parse.js';
import { helmfileDocumentSchema, KNOWN_KEYS, type HelmfileDocument, type HelmfileRelease } from './helmfile-document.js';
import { convertRelease, flagsOf, repositoryField, type ConvertedRelease, type CredentialRef, type ReleaseContext, type StackChartData } from './convert-release.js';
import { BASE_ENVIRONMENT as CHART_BASE_ENVIRONMENT } from '../stack/chart-environments.js';
import { environmentOverrides, mergeValues } from './convert-environments.js';
import { describeCycle, findNeedsCycle } from './needs-cycle.js';
import { notConvertedKey, type NotConverted } from './not-converted.js';
import { fieldAt, plainData } from './plain-data.js';
import { shown } from './quote.js';

export interface ImportInput {
  /** The parsed helmfile.yaml (one document, its templates resolved per environment here). */
  document?: unknown;
  /** Or: per environment, the state helmfile would render (read-helmfile.ts), already plain. */
  states?: Readonly<Record<string, unknown>>;
  /** Per environment, each release's origin (shown in notes instead of `releases[i]`). */
  origins?: Readonly<Record<string, readonly string[]>>;
  /** Per environment, the releases left out (listed already): no override is made for them there. */
  refused?: Readonly<Record<string, readonly string[]>>;
  /** Environments where a document could not be rendered: what is missing there is unknown, never destroyed. */
  incomplete?: Readonly<Record<string, boolean>>;
  /** The environment whose charts are the stack's charts ('default'). */
  baseEnvironment?: string;
  /** Items found while reading (rendering, bases, sub-helmfiles), listed first. */
  notes?: readonly NotConverted[];
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
  /** Per chart name, where its release is written in the helmfile(s). */
  origins: Record<string, string>;
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

/** Each key of the helmfile import does not know, listed with what replaces it. */
function noteUnknownKeys(raw: Record<string, unknown>, doc: HelmfileDocument, note: (item: NotConverted) => void): void {
  for (const key of Object.keys(raw)) if (!(KNOWN_KEYS.document as readonly string[]).includes(key)) note(notConvertedKey(fieldAt('', key), key));
  for (const [key] of Object.entries(doc.helmDefaults ?? {})) if (!(KNOWN_KEYS.helmDefaults as readonly string[]).includes(key)) note(notConvertedKey(fieldAt('helmDefaults', key), key));
  (doc.repositories ?? []).forEach((repo) => {
    for (const key of Object.keys(repo)) if (!(KNOWN_KEYS.repository as readonly string[]).includes(key)) note(notConvertedKey(fieldAt(repositoryField(repo.name), key), key));
  });
  for (const [name, env] of Object.entries(doc.environments ?? {})) {
    for (const key of Object.keys(env ?? {})) if (!(KNOWN_KEYS.environment as readonly string[]).includes(key)) note(notConvertedKey(fieldAt(fieldAt('environments', name), key), key));
  }
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
function refuseCycle(charts: readonly StackChartData[], kept: readonly { field: string }[], file: string): void {
  const cycle = findNeedsCycle(new Map(charts.map((c) => [c.name as string, (c.needs as string[] | undefined) ?? []])));
  if (!cycle) return;
  const index = charts.findIndex((c) => c.name === cycle[0]);
  throw new StackConfigError(`the releases' needs form a cycle of ${cycle.length - 1} release(s): ${describeCycle(cycle)}`, {
    file,
    issues: [{ field: `${kept[index]?.field ?? `releases[${index}]`}.needs`, message: 'each release on the cycle waits for the next: remove one of these needs' }],
  });
}

interface Converted extends ConvertedRelease {
  field: string;
  /** The release as written, for its needs. */
  release: HelmfileRelease;
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
  for (const item of input.notes ?? []) note(item);
  const baseEnvironment = input.baseEnvironment ?? 'default';
  const docs = new Map<string, HelmfileDocument>();
  const docOf = (environment: string): HelmfileDocument => {
    const known = docs.get(environment);
    if (known) return known;
    const raw = plainData(input.states ? input.states[environment] : input.document, '', note);
    const doc = parseHelmfile(raw, input.file);
    if (environment === baseEnvironment) noteUnknownKeys(raw as Record<string, unknown>, doc, note);
    docs.set(environment, doc);
    return doc;
  };
  const base = docOf(baseEnvironment);
  const convertAll = (environment: string): Converted[] => {
    const doc = docOf(environment);
    const values = input.states ? {} : environmentValues(doc, environment, input, note);
    const repositories = new Map((doc.repositories ?? []).map((r) => [r.name, r]));
    const context: ReleaseContext = { repositories, scope: { environment, values, rendered: input.states !== undefined }, path: input.path, note, refuse };
    return doc.releases.map((release, index) => {
      const field = input.origins?.[environment]?.[index] ?? `releases[${index}]`;
      return { ...convertRelease(release, field, context), field, release };
    });
  };
  const environmentNames = (input.states ? Object.keys(input.states) : Object.keys(base.environments ?? {})).filter((name) => name !== baseEnvironment && name !== 'default');

  // helmcycle chart names are release names and must be unique; helmfile allows one name in two namespaces.
  const kept: Converted[] = [];
  const byName = new Map<string, Converted>();
  for (const converted of convertAll(baseEnvironment)) {
    const name = converted.chart.name as string;
    const first = byName.get(name);
    if (!first) kept.push(converted), byName.set(name, converted);
    else if (first.chart.namespace === converted.chart.namespace) {
      // The same release twice (two sub-helmfiles, say): helmfile refuses that too, and neither can be preferred.
      refuse({ field: converted.field, message: `release '${shown(name)}'${converted.chart.namespace ? ` in namespace '${shown(String(converted.chart.namespace))}'` : ''} is declared at ${first.field} too: rename one, or select one of them` });
    } else note({ topic: 'releases', field: converted.field, what: `a second release named '${shown(name)}' (in another namespace)`, instead: 'one helmcycle stack per namespace, or a distinct release name; this release is not in the output' });
  }
  const validEnvironments = environmentNames.filter((environment) => {
    if (/^[\w.-]+$/.test(environment)) return true;
    note({ field: fieldAt('environments', environment), what: 'an environment name helmcycle cannot take', instead: 'an environment named with letters, digits, dots, dashes and underscores' });
    return false;
  });
  const perEnvironment = new Map(validEnvironments.map((environment) => [environment, uniqueByName(convertAll(environment))]));
  // A release only some environments render is a chart that is part of the stack only there (its
  // `environments`): elsewhere it is neither deployed nor destroyed, as helmfile leaves it alone.
  const onlyIn = new Map<string, string[]>();
  for (const [environment, charts] of perEnvironment) {
    for (const [name, converted] of charts) {
      if (byName.has(name) && !onlyIn.has(name)) continue;
      if (!byName.has(name) && ((input.refused?.[baseEnvironment] ?? []).includes(name) || input.incomplete?.[baseEnvironment])) {
        // Left out of the base environment (listed): a chart destroyed there would delete what runs.
        note({ topic: 'releases', field: converted.field, what: `release '${shown(name)}' is left out of environment '${baseEnvironment}' (or unknown there: listed above), so of '${environment}' too`, instead: 'the release written as a chart by hand, once the value it is left out for is fixed' });
        continue;
      }
      if (!byName.has(name)) kept.push(converted), byName.set(name, converted), onlyIn.set(name, []);
      onlyIn.get(name)!.push(environment);
    }
  }

  const namespacesByName = new Map(kept.map((c) => [c.chart.name as string, [(c.chart.namespace as string | undefined) ?? 'default']]));
  const charts: StackChartData[] = kept.map((converted) => {
    const needs = (converted.release.needs ?? []).flatMap((need, n) => {
      const found = needOf(need, namespacesByName);
      if (found === undefined) note({ field: `${converted.field}.needs[${n}]`, what: `'${shown(need)}' is no release of this helmfile`, instead: 'needs: [chart name] on a chart of this stack (a need outside the stack is not expressible)' });
      return found === undefined ? [] : [found];
    });
    return { ...converted.chart, ...(needs.length ? { needs } : {}) };
  });

  const environments: Record<string, { charts: Record<string, StackChartData> }> = {};
  const absent = new Map<string, Set<string>>();
  for (const [environment, resolved] of perEnvironment) {
    const found = environmentOverrides(kept, resolved, environment, input.refused?.[environment] ?? [], input.incomplete?.[environment] === true, note);
    environments[environment] = { charts: found.overrides };
    for (const name of found.absent) absent.set(name, (absent.get(name) ?? new Set()).add(environment));
  }
  // A chart some environment does not render names the environments it is part of (`default`: the base).
  for (const chart of charts) {
    const name = chart.name as string;
    const missing = absent.get(name);
    if (!missing && !onlyIn.has(name)) continue;
    chart.environments = [...(onlyIn.has(name) ? [] : [CHART_BASE_ENVIRONMENT]), ...validEnvironments.filter((e) => !missing?.has(e))];
  }
  if (charts.length === 0) {
    const reasons = notConverted.slice(0, 10).map((item) => ({ field: shown(item.field, 200), message: shown(item.what, 300) }));
    throw new StackConfigError('not a helmfile with releases to import: no release is left in any environment', { file: input.file, issues: reasons.length ? reasons : [{ field: 'releases', message: 'no release in any environment' }] });
  }

  if (refusals.length) throw new StackConfigError(`holds ${refusals.length} value(s) helm would misread or refuse; nothing was written`, { file: input.file, issues: refusals });
  refuseCycle(charts, kept, input.file);

  // helmfile passes --create-namespace unless told not to; helmcycle creates none unless told to.
  const defaults: StackChartData = { createNamespace: true, ...flagsOf(base.helmDefaults ?? {}) };
  if (base.commonLabels && Object.keys(base.commonLabels).length) defaults.labels = base.commonLabels;
  const credentials = kept.flatMap((c) => (c.credentials ? [c.credentials] : []));
  return {
    stack: { defaults, ...(Object.keys(environments).length ? { environments } : {}), charts },
    credentials,
    notConverted,
    origins: Object.fromEntries(kept.map((c) => [c.chart.name as string, c.field])),
  };
}

function uniqueByName(list: readonly Converted[]): Map<string, Converted> {
  const out = new Map<string, Converted>();
  for (const converted of list) if (!out.has(converted.chart.name as string)) out.set(converted.chart.name as string, converted);
  return out;
}
