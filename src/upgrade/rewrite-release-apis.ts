// The remedy of `removed-api-in-release` (rewrite-release-apis-retry): the stored manifest of the
// revision helm upgrades from names an API the cluster no longer serves, so every helm upgrade and
// rollback fails before it starts. As helm-mapkubeapis does, the record is read from helm's storage,
// decoded, each such object's apiVersion replaced by the table's replacement (an object with none is
// dropped), and the record written back; unlike it, the original `release` field is first kept, byte
// for byte, in a Secret beside the record (helmcycle-backup.<record name>), and the record is replaced
// at the resourceVersion read, so a concurrent writer makes this fail instead of being overwritten.
// It runs as a remedy, so under the release's lease (the runner claims it before any remedy).
import { KubeRequestError } from '../errors.js';
import { decodeReleaseRecord, isReleaseRecord, recordSelector, storageDriverOf, storageKind } from '../helm/release-storage.js';
import type { HelmClient } from '../helm/types.js';
import { parseManifest } from '../kube/manifest.js';
import type { KubeClient } from '../kube/types.js';
import { mayNameRemovedApi, removedApiOf } from './api-removals.js';
import { currentRevisionOf } from './current-revision.js';
import { rewriteManifestApis, type ApiMapping } from './manifest-rewrite.js';
import { backupSecretOf, recordWithManifest } from './release-record.js';

export interface RewriteContext {
  spec: { name: string; namespace: string };
  helm: HelmClient;
  kube: KubeClient;
  log: (message: string, level?: 'info' | 'warn') => void;
}

/** The apiVersions of a manifest the cluster does not serve and the table knows a fate for. */
export async function unservedMappings(kube: Pick<KubeClient, 'kindServed'>, manifest: string, namespace: string): Promise<ApiMapping[]> {
  const seen = new Map<string, ApiMapping | undefined>();
  if (!mayNameRemovedApi(manifest)) return [];
  for (const object of parseManifest(manifest, namespace)) {
    const key = `${object.apiVersion}/${object.kind}`;
    if (seen.has(key)) continue;
    const api = removedApiOf(object.apiVersion, object.kind);
    seen.set(key, api && !(await kube.kindServed(object.apiVersion, object.kind)) ? { apiVersion: api.apiVersion, kind: api.kind, replacement: api.replacement } : undefined);
  }
  return [...seen.values()].filter((m): m is ApiMapping => m !== undefined);
}

/** Takes the remedy; returns what it did, in words. Throws (changing nothing) when it cannot. */
export async function rewriteReleaseApis(ctx: RewriteContext, helmDriver = process.env.HELM_DRIVER): Promise<string> {
  const { name, namespace } = ctx.spec;
  const driver = storageDriverOf(helmDriver);
  if (!driver) throw new Error(`helm keeps this release's records with HELM_DRIVER=${helmDriver}, which helmcycle cannot rewrite (only secret and configmap)`);
  const records = (await ctx.kube.listByLabels('v1', storageKind(driver), namespace, recordSelector(name))).filter((o) => isReleaseRecord(o, driver));
  const decoded = records.map((object) => ({ object, ...decodeReleaseRecord(object, driver) }));
  const current = currentRevisionOf(decoded);
  if (!current) throw new Error(`release ${namespace}/${name} has no stored revision to rewrite`);
  const mappings = await unservedMappings(ctx.kube, current.manifest, namespace);
  if (mappings.length === 0) throw new Error(`the stored manifest of revision ${current.revision} holds no API that the cluster stopped serving and helmcycle knows the replacement of; helm's error names the object (a CRD's kind must come back, or the record be fixed by hand)`);
  for (const m of mappings) {
    if (m.replacement && !(await ctx.kube.kindServed(m.replacement, m.kind))) throw new Error(`${m.kind} ${m.apiVersion} would be rewritten to ${m.replacement}, which this cluster does not serve either; nothing was changed`);
  }
  const rewritten = rewriteManifestApis(current.manifest, mappings);
  if (rewritten.changes.length === 0) throw new Error(`the stored manifest of revision ${current.revision} could not be rewritten (no top-level apiVersion line to replace); nothing was changed`);
  const backup = backupSecretOf(current.object, driver);
  try {
    await ctx.kube.createObject(backup);
  } catch (error) {
    // A backup from an earlier attempt is of the same revision before any rewrite: it is kept, not replaced.
    if (!(error instanceof KubeRequestError && error.statusCode === 409)) throw error;
  }
  await ctx.kube.replaceObject(recordWithManifest(current.object, driver, rewritten.manifest));
  // The run's view of the release read the record before: it reads it again.
  await ctx.helm.reread({ release: name, namespace });
  const message = `rewrote the stored manifest of revision ${current.revision}: ${rewritten.changes.join(', ')}; the original is kept in Secret ${namespace}/${backup.metadata.name}`;
  ctx.log(message, 'warn');
  return message;
}
