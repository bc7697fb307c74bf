// The run's view of Helm's release records. In a run, each namespace's records are listed once (one
// request, shared by every chart of the run) and a release is read again only after a write through
// the same client may have changed it. Outside a run ("live"), every question reads that one release's
// records afresh: still one API request and no helm process, and never stale when something else
// (a helm started by hand, another deployer) changed the release in between.
import type { KubeClient } from '../kube/types.js';
import type { KubeObject } from '../kube/types.js';
import { decodeRevisions, recordSelector, recordsByRelease, storageKind, type StorageDriver, type StoredRelease } from './release-storage.js';

/** A release's records as listed, decoded the first time a chart asks (most of a namespace's may never be). */
class Held {
  private decoded: StoredRelease[] | undefined;
  constructor(private readonly records: KubeObject[], private readonly driver: StorageDriver) {}
  revisions(): StoredRelease[] {
    this.decoded ??= decodeRevisions(this.records, this.driver);
    this.records.length = 0; // the raw records (base64 of the whole chart) are not kept once decoded
    return this.decoded;
  }
}

export type ReleaseViewScope = 'run' | 'live';

export type RecordLister = Pick<KubeClient, 'listByLabels'>;

export class ReleaseSnapshot {
  private readonly namespaces = new Map<string, Promise<Map<string, Held>>>();
  /** Requests made to the API server, for the benchmark and tests. */
  lists = 0;

  constructor(
    private readonly kube: RecordLister,
    private readonly driver: StorageDriver,
    readonly scope: ReleaseViewScope,
  ) {}

  private async list(namespace: string, release?: string): Promise<Map<string, Held>> {
    this.lists++;
    const objects = await this.kube.listByLabels('v1', storageKind(this.driver), namespace, recordSelector(release));
    return new Map([...recordsByRelease(objects, this.driver)].map(([name, records]) => [name, new Held(records, this.driver)]));
  }

  private namespace(namespace: string): Promise<Map<string, Held>> {
    let loaded = this.namespaces.get(namespace);
    if (!loaded) {
      loaded = this.list(namespace);
      this.namespaces.set(namespace, loaded);
      // A failed list is not kept: the next question asks again.
      loaded.catch(() => this.namespaces.delete(namespace));
    }
    return loaded;
  }

  /** Every stored revision of a release, oldest first; empty when helm has none. */
  async revisions(namespace: string, release: string): Promise<StoredRelease[]> {
    const held = this.scope === 'live' ? await this.list(namespace, release) : await this.namespace(namespace);
    return held.get(release)?.revisions() ?? [];
  }

  /** Reads one release again after a write may have changed it (only where the namespace is held). */
  async refresh(namespace: string, release: string): Promise<void> {
    const held = this.namespaces.get(namespace);
    if (!held) return;
    const fresh = (await this.list(namespace, release)).get(release);
    const records = await held.catch(() => undefined);
    if (!records) return;
    if (fresh) records.set(release, fresh);
    else records.delete(release);
  }

  /** Drops what is held for a release, so the next question reads it (used when a refresh failed). */
  forget(namespace: string): void {
    this.namespaces.delete(namespace);
  }
}
