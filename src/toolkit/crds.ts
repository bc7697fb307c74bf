// CRDs across a chart's life. Helm installs a chart's crds/ once and then never upgrades or deletes them,
// so an operator's 2.0.0 whose templates use a new CRD version fails with "no matches for kind". These
// helpers apply the CRDs with server-side apply before the upgrade (sent as they are: every enum,
// default and x-kubernetes-* key), wait until the API server serves them, and delete them on destroy,
// but never while custom resources of theirs still exist. release-crds.ts finds a release's CRDs.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import { HelmcycleError } from '../errors.js';
import type { ChartSource, HelmClient } from '../helm/types.js';
import type { KubeClient, KubeObject } from '../kube/types.js';

export const CRD_API_VERSION = 'apiextensions.k8s.io/v1';
/** The field manager of everything helmcycle applies server-side. */
export const FIELD_MANAGER = 'helmcycle';
const POLL_MS = 500;

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
}

interface CrdSpec {
  group: string;
  names: { kind: string; plural: string };
  versions: CrdVersion[];
}

function crdSpec(crd: KubeObject): CrdSpec {
  return crd.spec as unknown as CrdSpec;
}

export function isCrd(object: unknown): object is KubeObject {
  const o = object as Partial<KubeObject> | null;
  return !!o && o.kind === 'CustomResourceDefinition' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('apiextensions.k8s.io/');
}

/** The CRDs among the YAML documents of one file's text. Pure. */
export function parseCrds(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJSON() as unknown)
    .filter(isCrd);
}

/** Every CRD in the .yaml/.yml/.json files of a directory (not recursing), in file name order. */
export async function readCrdsFromDir(dir: string): Promise<KubeObject[]> {
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const crds: KubeObject[] = [];
  for (const file of files) crds.push(...parseCrds(await readFile(join(dir, file), 'utf8')));
  return crds;
}

/**
 * The CRDs of a chart's own top-level crds/ folder (not its subcharts', not its templates: see
 * readReleaseCrds): the chart is pulled into a private temporary folder.
 */
