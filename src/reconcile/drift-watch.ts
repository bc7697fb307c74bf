// What wakes reconcile between intervals when someone changes a release's objects by hand: a
// list-then-watch of the workload and config kinds in each namespace of the stack, reporting a change
// to the spec (a new generation; any change for kinds without one) of an object a release of the stack
// owns, by anyone but helm and helmcycle (the field manager of its latest write: a run's own writes are
// no drift, however late their events arrive). Changes are debounced into one trigger, held while a run
// is in flight. A kind the caller may not watch is left to the
// interval: a watch never fails a run.
import type { KubeClient, KubeObject, WatchEvent } from '../kube/types.js';
import { backoffMs, objectKey, watchTimeoutSeconds, watchTrouble } from '../kube/watch-events.js';

/** The kinds a hand edit usually touches (kubectl scale, edit, set image). */
export const WATCHED_KINDS: readonly [apiVersion: string, kind: string][] = [
  ['apps/v1', 'Deployment'], ['apps/v1', 'StatefulSet'], ['apps/v1', 'DaemonSet'], ['v1', 'ConfigMap'], ['v1', 'Service'],
];

export interface DriftWatchOptions {
  kube: KubeClient;
  /** Releases of the stack by namespace: only their objects count. */
  releases: ReadonlyMap<string, ReadonlySet<string>>;
  /** True while a run is in flight (its own writes are no drift). */
  busy(): boolean;
  onDrift(object: string): void;
  debounceMs?: number;
}

const RELEASE_ANNOTATION = 'meta.helm.sh/release-name';

/** The object's spec version: its generation, else its resourceVersion (a ConfigMap has no status to move it). Pure. */
export function specVersion(object: KubeObject): string {
  return object.metadata.generation !== undefined ? `g${object.metadata.generation}` : `rv${String(object.metadata.resourceVersion ?? '')}`;
}

/** Who writes for a run: helm (every Helm version's field manager) and helmcycle's own client. */
const OWN_MANAGERS = new Set(['helm', 'helmcycle']);

type FieldEntry = { manager?: string; time?: string; subresource?: string; operation?: string; fieldsV1?: unknown };

/** Each spec writer's managedFields entry (status writers left out: they change no spec), as text. Pure. */
export function writers(object: KubeObject): Map<string, string> {
  const entries = ((object.metadata.managedFields as FieldEntry[] | undefined) ?? []).filter((e) => e.subresource !== 'status');
  return new Map(entries.map((e) => [`${e.manager ?? ''}/${e.subresource ?? ''}/${e.operation ?? ''}`, JSON.stringify([e.time ?? '', e.fieldsV1 ?? null])]));
}

/**
 * Whether a change was helm's or helmcycle's alone: every managedFields entry that is new or changed
 * since the object was last seen is theirs. (A scale entry carries no time, so which entry changed is
 * compared, not which is latest.) When no entry tells, the change is taken as someone else's. Pure.
 */
export function writtenByRun(before: Map<string, string> | undefined, object: KubeObject): boolean {
  const now = writers(object);
  const changed = [...now].filter(([key, value]) => before?.get(key) !== value).map(([key]) => key.split('/')[0]!);
  return changed.length > 0 && changed.every((manager) => OWN_MANAGERS.has(manager));
}

export interface Seen { version: string; writers: Map<string, string> }
const seenOf = (object: KubeObject): Seen => ({ version: specVersion(object), writers: writers(object) });

/** Whether an event is a hand change to an object of one of these releases (`seen` keeps spec versions). Pure but for `seen`. */
export function isDrift(event: WatchEvent, releases: ReadonlySet<string> | undefined, seen: Map<string, Seen>): boolean {
  const meta = event.object.metadata;
  const key = `${meta.namespace ?? ''}/${objectKey(event.object)}`;
  if (event.type === 'BOOKMARK') return false;
  const release = meta.annotations?.[RELEASE_ANNOTATION];
  const owned = release !== undefined && (releases?.has(release) ?? false);
  if (event.type === 'DELETED') {
    seen.delete(key);
    return owned;
  }
  const before = seen.get(key);
  const now = seenOf(event.object);
  seen.set(key, now);
  // A run's own write (helm's, helmcycle's) is no drift, whenever it arrives.
  return owned && event.type === 'MODIFIED' && before !== undefined && before.version !== now.version && !writtenByRun(before.writers, event.object);
}

export class DriftWatch {
  private readonly stop = new AbortController();
  private readonly seen = new Map<string, Seen>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DriftWatchOptions) {}

  start(): void {
    for (const [namespace, releases] of this.options.releases) {
      for (const [apiVersion, kind] of WATCHED_KINDS) void this.watch(namespace, apiVersion, kind, releases);
    }
  }

  close(): void {
    this.stop.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  private report(object: string): void {
    if (this.timer) clearTimeout(this.timer);
    const fire = () => {
      // A run in flight may have started before the change: wait for it, then run again.
      if (this.options.busy()) this.timer = setTimeout(fire, this.options.debounceMs ?? 1_000);
      else {
        this.timer = undefined;
        this.options.onDrift(object);
      }
    };
    this.timer = setTimeout(fire, this.options.debounceMs ?? 1_000);
  }

  private async watch(namespace: string, apiVersion: string, kind: string, releases: ReadonlySet<string>): Promise<void> {
    const { kube } = this.options;
    if (!kube.listCollection || !kube.watchObjects) return;
    let resourceVersion: string | undefined;
    let failures = 0;
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        if (!resourceVersion) {
          const list = await kube.listCollection(apiVersion, kind, namespace);
          if (list.resourceVersion === undefined) return; // not served
          for (const item of list.items) this.seen.set(`${namespace}/${objectKey(item)}`, seenOf(item));
          resourceVersion = list.resourceVersion;
        }
        await kube.watchObjects(apiVersion, kind, namespace, { resourceVersion, timeoutSeconds: watchTimeoutSeconds(), signal }, (event) => {
          if (event.object.metadata.resourceVersion) resourceVersion = String(event.object.metadata.resourceVersion);
          if (isDrift(event, releases, this.seen)) this.report(`${kind}/${namespace}/${event.object.metadata.name}`);
        });
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        const trouble = watchTrouble(error);
        // Forbidden or gone for good: the interval covers this kind.
        if (trouble === 'unavailable') return;
        if (trouble === 'expired') resourceVersion = undefined;
        await new Promise((r) => setTimeout(r, backoffMs(++failures)));
      }
    }
  }
}

/** The stack's releases by namespace (what a drift watch looks at). */
export function releasesByNamespace(charts: readonly { release: string; namespace: string }[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const { release, namespace } of charts) {
    if (!map.has(namespace)) map.set(namespace, new Set());
    map.get(namespace)!.add(release);
  }
  return map;
}
