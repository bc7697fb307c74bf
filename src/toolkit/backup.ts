// Backups across a reinstall. A breaking-version reinstall uninstalls the release, and with it every
// object the chart made: a Secret holding generated credentials is regenerated with new values, and the
// data behind them is lost to its users. These helpers copy named objects into one Secret in the
// cluster before the uninstall and put them back after the install. The copy stays in the cluster until
// the restore succeeds, so a crash in between loses nothing: the next run finds it and restores it.
import { HelmcycleError } from '../errors.js';
import { readRecent, type RecentRead } from '../kube/recent-reads.js';
import type { KubeClient, KubeObject, ObjectRef } from '../kube/types.js';

export const BACKUP_TYPE = 'helmcycle.dev/backup';
export const BACKUP_OF_LABEL = 'helmcycle.dev/backup-of';
const OBJECTS_KEY = 'objects.json';

export interface BackupLocation {
  /** The release the backup belongs to; the backup Secret is named after it. */
  release: string;
  /** Where the backup Secret lives (the release's namespace). */
  namespace: string;
}

export function backupSecretName(release: string): string {
  return `helmcycle-backup-${release}`;
}

function backupRef(at: BackupLocation): ObjectRef {
  return { apiVersion: 'v1', kind: 'Secret', namespace: at.namespace, name: backupSecretName(at.release) };
}

function describe(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** An object as it can be created again: without the server's bookkeeping, owners or status. Pure. */
export function portableCopy(object: KubeObject): KubeObject {
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, managedFields: _m, generation: _g, ownerReferences: _o, selfLink: _s, deletionTimestamp: _d, deletionGracePeriodSeconds: _dg, ...metadata } =
    object.metadata;
  const { status: _status, ...rest } = object;
  return { ...rest, metadata };
}

/**
 * The live object with the saved object's content put back. Helm's ownership metadata and the live
 * resourceVersion stay (the object belongs to the new release); everything else comes from the copy.
 * Pure.
 */
export function restoredObject(saved: KubeObject, live: KubeObject): KubeObject {
  const { metadata: _metadata, ...content } = saved;
  return {
    ...content,
    metadata: {
      ...live.metadata,
      labels: { ...saved.metadata.labels, ...live.metadata.labels },
      annotations: { ...saved.metadata.annotations, ...live.metadata.annotations },
    },
  };
}

export interface BackupSummary {
  /** kind/namespace/name of each object saved. */
  saved: string[];
  /** Objects that did not exist, so there was nothing to save. */
  missing: string[];
}

/**
 * Reads the saved objects, or undefined when there is no backup. `recent`: the backup may be read from a
 * run's recent list of the namespace's backups (recent-reads.ts; every backup carries BACKUP_OF_LABEL).
 */
export async function readBackup(kube: KubeClient, at: BackupLocation, recent?: RecentRead): Promise<KubeObject[] | undefined> {
  const secret = recent ? await readRecent(kube, backupRef(at), { ...recent, labelSelector: BACKUP_OF_LABEL }) : await kube.getObject(backupRef(at));
  if (!secret) return undefined;
  const encoded = (secret.data as Record<string, string> | undefined)?.[OBJECTS_KEY];
  if (!encoded) throw new HelmcycleError('BACKUP_FAILED', `backup ${describe(backupRef(at))} has no ${OBJECTS_KEY}`);
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as KubeObject[];
}

/**
 * Saves the named objects into the backup Secret. An existing backup is left as it is and reported:
 * it is the copy from before an interrupted reinstall, the only one that still holds the old data.
 */
export async function backupResources(kube: KubeClient, at: BackupLocation, refs: readonly ObjectRef[]): Promise<BackupSummary & { existing: boolean }> {
  const existing = await readBackup(kube, at);
  if (existing) return { saved: existing.map((o) => describe({ ...o, name: o.metadata.name, namespace: o.metadata.namespace })), missing: [], existing: true };
  const found = await Promise.all(refs.map(async (ref) => ({ ref, live: await kube.getObject(ref) })));
  const objects = found.filter((f) => f.live).map((f) => portableCopy(f.live!));
  const payload = Buffer.from(JSON.stringify(objects), 'utf8');
  // A Secret holds at most 1 MiB; say so plainly rather than letting the API server reject it.
  if (payload.length > 1_000_000) {
    throw new HelmcycleError('BACKUP_FAILED', `backup of ${refs.length} objects is ${payload.length} bytes, over a Secret's 1 MiB limit`, {
      hint: 'back up fewer or smaller objects',
    });
  }
  await kube.createObject({
    apiVersion: 'v1',
    kind: 'Secret',
    type: BACKUP_TYPE,
    metadata: { name: backupSecretName(at.release), namespace: at.namespace, labels: { [BACKUP_OF_LABEL]: at.release } },
    data: { [OBJECTS_KEY]: payload.toString('base64') },
  });
  return { saved: found.filter((f) => f.live).map((f) => describe(f.ref)), missing: found.filter((f) => !f.live).map((f) => describe(f.ref)), existing: false };
}

/**
 * Puts every saved object back (replacing what the new install made, or creating it), then deletes the
 * backup. When any object fails, the backup stays for the next attempt. Returns what was restored, or
 * undefined when there was no backup.
 */
export async function restoreBackup(kube: KubeClient, at: BackupLocation): Promise<string[] | undefined> {
  const saved = await readBackup(kube, at);
  if (!saved) return undefined;
  const restored: string[] = [];
  for (const object of saved) {
    const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
    const live = await kube.getObject(ref);
    if (live) await kube.replaceObject(restoredObject(object, live));
    else await kube.createObject(object);
    restored.push(describe(ref));
  }
  await kube.deleteObject(backupRef(at));
  return restored;
}