export async function readChartCrds(helm: HelmClient, source: ChartSource, signal?: AbortSignal): Promise<KubeObject[]> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-crds-'));
  try {
    const chartDir = await helm.pull(source, dir, { signal });
    return await readCrdsFromDir(join(chartDir, 'crds')).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The CRDs of a path: a directory of manifests or one file. */
export async function readCrdsFromPath(path: string): Promise<KubeObject[]> {
  const full = resolve(path);
  try {
    return await readCrdsFromDir(full);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    return parseCrds(await readFile(full, 'utf8'));
  }
}

/** The CRDs at `path` when given, else those of the chart's own top-level crds/ folder (readReleaseCrds finds them all). */
export async function readCrds(helm: HelmClient, source: ChartSource, path: string | undefined, signal?: AbortSignal): Promise<KubeObject[]> {
  return path ? readCrdsFromPath(path) : readChartCrds(helm, source, signal);
}

function conditionTrue(object: KubeObject | undefined, type: string): boolean {
  const conditions = (object?.status?.conditions ?? []) as { type: string; status: string }[];
  return conditions.some((c) => c.type === type && c.status === 'True');
}

export interface CrdWaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Waits until every named CRD is Established (its API is served). */
export async function waitForCrdsEstablished(kube: KubeClient, names: readonly string[], options: CrdWaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let pending = [...names];
  while (pending.length > 0) {
    const states = await Promise.all(pending.map(async (name) => ({ name, crd: await kube.getObject({ apiVersion: CRD_API_VERSION, kind: 'CustomResourceDefinition', name }) })));
    pending = states.filter((s) => !conditionTrue(s.crd, 'Established')).map((s) => s.name);
    if (pending.length === 0) return;
    if (Date.now() >= deadline) {
      throw new HelmcycleError('CRD_NOT_ESTABLISHED', `CRDs not established before the timeout: ${pending.join(', ')}`, {
        hint: 'read the CRD status conditions (NamesAccepted, Established) for the reason',
      });
    }
    await sleep(POLL_MS, undefined, { signal: options.signal });
  }
}

/**
 * Server-side applies the CRDs (taking over the fields Helm's first install wrote) and waits until the
 * API server serves them. Returns the CRD names.
 */
export async function applyCrds(kube: KubeClient, crds: readonly KubeObject[], options: CrdWaitOptions = {}): Promise<string[]> {
  for (const crd of crds) await kube.applyObject(crd, { fieldManager: FIELD_MANAGER, force: true });
  const names = crds.map((crd) => crd.metadata.name);
  await waitForCrdsEstablished(kube, names, options);
  return names;
}

/**
 * The custom resources of a CRD across all namespaces (read through its storage version), leaving out
 * those `exclude` names (for example the release's own, which its uninstall removes).
 */
export async function listCustomResources(kube: KubeClient, crd: KubeObject, exclude: (object: KubeObject) => boolean = () => false): Promise<KubeObject[]> {
  const spec = crdSpec(crd);
  const version = spec.versions.find((v) => v.storage) ?? spec.versions.find((v) => v.served);
  if (!version) return [];
  return (await kube.listObjects(`${spec.group}/${version.name}`, spec.names.kind)).filter((object) => !exclude(object));
}

export interface CrdInUse {
  /** The CRD's name. */
  name: string;
  /** How many custom resources of it count as in use. */
  count: number;
  /** A few of them, as namespace/name (name when cluster-scoped). */
  examples: string[];
}

const EXAMPLES = 3;

export class CrdInUseError extends HelmcycleError {
  readonly inUse: readonly CrdInUse[];
  constructor(inUse: readonly CrdInUse[]) {
    const list = inUse.map((c) => `${c.name} (${c.count}): ${c.examples.join(', ')}${c.count > c.examples.length ? ', …' : ''}`).join('; ');
    super('CRD_IN_USE', `refusing to delete CRDs that still have custom resources: ${list}`, {
      hint: 'delete those custom resources first (deleting a CRD deletes them all), or set crds.forceDelete (force) to delete anyway',
    });
    this.inUse = inUse;
  }
}

function objectName(object: KubeObject): string {
  return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}

/** The CRDs among `live` whose custom resources (less `exclude`d ones) still exist, with a few of them. */
export async function crdsInUse(kube: KubeClient, live: readonly KubeObject[], exclude?: (object: KubeObject) => boolean): Promise<CrdInUse[]> {
  const counts = await Promise.all(live.map(async (crd) => {
    const objects = await listCustomResources(kube, crd, exclude);
    return { name: crd.metadata.name, count: objects.length, examples: objects.map(objectName).sort().slice(0, EXAMPLES) };
  }));
  return counts.filter((c) => c.count > 0);
}

export interface DeleteCrdsOptions extends CrdWaitOptions {
  /** Delete even when custom resources exist (they are deleted with their CRD). */
  force?: boolean;
  /** Custom resources that do not count as "in use" (see listCustomResources). */
  exclude?: (object: KubeObject) => boolean;
}

function crdRef(name: string) {
  return { apiVersion: CRD_API_VERSION, kind: 'CustomResourceDefinition', name };
}

/** The named CRDs that exist, refusing (CrdInUseError) when any still has custom resources. */
export async function assertCrdsDeletable(kube: KubeClient, names: readonly string[], options: Pick<DeleteCrdsOptions, 'exclude'> = {}): Promise<KubeObject[]> {
  const live = (await Promise.all(names.map((name) => kube.getObject(crdRef(name))))).filter((crd): crd is KubeObject => crd !== undefined);
  const inUse = await crdsInUse(kube, live, options.exclude);
  if (inUse.length > 0) throw new CrdInUseError(inUse);
  return live;
}

/** Marks a nudge of the API server's CRD finalizer (see waitUntilDeleted). */
export const CLEANUP_RETRY_ANNOTATION = 'helmcycle.dev/retry-cleanup';
const NUDGE_EVERY_MS = 5_000;

/** The Terminating condition of a CRD whose custom resources the API server failed to delete, if so. Pure. */
export function instanceDeletionFailure(crd: KubeObject): string | undefined {
  const conditions = (crd.status?.conditions ?? []) as { type: string; status: string; reason?: string; message?: string }[];
  const terminating = conditions.find((c) => c.type === 'Terminating' && c.status === 'True' && c.reason === 'InstanceDeletionFailed');
  return terminating ? (terminating.message ?? terminating.reason) : undefined;
}

/**
 * Waits until a deleted CRD is gone. The API server's CRD finalizer deletes its custom resources first;
 * when that fails ("could not list instances: storage is (re)initializing", seen on a loaded API
 * server right after the CRD changed), it retries only after a backoff that grows to minutes. Any change
 * to the CRD makes it try at once, so a failed cleanup is nudged with an annotation every few seconds.
 */
async function waitUntilDeleted(kube: KubeClient, name: string, deadline: number, signal?: AbortSignal): Promise<void> {
  let nudged = 0;
  for (;;) {
    const current = await kube.getObject(crdRef(name));
    if (!current) return;
    const failure = instanceDeletionFailure(current);
    if (Date.now() >= deadline) {
      throw new HelmcycleError('KUBE_REQUEST_FAILED', `CRD ${name} still exists after the timeout (${failure ? `its custom resources could not be deleted: ${failure}` : 'a finalizer may hold it'})`);
    }
    if (failure && Date.now() - nudged >= NUDGE_EVERY_MS) {
      nudged = Date.now();
      await kube.patchObject(crdRef(name), { metadata: { annotations: { [CLEANUP_RETRY_ANNOTATION]: String(nudged) } } }).catch((error: unknown) => {
        // Gone in the meantime: that is what we wait for.
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      });
    }
    await sleep(POLL_MS, undefined, { signal });
  }
}

/**
 * Deletes the named CRDs and waits until they are gone. Refuses, deleting none, while any of them still
 * has custom resources, unless forced. Returns the CRDs that existed and were deleted.
 */
export async function deleteCrds(kube: KubeClient, names: readonly string[], options: DeleteCrdsOptions = {}): Promise<string[]> {
  const live = options.force
    ? (await Promise.all(names.map((name) => kube.getObject(crdRef(name))))).filter((crd): crd is KubeObject => crd !== undefined)
    : await assertCrdsDeletable(kube, names, options);
  for (const crd of live) await kube.deleteObject(crdRef(crd.metadata.name));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (const crd of live) await waitUntilDeleted(kube, crd.metadata.name, deadline, options.signal);
  return live.map((crd) => crd.metadata.name);
}
