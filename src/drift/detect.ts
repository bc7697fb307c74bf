// Reads a deployed release's drift: each object of its stored manifest against the live object, as the
// API server sees it (compare.ts). One GET per object; a server-side apply dry run (never stored) only
// for the objects whose managedFields do not prove them untouched (ownership.ts).
import { KubeRequestError } from '../errors.js';
import type { CallOptions, HelmClient, ReleaseRef } from '../helm/types.js';
import { parseManifest, refOf } from '../kube/manifest.js';
import { readRecent, type RecentRead } from '../kube/recent-reads.js';
import type { KubeClient, KubeObject } from '../kube/types.js';
import { compareDryRun, resourceName, type DriftField } from './compare.js';
import { releaseManager } from './field-set.js';
import { ownsEveryDeclaredField } from './ownership.js';

export interface ResourceDrift {
  /** "Deployment/ns/name". */
  resource: string;
  /** The drifted fields; one field with an empty path when the object is missing live. */
  fields: DriftField[];
}

/** An object the chart's `backup` names: its data is kept across reinstalls on purpose. */
export interface KeptObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

function isKept(object: KubeObject, kept: readonly KeptObject[], namespace: string): boolean {
  return kept.some((k) => k.apiVersion === object.apiVersion && k.kind === object.kind && k.name === object.metadata.name && (k.namespace ?? namespace) === (object.metadata.namespace ?? namespace));
}

/**
 * Drift of the objects in `manifest` (a release's stored manifest). Objects the chart backs up are left
 * out: after a reinstall helmcycle put their saved state back (a generated password, say), so they differ
 * from the manifest by design, and "repairing" them would undo the backup.
 */
export async function detectManifestDrift(kube: KubeClient, manifest: string, namespace: string, kept: readonly KeptObject[] = [], options: DriftReadOptions = {}): Promise<ResourceDrift[]> {
  const declared = parseManifest(manifest, namespace).filter((object) => !isKept(object, kept, namespace));
  const found = await Promise.all(declared.map(async (object) => ({ object, fields: await objectDrift(kube, object, options) })));
  return found.flatMap(({ object, fields }) => (fields.length ? [{ resource: resourceName(object), fields }] : []));
}

/**
 * The field manager of the dry runs. Not helm's own: a server-side apply under helm's manager prunes
 * what helm applied last time beside the manifest (the meta.helm.sh annotations and the managed-by
 * label Helm 4 adds to every object are not in the stored manifest), which helm's next upgrade would
 * not do. Under a manager of its own the dry run merges the manifest over the live object the way
 * helm's upgrade does, `force` takes the fields other managers changed (as a repair would), and the
 * dry run's entry for this manager is exactly the manifest's fields.
 */
export const DRIFT_FIELD_MANAGER = 'helmcycle-drift';

export interface DriftReadOptions {
  /** Dry-run every object, even one its managedFields prove untouched (measurements, tests). */
  dryRunEvery?: boolean;
  /** The live objects may come from a run's recent lists (recent-reads.ts), taken after this. */
  recent?: RecentRead | undefined;
}

/** The drifted fields of one declared object: what a server-side apply of it would change. */
async function objectDrift(kube: KubeClient, declared: KubeObject, options: DriftReadOptions): Promise<DriftField[]> {
  const live = options.recent ? await readRecent(kube, refOf(declared), options.recent) : await kube.getObject(refOf(declared));
  if (!live) return [{ path: '', declared: 'present', live: 'missing' }];
  if (!options.dryRunEvery && ownsEveryDeclaredField(declared, live, releaseManager(live))) return [];
  let dryRun: KubeObject;
  try {
    dryRun = await kube.applyObject(declared, { fieldManager: DRIFT_FIELD_MANAGER, force: true, dryRun: true });
  } catch (error) {
    if (!(error instanceof KubeRequestError)) throw error;
    throw new KubeRequestError(`reading drift of ${resourceName(declared)}: the server-side apply dry run it is compared by failed: ${error.message}`, error.statusCode, {
      cause: error,
      hint: error.statusCode === 403 ? `reading drift needs the right to patch ${declared.kind} (a dry run stores nothing); grant it, or set ignoreDrift` : undefined,
    });
  }
  return compareDryRun(dryRun, live, DRIFT_FIELD_MANAGER);
}

/** Drift of a deployed release: its stored manifest (from release storage) against the cluster. */
export async function detectReleaseDrift(helm: HelmClient, kube: KubeClient, ref: ReleaseRef & { revision?: number }, options: CallOptions = {}, kept: readonly KeptObject[] = [], read: DriftReadOptions = {}): Promise<ResourceDrift[]> {
  return detectManifestDrift(kube, await helm.getManifest(ref, options), ref.namespace, kept, read);
}

/** "2 resource(s) drifted: Deployment/ns/web (spec.replicas), ConfigMap/ns/web (data.message)". Pure. */
export function describeDrift(drift: readonly ResourceDrift[]): string {
  const each = drift.map((d) => `${d.resource} (${d.fields.map((f) => f.path || 'missing').join(', ')})`);
  return `${drift.length} resource(s) drifted: ${each.join(', ')}`;
}
