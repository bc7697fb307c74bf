// Helm's own release records, decoded: what `helm get metadata/history/manifest/values` would print,
// read from the Secrets (or ConfigMaps) Helm stores every revision in, without starting helm.
//
// Helm's storage drivers keep one object per revision, named sh.helm.release.v1.<name>.v<revision>,
// labelled owner=helm, name=<release>, status=<status>, version=<revision>, plus the release's own
// labels. The `release` field is base64 of gzip of the release as JSON; a Secret's data is base64 once
// more. Helm 3 and Helm 4 write the same record (type helm.sh/release.v1). Pure functions only.
import { gunzipSync } from 'node:zlib';
import type { KubeObject } from '../kube/types.js';
import { readReleaseObject, releaseInfoOf, type ReleaseObject } from './parse.js';
import type { ReleaseInfo, RevisionInfo } from './types.js';

/** Where helm keeps release records: HELM_DRIVER, secret(s) by default. */
export type StorageDriver = 'secret' | 'configmap';

/** Labels helm's drivers set for themselves; every other label on a record is the release's own. */
const SYSTEM_LABELS: ReadonlySet<string> = new Set(['name', 'owner', 'status', 'version', 'createdAt', 'modifiedAt']);

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** One revision of a release as Helm stored it: the release object, and the labels of its record. */
export interface StoredRelease extends ReleaseObject {
  labels: Record<string, string>;
}

/** The storage driver HELM_DRIVER names; an unsupported one (sql, memory) is undefined: ask helm then. */
export function storageDriverOf(value: string | undefined): StorageDriver | undefined {
  const driver = (value ?? '').trim().toLowerCase();
  if (driver === '' || driver === 'secret' || driver === 'secrets') return 'secret';
  if (driver === 'configmap' || driver === 'configmaps') return 'configmap';
  return undefined;
}

export function storageKind(driver: StorageDriver): 'Secret' | 'ConfigMap' {
  return driver === 'secret' ? 'Secret' : 'ConfigMap';
}

/** The label selector of a namespace's release records, or of one release's. */
export function recordSelector(release?: string): string {
  return release ? `owner=helm,name=${release}` : 'owner=helm';
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The release JSON inside a record's `release` field (already base64-decoded once for a Secret). */
export function decodeReleaseField(encoded: string): unknown {
  const bytes = Buffer.from(encoded, 'base64');
  // Helm gzips every record it writes, but reads an ungzipped one as well; so does this.
  const json = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1] ? gunzipSync(bytes) : bytes;
  return JSON.parse(json.toString('utf8'));
}

/** The `release` field of a record object, whichever driver wrote it. */
function releaseFieldOf(object: KubeObject, driver: StorageDriver): string | undefined {
  const raw = record(object.data).release;
  if (typeof raw !== 'string') return undefined;
  return driver === 'secret' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

export function releaseLabelsOf(object: KubeObject): Record<string, string> {
  return Object.fromEntries(Object.entries(object.metadata.labels ?? {}).filter(([key]) => !SYSTEM_LABELS.has(key)));
}

/** True when the object is a release record of helm's (and not some other Secret that matched the labels). */
export function isReleaseRecord(object: KubeObject, driver: StorageDriver): boolean {
  if (object.metadata.labels?.owner !== 'helm') return false;
  return driver === 'configmap' || object.type === 'helm.sh/release.v1';
}

/** Decodes one record. Throws (with the record's name) on a record helm could not read either. */
export function decodeReleaseRecord(object: KubeObject, driver: StorageDriver): StoredRelease {
  const field = releaseFieldOf(object, driver);
  if (field === undefined) throw new Error(`release record ${object.metadata.namespace}/${object.metadata.name} has no release field`);
  let data: Record<string, unknown>;
  try {
    data = record(decodeReleaseField(field));
  } catch (error) {
    throw new Error(`release record ${object.metadata.namespace}/${object.metadata.name} cannot be decoded: ${(error as Error).message}`, { cause: error });
  }
  const labels = object.metadata.labels ?? {};
  return {
    ...readReleaseObject(data, { name: labels.name, namespace: object.metadata.namespace, revision: labels.version }),
    labels: releaseLabelsOf(object),
  };
}

/** A namespace's release records grouped by release (its `name` label), not yet decoded. Pure. */
export function recordsByRelease(objects: readonly KubeObject[], driver: StorageDriver): Map<string, KubeObject[]> {
  const byName = new Map<string, KubeObject[]>();
  for (const object of objects) {
    const name = object.metadata.labels?.name;
    if (!name || !isReleaseRecord(object, driver)) continue;
    byName.set(name, [...(byName.get(name) ?? []), object]);
  }
  return byName;
}

/** One release's revisions decoded, oldest first. */
export function decodeRevisions(objects: readonly KubeObject[], driver: StorageDriver): StoredRelease[] {
  return objects.map((object) => decodeReleaseRecord(object, driver)).sort((a, b) => a.revision - b.revision);
}

/** The revisions of each release in a list of records, oldest first; records of other owners are left out. */
export function groupRecords(objects: readonly KubeObject[], driver: StorageDriver): Map<string, StoredRelease[]> {
  return new Map([...recordsByRelease(objects, driver)].map(([name, records]) => [name, decodeRevisions(records, driver)]));
}

/** `helm status` / `get metadata`: the latest revision, whatever its state. */
export function latestRevision(revisions: readonly StoredRelease[]): StoredRelease | undefined {
  return revisions.at(-1);
}

/** `helm status` / `get metadata`: the release info of a revision. */
export const toReleaseInfo: (stored: StoredRelease) => ReleaseInfo = releaseInfoOf;

export function toRevisionInfo(stored: StoredRelease): RevisionInfo {
  return {
    revision: stored.revision,
    status: stored.status,
    chart: `${stored.chartName}-${stored.chartVersion}`,
    appVersion: stored.appVersion,
    description: stored.description,
    updated: stored.updated,
  };
}
