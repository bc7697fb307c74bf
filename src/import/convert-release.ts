// One helmfile release as a helmcycle chart, in one environment's scope: chart `repo/name` becomes a
// chart and its repository (an `oci: true` repository an oci:// reference), values files and inline
// values, set/setString, the helm flags, labels and `installed: false` (action: destroy). What has no
// equivalent goes to `note`. `needs` are resolved by convert.ts, which sees every release. Pure.
import type { HelmfileRelease, HelmfileRepository, HelmfileSetEntry } from './helmfile-document.js';
import { KNOWN_KEYS } from './helmfile-document.js';
import type { SpecIssue } from '../errors.js';
import { helmInputIssues } from './helm-input.js';
import { notConvertedKey, type NotConverted } from './not-converted.js';
import { fieldAt, PROTOTYPE_KEYS } from './plain-data.js';
import { shown } from './quote.js';
import { envLookup, hasTemplate, resolveDeep, resolveString, type TemplateScope } from './templates.js';
import { isWholeRef, noteRefs, secretFilesOf } from './value-refs.js';
import { chartVersionOf } from './chart-versions.js';
import { releaseNameOf } from './release-names.js';

export type StackChartData = Record<string, unknown>;

/** Credentials a chart's repository needs, as environment variables (the literal never leaves the helmfile). */
export interface CredentialRef {
  chart: string;
  username: { env: string } | { literal: string };
  passwordEnv: string;
}

export interface ReleaseContext {
  repositories: ReadonlyMap<string, HelmfileRepository>;
  scope: TemplateScope;
  /** A path the helmfile names, as the output file's folder reaches it. */
  path: (helmfilePath: string) => string;
  note: (item: NotConverted) => void;
  /** A value helm would misread: the import refuses the helmfile (helm-input.ts). */
  refuse: (issue: SpecIssue) => void;
}

export interface ConvertedRelease {
  chart: StackChartData;
  credentials?: CredentialRef;
}

const isLocalPath = (chart: string) => /^(\.{1,2}\/|\/)/.test(chart) || chart === '.' || chart === '..';
const envName = (...parts: string[]) => parts.join('_').toUpperCase().replace(/[^A-Z0-9_]+/g, '_');

/** A repository's field path (`repositories[private]`), its name quoted when it is not a plain word. */
export const repositoryField = (name: string) => `repositories[${/^[\w.-]+$/.test(name) ? name : JSON.stringify(name)}]`;

/**
 * The keys a --set path writes into, as conservatively as can be: escapes are dropped before the split
 * (helm's `a\.b` is one key `a.b`; taking it as two can only list more, never let `\__proto__` through).
 */
const setPathSegments = (path: string) => path.replace(/\\/g, '').split(/[.[\]]/);

/** A scalar field resolved in the scope (a whole reference keeps its type), or undefined with a note. */
function scalar(value: string, field: string, context: ReleaseContext): string | number | boolean | undefined {
  const resolved = resolveString(value, context.scope);
  if (resolved.ok && (typeof resolved.value === 'string' || typeof resolved.value === 'number' || typeof resolved.value === 'boolean')) return resolved.value;
  context.note({ field, what: `the Go template '${shown(value)}' (${resolved.ok ? 'not a plain value' : resolved.reason})`, instead: 'a value per environment (environments.<env>.charts.<name>), or a function in a TypeScript stack (--ts)' });
  return undefined;
}

/** A string field resolved in the scope, or undefined with a note. */
function text(value: string | undefined, field: string, context: ReleaseContext): string | undefined {
  if (value === undefined) return undefined;
  const resolved = resolveString(value, context.scope);
  if (resolved.ok && (typeof resolved.value === 'string' || typeof resolved.value === 'number' || typeof resolved.value === 'boolean')) return String(resolved.value);
  context.note({ field, what: `the Go template '${shown(value)}' (${resolved.ok ? 'not a plain value' : resolved.reason})`, instead: 'a value per environment (environments.<env>.charts.<name>), or a function in a TypeScript stack (--ts)' });
  return undefined;
}

function credentialsOf(repository: HelmfileRepository, chartName: string, field: string, context: ReleaseContext): CredentialRef | undefined {
  if (repository.username === undefined && repository.password === undefined) return undefined;
  const prefix = envName('HELMFILE_REPO', repository.name).slice(0, 100);
  const username = repository.username === undefined ? { env: `${prefix}_USERNAME` } : envLookup(repository.username) ? { env: envLookup(repository.username)! } : hasTemplate(repository.username) ? { env: `${prefix}_USERNAME` } : { literal: repository.username };
  const passwordEnv = (repository.password !== undefined && envLookup(repository.password)) || `${prefix}_PASSWORD`;
  if (repository.password !== undefined && !envLookup(repository.password)) {
    context.note({ field: `${field}.password`, what: `the password of repository '${shown(repository.name)}' (written in the helmfile, not copied)`, instead: `the environment variable ${passwordEnv}, read by repositoryAuth in a TypeScript stack (--ts)` });
  }
  return { chart: chartName, username, passwordEnv };
}

