// Reads a run may answer from a recent list of the namespace instead of a GET per object. A stack of
// hundreds of charts in one namespace reads, before deciding anything, one object per chart of a few
// kinds (each release's backup Secret, its objects for drift, its lease for plan and status): a GET
// each costs the client about a millisecond of CPU (TLS, HTTP, JSON) and the API server and etcd more.
// One list per (namespace, kind) serves them all.
//
// What may be served from a list, and when (the caller says, per read):
//  - only a read that may be a few seconds old: the first look at a release before this run changed
//    anything of it (drift, a pending backup), or a report (the lease holder);
//  - only from a list sent after `notBefore` (the caller passes when the release last changed, so a list
//    older than what helm wrote since is never used), and at most RECENT_TTL_MS old;
//  - only built-in namespaced kinds (a list of all of them is cheap and served everywhere), or the
//    objects a label selector finds when every object the read may ask for carries that label;
//  - only once LIST_AFTER_READS reads of the same list were asked within the TTL: a small stack keeps
//    its GETs, whose answers are fresher and no larger than the object.
// A list the caller may not take (RBAC) or that fails sends the reads to GET, as before.
import type { KubeClient, KubeObject, ObjectRef } from './types.js';

/** How long one list answers reads. */
export const RECENT_TTL_MS = 5_000;
/** How many reads of one (namespace, kind) within the TTL make a list worth it. */
export const LIST_AFTER_READS = 4;
/** A list must be sent this long after the change it is to reflect (helm's clock and this one are one machine's, but rounding). */
const MARGIN_MS = 1_000;

/** Built-in namespaced kinds, as apiVersion/kind. Secrets are not among them: a namespace's Secrets hold helm's release records. */
const LISTABLE: ReadonlySet<string> = new Set([
  'v1/ConfigMap',
  'v1/Service',
  'v1/ServiceAccount',
  'v1/PersistentVolumeClaim',
  'apps/v1/Deployment',
  'apps/v1/StatefulSet',
  'apps/v1/DaemonSet',
  'batch/v1/Job',
  'batch/v1/CronJob',
  'networking.k8s.io/v1/Ingress',
  'networking.k8s.io/v1/NetworkPolicy',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'policy/v1/PodDisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'coordination.k8s.io/v1/Lease',
]);

export interface RecentRead {
  /** Epoch ms of the last change the answer must reflect (the release's last deploy); 0 for a report. */
  notBefore: number;
  /** Every object this read may ask for carries this label: list by it (any kind then). */
  labelSelector?: string;
}

interface Listing {
  at: number;
  objects: Promise<Map<string, KubeObject> | undefined>;
}

export class RecentReads {
  private readonly lists = new Map<string, Listing>();
  private readonly demand = new Map<string, { since: number; count: number }>();
  /** Lists the server refused: their reads GET. */
  private readonly refused = new Set<string>();
  /** How many reads a list answered, and how many lists were taken (for the benchmark). */
  readonly counts = { fromLists: 0, lists: 0 };

  constructor(
    private readonly kube: KubeClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The object as a GET would find it, possibly from a list taken within the TTL and after `read.notBefore`. */
  async get(ref: ObjectRef, read: RecentRead): Promise<KubeObject | undefined> {
    const listable = ref.namespace !== undefined && (read.labelSelector !== undefined || LISTABLE.has(`${ref.apiVersion}/${ref.kind}`));
    const key = `${ref.namespace}\0${ref.apiVersion}/${ref.kind}\0${read.labelSelector ?? ''}`;
    if (!listable || this.refused.has(key)) return this.kube.getObject(ref);
    const listing = this.listing(key, ref, read.labelSelector);
    if (!listing || listing.at < read.notBefore + MARGIN_MS) return this.kube.getObject(ref);
    const objects = await listing.objects;
    if (!objects) return this.kube.getObject(ref);
    this.counts.fromLists++;
    const found = objects.get(ref.name);
    // A copy: the list serves other readers, which must not see one caller's changes.
    return found ? structuredClone(found) : undefined;
  }

  /** The list that may answer this read: a live one, or a new one once the reads ask often enough. */
  private listing(key: string, ref: ObjectRef, labelSelector: string | undefined): Listing | undefined {
    const at = this.now();
    const current = this.lists.get(key);
    if (current && at - current.at < RECENT_TTL_MS) return current;
    const asked = this.demand.get(key);
    const demand = asked && at - asked.since < RECENT_TTL_MS ? { since: asked.since, count: asked.count + 1 } : { since: at, count: 1 };
    this.demand.set(key, demand);
    if (demand.count < LIST_AFTER_READS) return undefined;
    this.counts.lists++;
    const namespace = ref.namespace!;
    const listed = labelSelector === undefined ? this.kube.listObjects(ref.apiVersion, ref.kind, namespace) : this.kube.listByLabels(ref.apiVersion, ref.kind, namespace, labelSelector);
    const objects = listed.then(
      // Only what a GET of this kind in this namespace could answer (whatever else a client's list holds).
      (items) => new Map(items.filter((item) => item.kind === ref.kind && item.metadata.namespace === namespace).map((item) => [item.metadata.name, item])),
      () => {
        this.refused.add(key);
        return undefined;
      },
    );
    const listing = { at, objects };
    this.lists.set(key, listing);
    return listing;
  }
}

/** A KubeClient that also answers recent reads (readRecent); every other call goes to `kube` as it is. */
export interface RecentReadingKube extends KubeClient {
  readRecent(ref: ObjectRef, read: RecentRead): Promise<KubeObject | undefined>;
}

/**
 * `kube` with a run's recent reads. A proxy rather than a class that repeats every method: calls pass
 * through unchanged, optional methods stay absent where `kube` lacks them.
 */
export function withRecentReads(kube: KubeClient, reads = new RecentReads(kube)): RecentReadingKube {
  const readRecent = (ref: ObjectRef, read: RecentRead) => reads.get(ref, read);
  return new Proxy(kube, {
    get(target, property, receiver) {
      if (property === 'readRecent') return readRecent;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as RecentReadingKube;
}

/** A recent read where the client offers one (a run's), else a GET. */
export function readRecent(kube: KubeClient, ref: ObjectRef, read: RecentRead): Promise<KubeObject | undefined> {
  const recent = (kube as Partial<RecentReadingKube>).readRecent;
  return recent ? recent(ref, read) : kube.getObject(ref);
}

/** Epoch ms of a release's last deploy (helm's `updated`), or undefined when unknown: then read live. */
export function changedAt(updated: string | undefined): number | undefined {
  const at = updated ? Date.parse(updated) : Number.NaN;
  return Number.isFinite(at) ? at : undefined;
}
