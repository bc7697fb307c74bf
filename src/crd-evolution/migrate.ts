// The storage migration, in the order that can be interrupted anywhere (kill -9) and resumed by running
// again, losing no object: (1) apply the intermediate CRD (the new one plus the dropped versions still
// stored, served) and wait until it is served; (2) write every object back unchanged through the new
// storage version, so the API server re-encodes it there; (3) only then trim status.storedVersions to
// that version; the caller (4) applies the new CRD. Every step is idempotent, and the cluster itself
// records how far it got: until the trim, storedVersions still lists the old versions, so the next
// run's migrationNeed asks for the whole migration again.
import { setTimeout as sleep } from 'node:timers/promises';
import { HelmcycleError, KubeRequestError } from '../errors.js';
import type { KubeClient, KubeObject, ObjectRef } from '../kube/types.js';
import { apiVersionOf, conversionStrategy, crdRef, objectName } from './crd-shape.js';
import { intermediateCrd, type MigrationNeed } from './migration-plan.js';

/** Server-side applies CRDs and waits until they are served (the caller's: toolkit/crds.ts applyCrds). */
export type ApplyCrds = (crds: readonly KubeObject[]) => Promise<unknown>;

export interface MigrateOptions {
  log: (message: string) => void;
  applyCrds: ApplyCrds;
  signal?: AbortSignal | undefined;
  /** Log progress every this many objects. */
  progressEvery?: number;
  /** How long to let the API server switch storage versions (STORAGE_SWITCH_SETTLE_MS; unit tests' fakes need none). */
  settleMs?: number;
}

/**
 * The API server swaps a CRD's storage (and so the version it encodes at) when its informer sees the
 * updated CRD, a moment after the update is answered; Established was already True. A write in that
 * moment would still be encoded at the old version, so the rewrite waits this long first.
 */
const STORAGE_SWITCH_SETTLE_MS = 3_000;
const CONFLICT_RETRIES = 5;

function statusOf(error: unknown): number | undefined {
  return error instanceof KubeRequestError ? error.statusCode : (error as { statusCode?: number }).statusCode;
}

interface ManagedEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
  [key: string]: unknown;
}

/**
 * The object to write back: as it is, but for managedFields entries recorded at a version the new CRD
 * drops, which the API server cannot convert once that version is gone. With conversion None the field
 * paths are the same in every version, so such an entry is moved to the new storage version (a
 * duplicate it would make is left out). With nothing to move, managedFields are left out and the server
 * keeps the live ones. This did not close the Helm 4 gap docs/crd-evolution.md describes. Pure.
 */
export function writeBackBody(object: KubeObject, dropped: ReadonlySet<string>, to: string, moveEntries: boolean): KubeObject {
  const { managedFields, ...metadata } = object.metadata;
  const entries = (Array.isArray(managedFields) ? managedFields : []) as ManagedEntry[];
  if (!moveEntries || !entries.some((e) => e.apiVersion && dropped.has(e.apiVersion))) return { ...object, metadata };
  const seen = new Set<string>();
  const moved: ManagedEntry[] = [];
  for (const entry of entries) {
    const next = entry.apiVersion && dropped.has(entry.apiVersion) ? { ...entry, apiVersion: to } : entry;
    const key = `${next.manager}\0${next.operation}\0${next.apiVersion}\0${next.subresource ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    moved.push(next);
  }
  return { ...object, metadata: { ...metadata, managedFields: moved } };
}

/** Writes one object back as it is; a conflict (it changed meanwhile) reads it again; gone is done. */
async function rewrite(kube: KubeClient, object: KubeObject, body: (o: KubeObject) => KubeObject): Promise<boolean> {
  let current: KubeObject | undefined = object;
  for (let attempt = 0; ; attempt++) {
    try {
      await kube.replaceObject(body(current));
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return false;
      if (status !== 409 || attempt >= CONFLICT_RETRIES) throw error;
    }
    const ref: ObjectRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
    current = await kube.getObject(ref);
    if (!current) return false;
  }
}

const LIST_RETRY_MS = 1_000;
const LIST_ATTEMPTS = 30;

/**
 * Every object, listed through the new storage version. Right after the intermediate CRD, the API
 * server may not route that version yet, and a kind it does not serve lists as empty: trimming after
 * rewriting nothing would strand every object. So the list is taken only once it names every object
 * the old version (still served) lists; one deleted in between ends the wait as well.
 */
async function listEveryObject(kube: KubeClient, next: KubeObject, need: MigrationNeed, options: MigrateOptions): Promise<KubeObject[]> {
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  for (let attempt = 1; ; attempt++) {
    const old = await kube.listObjects(apiVersionOf(next, need.from[0]!), need.kind);
    const listed = await kube.listObjects(apiVersionOf(next, need.to), need.kind);
    const names = new Set(listed.map(key));
    const missing = old.filter((o) => !names.has(key(o)));
    if (missing.length === 0) return listed;
    if (attempt >= LIST_ATTEMPTS) {
      throw new HelmcycleError('KUBE_REQUEST_FAILED', `CRD ${need.crd}: ${need.to} lists ${listed.length} objects where ${need.from[0]} lists ${old.length} (e.g. ${missing.slice(0, 3).map(objectName).join(', ')}); not migrating a partial list`, {
        hint: 'run again once the API server serves the new version; nothing was trimmed',
      });
    }
    await sleep(LIST_RETRY_MS, undefined, { signal: options.signal });
  }
}

export interface MigrationOutcome {
  rewritten: number;
  storedVersions: string[];
}

/** Runs the migration `need` asks for on the live CRD (steps 1-3); the caller applies the new CRD after. */
export async function migrateStorage(kube: KubeClient, live: KubeObject, next: KubeObject, need: MigrationNeed, options: MigrateOptions): Promise<MigrationOutcome> {
  const bridge = intermediateCrd(live, next, need);
  await options.applyCrds([bridge]);
  options.log(`CRD ${need.crd}: serving ${need.to} as the storage version while ${need.from.join(', ')} are still served`);
  await sleep(options.settleMs ?? STORAGE_SWITCH_SETTLE_MS, undefined, { signal: options.signal });

  const objects = await listEveryObject(kube, next, need, options);
  const every = options.progressEvery ?? 25;
  const dropped = new Set(need.from.map((version) => apiVersionOf(next, version)));
  const body = (o: KubeObject) => writeBackBody(o, dropped, apiVersionOf(next, need.to), conversionStrategy(next) === 'None');
  let rewritten = 0;
  for (const object of objects) {
    options.signal?.throwIfAborted();
    if (await rewrite(kube, object, body)) rewritten++;
    if (rewritten % every === 0 && rewritten < objects.length) options.log(`CRD ${need.crd}: rewrote ${rewritten}/${objects.length} objects at ${need.to}`);
  }
  options.log(`CRD ${need.crd}: rewrote ${rewritten} object(s) at ${need.to} (${objects.length - rewritten} gone meanwhile): ${objects.slice(0, 3).map(objectName).join(', ')}${objects.length > 3 ? ', …' : ''}`);

  // Every object is now stored at `to`; one created meanwhile was stored there too.
  const trimmed = await kube.patchObjectStatus(crdRef(need.crd), { status: { storedVersions: [need.to] } });
  const storedVersions = ((trimmed.status as { storedVersions?: string[] } | undefined)?.storedVersions) ?? [need.to];
  options.log(`CRD ${need.crd}: storedVersions trimmed to ${storedVersions.join(', ')}`);
  return { rewritten, storedVersions };
}
