// What `helm show chart` would say, answered without starting helm where that is certain to give the
// same answer: a local chart folder (its Chart.yaml), or a chart in an anonymous http(s) repository
// (its entry in the repository's index, fetched and parsed once per run, the version picked as helm
// picks it). Anything else (OCI, credentials, client certificates, a packaged .tgz, a constraint
// node-semver does not read the way helm does) answers undefined: the caller asks helm.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import { parseChartYaml } from './parse.js';
import type { ChartMetadata, ChartSource } from './types.js';

interface IndexEntry {
  name?: unknown;
  version?: unknown;
  appVersion?: unknown;
  kubeVersion?: unknown;
  /** Where the package is: absolute, or relative to the repository's URL. */
  urls?: unknown;
  /** The package's sha256, hex. */
  digest?: unknown;
}

export type RepositoryIndex = Map<string, IndexEntry[]>;

/** A downloaded index: one chart's entries scanned on demand, the whole document parsed only when needed. */
export class IndexText {
  private parsed: RepositoryIndex | undefined;
  private readonly scanned = new Map<string, IndexEntry[] | undefined>();

  constructor(private readonly text: string) {}

  entries(chart: string): IndexEntry[] | undefined {
    if (!this.scanned.has(chart)) {
      const scanned = this.parsed ? undefined : scanIndexEntries(this.text, chart);
      this.scanned.set(chart, scanned ?? (this.parsed ??= parseRepositoryIndex(this.text)).get(chart));
    }
    return this.scanned.get(chart);
  }
}

/** Parses a repository index (YAML, or the JSON some servers write). Pure. */
export function parseRepositoryIndex(text: string): RepositoryIndex {
  const trimmed = text.trimStart();
  const data = (trimmed.startsWith('{') ? JSON.parse(trimmed) : parseYaml(text, { maxAliasCount: -1 })) as { entries?: Record<string, IndexEntry[]> } | null;
  return new Map(Object.entries(data?.entries ?? {}).filter(([, versions]) => Array.isArray(versions)));
}

const WANTED_FIELDS = new Set(['name', 'version', 'appVersion', 'kubeVersion', 'digest']);

