// Pure parsers of helm's JSON output into helmcycle's types. Helm 3 and 4 print the same shapes for
// the fields read here; anything unexpected becomes 'unknown' rather than a crash.
import type { ChartMetadata, HelmVersion, ReleaseInfo, ReleaseStatus, RevisionInfo } from './types.js';
import { parse as parseYaml } from 'yaml';

const STATUSES: ReadonlySet<string> = new Set<ReleaseStatus>([
  'unknown', 'deployed', 'uninstalled', 'superseded', 'failed', 'uninstalling',
  'pending-install', 'pending-upgrade', 'pending-rollback',
]);

export function toReleaseStatus(value: unknown): ReleaseStatus {
  return typeof value === 'string' && STATUSES.has(value) ? (value as ReleaseStatus) : 'unknown';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Parses `helm version --template {{.Version}}`, e.g. "v3.17.2" or "v4.1.4". */
export function parseHelmVersion(output: string): HelmVersion {
  const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(output.trim());
  if (!match) throw new Error(`cannot read a helm version from ${JSON.stringify(output.trim().slice(0, 80))}`);
  const major = Number(match[1]);
  if (major !== 3 && major !== 4) throw new Error(`helm ${output.trim()} is not supported: helmcycle drives Helm 3 and Helm 4`);
  return { version: `v${match[1]}.${match[2]}.${match[3]}`, major, minor: Number(match[2]), patch: Number(match[3]) };
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).map(([k, v]) => [k, String(v)]));
}

/** Parses `helm get metadata -o json`. */
export function parseReleaseMetadata(json: string): ReleaseInfo {
  const data = record(JSON.parse(json));
  return {
    name: String(data.name ?? ''),
    namespace: String(data.namespace ?? ''),
    revision: Number(data.revision ?? 0),
    status: toReleaseStatus(data.status),
    chartName: String(data.chart ?? ''),
    chartVersion: String(data.version ?? ''),
    appVersion: str(data.appVersion),
    description: undefined,
    updated: str(data.deployedAt),
    ...(data.labels && typeof data.labels === 'object' ? { labels: stringRecord(data.labels) } : {}),
  };
}

/** A release as helm writes it whole: with its manifest and user-supplied values. */
export interface ReleaseObject extends ReleaseInfo {
  manifest: string;
  /** The user-supplied values (`helm get values`). */
  config: Record<string, unknown>;
}

/**
 * The one reading of a release object, whether `helm upgrade --output json` printed it or helm's
 * storage keeps it (release-storage.ts): the same JSON either way. `fallback` fills what the object
 * leaves out (a storage record's labels also name the release and revision). Pure.
 */
export function readReleaseObject(value: unknown, fallback: { name?: string | undefined; namespace?: string | undefined; revision?: string | undefined } = {}): ReleaseObject {
  const data = record(value);
  const info = record(data.info);
  const metadata = record(record(data.chart).metadata);
  return {
    name: String(data.name ?? fallback.name ?? ''),
    namespace: String(data.namespace ?? fallback.namespace ?? ''),
    revision: Number(data.version ?? fallback.revision ?? 0),
    status: toReleaseStatus(info.status),
    chartName: String(metadata.name ?? ''),
    chartVersion: String(metadata.version ?? ''),
    appVersion: str(metadata.appVersion),
    description: str(info.description),
    // RFC 3339 as helm prints it (fractional seconds kept).
    updated: str(info.last_deployed),
    manifest: typeof data.manifest === 'string' ? data.manifest : '',
    config: record(data.config),
  };
}

/** The release info of a release object, without its manifest and values. Pure. */
export function releaseInfoOf(release: ReleaseInfo): ReleaseInfo {
  const { name, namespace, revision, status, chartName, chartVersion, appVersion, description, updated, labels } = release;
  return { name, namespace, revision, status, chartName, chartVersion, appVersion, description, updated, ...(labels ? { labels } : {}) };
}

/** Parses the release object printed by `helm upgrade --output json`. */
export function parseReleaseObject(json: string): ReleaseObject {
  return readReleaseObject(JSON.parse(json));
}

/** Parses `helm history -o json`, oldest revision first. */
export function parseHistory(json: string): RevisionInfo[] {
  const rows = JSON.parse(json) as unknown;
  if (!Array.isArray(rows)) return [];
  return rows
    .map((row) => {
      const r = record(row);
      return {
        revision: Number(r.revision ?? 0),
        status: toReleaseStatus(r.status),
        chart: String(r.chart ?? ''),
        appVersion: str(r.app_version),
        description: str(r.description),
        updated: str(r.updated),
      };
    })
    .sort((a, b) => a.revision - b.revision);
}

/**
 * Parses `helm list -o json`. Its "chart" column joins name and version ("web-1.2.0"); the version is
 * the part after the last dash that starts a semantic version.
 */
export function parseList(json: string): ReleaseInfo[] {
  const rows = JSON.parse(json) as unknown;
  if (!Array.isArray(rows)) return [];
  return rows.map((row) => {
    const r = record(row);
    const { name, version } = splitChartColumn(String(r.chart ?? ''));
    return {
      name: String(r.name ?? ''),
      namespace: String(r.namespace ?? ''),
      revision: Number(r.revision ?? 0),
      status: toReleaseStatus(r.status),
      chartName: name,
      chartVersion: version,
      appVersion: str(r.app_version),
      description: undefined,
      updated: str(r.updated),
    };
  });
}

export function splitChartColumn(chart: string): { name: string; version: string } {
  const match = /^(.*)-(v?\d+\.\d+\.\d+.*)$/.exec(chart);
  return match ? { name: match[1] ?? chart, version: match[2] ?? '' } : { name: chart, version: '' };
}

/** Parses `helm show chart` (Chart.yaml). */
export function parseChartYaml(yaml: string): ChartMetadata {
  const data = record(parseYaml(yaml));
  return {
    name: String(data.name ?? ''),
    version: String(data.version ?? ''),
    appVersion: str(data.appVersion),
    kubeVersion: str(data.kubeVersion),
  };
}
