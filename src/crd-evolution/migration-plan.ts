// Which CRD upgrades need a storage migration, and the intermediate CRD that makes one possible. The
// API server refuses a CRD that drops a version still listed in status.storedVersions (objects may
// still be stored there). The way through, as kube-storage-version-migrator does it: serve the new
// storage version while the old ones are still served, write every object back unchanged (so the API
// server re-encodes it at the storage version), trim storedVersions, then apply the new CRD. Pure.
import type { KubeObject } from '../kube/types.js';
import { specOf, storageVersion, storedVersions, versionNamed, type CrdVersion } from './crd-shape.js';

export interface MigrationNeed {
  crd: string;
  kind: string;
  /** Stored versions the new CRD drops: every object must leave them first. */
  from: string[];
  /** The new storage version, where every object ends. */
  to: string;
}

/**
 * The migration a CRD upgrade needs, or undefined when the new CRD keeps every stored version (the API
 * server accepts it as it is). Pure.
 */
export function migrationNeed(live: KubeObject, next: KubeObject): MigrationNeed | undefined {
  const to = storageVersion(next)?.name;
  if (!to) return undefined;
  const dropped = storedVersions(live).filter((version) => !versionNamed(next, version));
  if (dropped.length === 0) return undefined;
  return { crd: next.metadata.name, kind: specOf(next).names.kind, from: dropped, to };
}

/** Why the live CRD cannot be bridged to the new one, or undefined when it can. Pure. */
export function bridgeProblem(live: KubeObject, need: MigrationNeed): string | undefined {
  const missing = need.from.filter((version) => !versionNamed(live, version));
  if (missing.length) return `the live CRD no longer defines stored version(s) ${missing.join(', ')}: their objects cannot be read to migrate them`;
  return undefined;
}

/**
 * The CRD to apply before the objects are written back: the new CRD (its storage version, schemas and
 * conversion) plus the dropped versions still stored, taken from the live CRD, served and not storage,
 * so every object stays readable while it is moved. Applying it again is harmless (resuming). Pure.
 */
export function intermediateCrd(live: KubeObject, next: KubeObject, need: MigrationNeed): KubeObject {
  const kept: CrdVersion[] = need.from.map((name) => ({ ...versionNamed(live, name)!, served: true, storage: false }));
  const spec = specOf(next);
  return { ...next, spec: { ...next.spec, versions: [...spec.versions, ...kept] } };
}

/** "migrate 12 objects of widgets.example.com from v1alpha1 to v1". Pure. */
export function describeMigration(need: MigrationNeed, objects: number): string {
  return `migrate ${objects} object${objects === 1 ? '' : 's'} of ${need.crd} from ${need.from.join(', ')} to ${need.to}`;
}