/** One plain, single- or double-quoted scalar on one line; undefined for anything else. Pure. */
function scalar(raw: string): string | undefined {
  const value = raw.replace(/\s+#.*$/, '').trim();
  if (value.startsWith('"')) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return undefined;
    }
  }
  if (value.startsWith("'")) return value.endsWith("'") && value.length >= 2 ? value.slice(1, -1).replace(/''/g, "'") : undefined;
  return value === '' || /^[|>&*!{[]/.test(value) ? undefined : value;
}

/**
 * The entries of one chart, read line by line from an index in the block style `helm repo index`
 * writes, without parsing the whole document (a big public index is megabytes of YAML: seconds to
 * parse in JavaScript). Undefined when the text is not in that shape: the caller parses it whole. Pure.
 */
export function scanIndexEntries(text: string, chart: string): IndexEntry[] | undefined {
  const lines = text.split('\n');
  const top = lines.findIndex((line) => /^entries:\s*$/.test(line));
  if (top < 0) return undefined;
  let start = -1;
  let keyIndent = -1;
  for (let i = top + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\S/.test(line)) break; // the next top-level key: the chart is not listed
    const match = /^( +)([^\s:#][^:]*):\s*$/.exec(line);
    if (match && (keyIndent < 0 || match[1]!.length === keyIndent)) {
      keyIndent = match[1]!.length;
      const key = scalar(match[2]!);
      if (key === chart) {
        start = i + 1;
        break;
      }
    }
  }
  if (start < 0) return keyIndent < 0 ? undefined : [];
  const entries: IndexEntry[] = [];
  let fieldIndent = -1;
  let current: Record<string, string | string[]> | undefined;
  // The entry's `urls:` list is being read (its items may sit at the key's indentation or deeper).
  let inUrls = false;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    if (indent < keyIndent || (indent === keyIndent && !line.trimStart().startsWith('- '))) break; // the next chart
    const item = /^( *)- (.*)$/.exec(line);
    if (item && (fieldIndent < 0 || item[1]!.length + 2 === fieldIndent)) {
      if (item[2]!.trimStart().startsWith('{')) return undefined; // flow style: parse it whole
      fieldIndent = item[1]!.length + 2;
      current = {};
      inUrls = false;
      entries.push(current);
    }
    if (!current || fieldIndent < 0) return undefined;
    const body = item && item[1]!.length + 2 === fieldIndent ? item[2]! : indent === fieldIndent ? line.slice(fieldIndent) : undefined;
    if (inUrls && item && indent >= fieldIndent) {
      const url = scalar(item[2]!);
      if (url === undefined) return undefined;
      (current.urls as string[]).push(url);
      continue;
    }
    if (body === undefined) continue; // deeper: a field's own content (maintainers, annotations)
    const field = /^([A-Za-z]+):(?:\s+(.*))?$/.exec(body);
    inUrls = false;
    if (!field) continue;
    if (field[1] === 'urls') {
      if (field[2] !== undefined && field[2].trim() !== '' && !field[2].trim().startsWith('#')) return undefined; // a flow list: parse it whole
      current.urls = [];
      inUrls = true;
    } else if (WANTED_FIELDS.has(field[1]!) && field[2] !== undefined) {
      const value = scalar(field[2]);
      if (value === undefined) return undefined;
      current[field[1]!] = value;
    }
  }
  return entries.every((entry) => typeof entry.version === 'string') ? entries : undefined;
}

/** A Masterminds constraint as node-semver reads it ("," is AND there), or undefined when it does not. Pure. */
export function semverRange(constraint: string): string | undefined {
  const range = constraint.replace(/\s*,\s*/g, ' ').trim();
  return semver.validRange(range) ?? undefined;
}

/**
 * The entry helm would install for `version`: an exact match first, else the highest version that
 * satisfies the constraint (no pre-releases unless asked, as helm); undefined when unsure. Pure.
 */
export function pickIndexEntry(entries: readonly IndexEntry[], version: string | undefined): IndexEntry | undefined | 'none' {
  const wanted = version?.trim() ?? '';
  if (wanted) {
    const exact = entries.find((entry) => entry.version === wanted);
    if (exact) return exact;
  }
  const range = wanted ? semverRange(wanted) : '*';
  if (!range) return undefined;
  let best: { entry: IndexEntry; version: string } | undefined;
  for (const entry of entries) {
    const parsed = typeof entry.version === 'string' ? semver.valid(entry.version) : null;
    if (!parsed || !semver.satisfies(parsed, range)) continue;
    if (!best || semver.gt(parsed, best.version)) best = { entry, version: parsed };
  }
  return best?.entry ?? 'none';
}

function metadataOf(entry: IndexEntry): ChartMetadata {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return { name: String(entry.name ?? ''), version: String(entry.version ?? ''), appVersion: text(entry.appVersion), kubeVersion: text(entry.kubeVersion) };
}

/** True when helm would reach this URL through a proxy (its environment names one): helm answers then. */
function proxied(url: string, env: NodeJS.ProcessEnv): boolean {
  const proxy = url.startsWith('https:') ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  return Boolean(proxy);
}

/** True for a repository source helm would fetch anonymously and directly with its defaults. */
function isPlainRepository(source: ChartSource): boolean {
  return Boolean(source.repository && /^https?:\/\//.test(source.repository) && !source.auth && !source.chart.startsWith('oci://') && !proxied(source.repository, process.env));
}

/**
 * A chart URL of an index resolved as helm resolves it: an absolute URL as it is, a relative one
 * against the repository's URL taken as a folder, with the repository's query kept. Pure.
 */
export function packageUrl(repository: string, reference: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) return reference;
  const base = new URL(repository);
  base.pathname = `${base.pathname.replace(/\/+$/, '')}/`;
  const resolved = new URL(reference, base);
  resolved.search = base.search;
  return resolved.toString();
}

/** Where helm would download a chart's package from, and the digest the index gives it. */
export interface ChartPackage {
  url: string;
  /** sha256, hex, when the index has one. */
  digest: string | undefined;
  name: string;
  version: string;
}

export class ChartResolver {
  private readonly indexes = new Map<string, Promise<IndexText | undefined>>();
  /** Index downloads, for the benchmark. */
  indexFetches = 0;

  constructor(private readonly cwd: string = process.cwd()) {}

  async resolve(source: ChartSource, signal?: AbortSignal): Promise<ChartMetadata | undefined> {
    if (!source.repository && !source.chart.startsWith('oci://')) return this.localChart(source.chart);
    if (!isPlainRepository(source)) return undefined;
    const index = await this.index(source.repository!, signal);
    const entries = index?.entries(source.chart);
    if (!entries) return undefined; // helm's own error message is the better one
    const entry = pickIndexEntry(entries, source.version);
    return entry && entry !== 'none' ? metadataOf(entry) : undefined;
  }

  /**
   * The package helm would download for a plain repository source (the same index entry `resolve`
   * picks); undefined when that is not certain (then helm pulls it).
   */
  async packageOf(source: ChartSource, signal?: AbortSignal): Promise<ChartPackage | undefined> {
    if (!isPlainRepository(source)) return undefined;
    const entries = (await this.index(source.repository!, signal))?.entries(source.chart);
    const entry = entries ? pickIndexEntry(entries, source.version) : undefined;
    if (!entry || entry === 'none') return undefined;
    const url = Array.isArray(entry.urls) && typeof entry.urls[0] === 'string' ? entry.urls[0] : undefined;
    if (!url) return undefined;
    const digest = typeof entry.digest === 'string' && /^[0-9a-f]{64}$/i.test(entry.digest) ? entry.digest.toLowerCase() : undefined;
    const { name, version } = metadataOf(entry);
    return { url: packageUrl(source.repository!, url), digest, name, version };
  }

  private async localChart(chart: string): Promise<ChartMetadata | undefined> {
    const folder = resolve(this.cwd, chart);
    if (!(await stat(folder).catch(() => undefined))?.isDirectory()) return undefined;
    const yaml = await readFile(join(folder, 'Chart.yaml'), 'utf8').catch(() => undefined);
    return yaml === undefined ? undefined : parseChartYaml(yaml);
  }

  /** The repository's index, downloaded and parsed once; undefined when that fails (helm then says why). */
  private index(url: string, signal?: AbortSignal): Promise<IndexText | undefined> {
    let index = this.indexes.get(url);
    if (!index) {
      this.indexFetches++;
      index = fetch(`${url.replace(/\/+$/, '')}/index.yaml`, { ...(signal ? { signal } : {}) })
        .then(async (response) => (response.ok ? new IndexText(await response.text()) : undefined))
        .catch(() => undefined);
      this.indexes.set(url, index);
    }
    return index;
  }
}
