// One Helm release record (the Secret or ConfigMap sh.helm.release.v1.NAME.vN) read as the release
// JSON it holds, written back with another manifest, and copied into a backup Secret. Helm's encoding:
// the `release` field is base64 of gzip of the release JSON, and a Secret's data is base64 once more
// (release-storage.ts reads it the same way). Pure.
import { gzipSync } from 'node:zlib';
import { decodeReleaseField, type StorageDriver } from '../helm/release-storage.js';
import type { KubeObject } from '../kube/types.js';

/** The Secret type of a backup: no owner=helm label and not helm's type, so helm never reads it as a release. */
export const BACKUP_TYPE = 'helmcycle.dev/release-record-backup';

type Json = Record<string, unknown>;
const record = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});

/** The record's `release` field as the record stores it (a Secret's still base64 once more). */
function storedField(object: KubeObject): string {
  const raw = record(object.data).release;
  if (typeof raw !== 'string') throw new Error(`release record ${object.metadata.namespace}/${object.metadata.name} has no release field`);
  return raw;
}

/** The release JSON a record holds, every field of it. */
export function releaseJsonOf(object: KubeObject, driver: StorageDriver): Json {
  const field = storedField(object);
  return record(decodeReleaseField(driver === 'secret' ? Buffer.from(field, 'base64').toString('utf8') : field));
}

/**
 * The record with `manifest` in place of its release's manifest, nothing else changed. (No annotation
 * names the backup: helm's next write of the record, superseding it, replaces the object whole. The
 * backup names its record instead.)
 */
export function recordWithManifest(object: KubeObject, driver: StorageDriver, manifest: string): KubeObject {
  const release = { ...releaseJsonOf(object, driver), manifest };
  const field = gzipSync(Buffer.from(JSON.stringify(release), 'utf8')).toString('base64');
  const data = { ...record(object.data), release: driver === 'secret' ? Buffer.from(field, 'utf8').toString('base64') : field };
  return { ...object, data };
}

/** The backup's name: the record's, under a prefix helm's selectors never match. */
export function backupNameOf(object: KubeObject): string {
  return `helmcycle-backup.${object.metadata.name}`;
}

/**
 * A Secret holding the record's `release` field exactly as stored (restoring is copying it back, see
 * docs/api-removals.md). Always a Secret, whatever the driver: the release holds the values, secrets included.
 */
export function backupSecretOf(object: KubeObject, driver: StorageDriver): KubeObject {
  const field = storedField(object);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: BACKUP_TYPE,
    metadata: {
      name: backupNameOf(object),
      namespace: object.metadata.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'helmcycle', 'helmcycle.dev/backup-of': object.metadata.labels?.name ?? '' },
      annotations: { 'helmcycle.dev/record': `${object.kind}/${object.metadata.name}`, 'helmcycle.dev/revision': object.metadata.labels?.version ?? '' },
    },
    // A Secret record's data is already base64; a ConfigMap's plain string becomes Secret data here.
    data: { release: driver === 'secret' ? field : Buffer.from(field, 'utf8').toString('base64') },
  };
}