/** chart: `repo/name` of a declared repository, an oci:// reference, or a local folder. */
function chartSource(release: HelmfileRelease, name: string, field: string, context: ReleaseContext): { source: StackChartData; credentials?: CredentialRef } {
  const chart = text(release.chart, `${field}.chart`, context) ?? release.chart;
  if (chart.startsWith('oci://')) return { source: { chart } };
  if (isLocalPath(chart)) return { source: { chart: context.path(chart) } };
  const slash = chart.indexOf('/');
  const repository = slash > 0 ? context.repositories.get(chart.slice(0, slash)) : undefined;
  if (!repository) {
    context.note({ field: `${field}.chart`, what: `chart '${shown(chart)}' names no repository of this helmfile`, instead: 'repository: URL on the chart, or a local path (./charts/…) or an oci:// reference' });
    return { source: { chart } };
  }
  const chartName = chart.slice(slash + 1);
  const repoField = repositoryField(repository.name);
  const credentials = credentialsOf(repository, name, repoField, context);
  if (repository.oci) {
    const url = repository.url.replace(/^oci:\/\//, '').replace(/\/+$/, '');
    return { source: { chart: `oci://${url}/${chartName}`, ...(repository.plainHttp ? { plainHttp: true } : {}) }, ...(credentials ? { credentials } : {}) };
  }
  return { source: { chart: chartName, repository: repository.url }, ...(credentials ? { credentials } : {}) };
}

function valuesOf(release: HelmfileRelease, field: string, context: ReleaseContext): StackChartData {
  const values: Record<string, unknown>[] = [];
  const valuesFiles: string[] = [];
  (release.values ?? []).forEach((item, index) => {
    const at = `${field}.values[${index}]`;
    if (typeof item !== 'string') {
      const resolved = resolveDeep(item, context.scope);
      if (resolved.ok) noteRefs(resolved.value, at, context.note);
      if (resolved.ok) values.push(resolved.value as Record<string, unknown>);
      else context.note({ field: at, what: `inline values with a Go template (${resolved.reason})`, instead: 'a value per environment (environments.<env>.charts.<name>.values), or a function in a TypeScript stack (--ts)' });
      return;
    }
    if (item.endsWith('.gotmpl')) {
      context.note({ field: at, what: `the values template ${shown(item)} (rendered by helmfile)`, instead: 'a plain values file per environment (environments.<env>.charts.<name>.valuesFiles), or yamlFilesContent built by a function in a TypeScript stack (--ts)' });
      return;
    }
    const file = text(item, at, context);
    if (file !== undefined) valuesFiles.push(context.path(file));
  });
  return { ...(values.length ? { values } : {}), ...(valuesFiles.length ? { valuesFiles } : {}) };
}

function setOf(entries: readonly HelmfileSetEntry[] | undefined, key: 'set' | 'setString', field: string, context: ReleaseContext): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  (entries ?? []).forEach((entry, index) => {
    const at = `${field}.${key}[${index}]`;
    for (const extra of Object.keys(entry)) if (!['name', 'value', 'values', 'file'].includes(extra)) context.note(notConvertedKey(fieldAt(at, extra), extra));
    if (entry.file !== undefined) {
      context.note({ field: `${at}.file`, what: `--set-file ${shown(entry.name)}=${shown(entry.file)}`, instead: 'valuesFiles, or yamlFilesContent read by a TypeScript stack (--ts)' });
      return;
    }
    const segment = setPathSegments(entry.name).find((s) => PROTOTYPE_KEYS.has(s));
    if (segment !== undefined) {
      context.note({ field: `${at}.name`, what: `the path '${shown(entry.name)}' (its segment '${segment}' would reach a JavaScript prototype, and helmcycle refuses it)`, instead: 'none: rename the key in the chart and its values' });
      return;
    }
    if (entry.values !== undefined) {
      out[entry.name] = `{${entry.values.join(',')}}`;
      return;
    }
    if (entry.value === undefined || entry.value === null) {
      context.note({ field: `${at}.value`, what: `'${shown(entry.name)}' with no value`, instead: `${key}: { '${shown(entry.name)}': … } with the value it needs` });
      return;
    }
    const value = typeof entry.value === 'string' ? scalar(entry.value, `${at}.value`, context) : entry.value;
    if (value !== undefined) out[entry.name] = key === 'setString' ? String(value) : value;
  });
  return out;
}

function installedOf(release: HelmfileRelease, field: string, context: ReleaseContext): boolean {
  if (typeof release.installed !== 'string') return release.installed ?? true;
  const resolved = text(release.installed, `${field}.installed`, context);
  return resolved === undefined ? true : resolved !== 'false';
}

/**
 * helmfile's `verify` (helm --verify) with its `keyring`: the spec's verify and keyring (the keyring's path
 * rewritten for the output, read from inside the stack's folder). helm's default keyring (~/.gnupg) is
 * outside any stack, and a local chart has no provenance: both listed, never guessed.
 */
function provenanceOf(release: HelmfileRelease, chart: string, field: string, context: ReleaseContext): StackChartData {
  const keyring = release.keyring === undefined ? undefined : text(release.keyring, `${field}.keyring`, context);
  if (!release.verify) {
    if (keyring !== undefined) context.note({ field: `${field}.keyring`, what: 'a keyring without verify: true (helmfile reads it only to verify)', instead: 'nothing; add verify: true and keyring: to check the chart\'s provenance' });
    return {};
  }
  if (isLocalPath(chart)) {
    context.note({ field: `${field}.verify`, what: 'verify on a local chart (a folder has no provenance file)', instead: 'none: verify the chart where it is published' });
    return {};
  }
  if (keyring === undefined) {
    context.note({ topic: 'versions', field: `${field}.verify`, what: "verify without a keyring (helm then reads the user's ~/.gnupg/pubring.gpg)", instead: 'verify: true with keyring: a file in the stack folder holding the signers\' public keys (gpg --export KEY > keyring.gpg)' });
    return {};
  }
  return { verify: true, keyring: context.path(keyring) };
}

/** The helm flags helmfile's release and helmDefaults share, under helmcycle's names. */
export function flagsOf(source: Partial<Record<'wait' | 'waitForJobs' | 'timeout' | 'atomic' | 'createNamespace' | 'force' | 'cleanupOnFail' | 'historyMax' | 'skipCRDs' | 'disableHooks', unknown>>): StackChartData {
  const out: StackChartData = {};
  for (const key of ['wait', 'waitForJobs', 'atomic', 'createNamespace', 'force', 'cleanupOnFail', 'historyMax', 'disableHooks'] as const) if (source[key] !== undefined) out[key] = source[key];
  if (source.timeout !== undefined) out.timeoutSeconds = source.timeout;
  if (source.skipCRDs !== undefined) out.skipCrds = source.skipCRDs;
  return out;
}

export function convertRelease(release: HelmfileRelease, field: string, context: ReleaseContext): ConvertedRelease {
  const written = release.name === undefined ? undefined : (text(release.name, `${field}.name`, context) ?? release.name);
  // A flag-like name is refused as it is (helm-input.ts), never quietly made valid.
  const name = written?.startsWith('-') ? written : releaseNameOf(written, release.chart, field, context.note);
  for (const key of Object.keys(release)) if (!(KNOWN_KEYS.release as readonly string[]).includes(key)) context.note(notConvertedKey(fieldAt(field, key), key));
  const { source, credentials } = chartSource(release, name, field, context);
  const namespace = text(release.namespace, `${field}.namespace`, context);
  const pinned = chartVersionOf(source.chart as string, text(release.version, `${field}.version`, context), field, isLocalPath(source.chart as string), context.note);
  source.chart = pinned.chart;
  const version = pinned.version;
  const set = setOf(release.set, 'set', field, context);
  const setString = setOf(release.setString, 'setString', field, context);
  // A reference is resolved to a secret at run time: it goes to helm on stdin (setSensitive), never on argv as a set value.
  const setSensitive: Record<string, string> = {};
  for (const map of [set, setString]) {
    for (const [key, value] of Object.entries(map)) {
      if (!isWholeRef(value)) continue;
      setSensitive[key] = value;
      delete map[key];
    }
  }
  noteRefs(setSensitive, `${field}.set`, context.note);
  const secretValuesFiles = secretFilesOf(release, field, context.scope, context.path, context.note);
  const labels = Object.fromEntries(Object.entries(release.labels ?? {}).map(([k, v]) => [k, text(v, fieldAt(`${field}.labels`, k), context) ?? v]));
  const chart: StackChartData = {
    name,
    ...(namespace ? { namespace } : {}),
    ...source,
    ...(version ? { version } : {}),
    ...(pinned.digest ? { digest: pinned.digest } : {}),
    ...flagsOf(release),
    ...valuesOf(release, field, context),
    ...(Object.keys(set).length ? { set } : {}),
    ...(Object.keys(setString).length ? { setString } : {}),
    ...(secretValuesFiles.length ? { secretValuesFiles } : {}),
    ...(Object.keys(setSensitive).length ? { setSensitive } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
    ...provenanceOf(release, source.chart as string, field, context),
    ...(installedOf(release, field, context) ? {} : { action: 'destroy' }),
  };
  for (const issue of helmInputIssues(chart, field, context.scope.environment)) context.refuse(issue);
  return { chart, ...(credentials ? { credentials } : {}) };
}
