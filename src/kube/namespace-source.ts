// Where a namespace observer's lists come from: polled (namespace-poll.ts) or watched (namespace-watch.ts).
// Both read a kind the same way (readKind): what the server forbids is refused for good, and what fails
// is a gap, never an error, since reading never fails a deploy.
import type { KubeClient, KubeObject } from './types.js';
import type { NamespaceLists } from './release-view.js';

/** What is known of the namespace now: its lists (undefined until every kind has been read once), and what could not be read. */
export interface NamespaceSnapshot {
  lists: NamespaceLists | undefined;
  gaps: string[];
}

/** Requests made and events received, for measuring what observing costs (bench/deploy-observer.ts). */
export interface SourceStats {
  /** LISTs and watch requests sent. */
  requests: number;
  /** Watch events received (bookmarks included). */
  events: number;
  /** Time spent in polled reads. */
  totalMs: number;
}

export interface NamespaceSource {
  readonly mode: 'poll' | 'watch';
  /** Starts reading; the source says through its `changed` callback when the snapshot may have changed. */
  start(): void;
  /** A release subscribed: a polling source reads at once (its view is what was there before the deploy). */
  subscribed(): void;
  snapshot(): NamespaceSnapshot;
  /** A fresh read of every kind (a relist of watched ones), without calling `changed`; resolves once it is in the snapshot. */
  refresh(): Promise<void>;
  /** Resolves when no refresh is in flight. */
  settled(): Promise<void>;
  /** Stops every read and watch; nothing of it keeps the process alive. */
  stop(): void;
}

/** How the source tells its observer: `read` is a complete polled read, handed at once; `event` a watched change, coalesced. */
export type SourceChanged = (how: 'read' | 'event') => void;

export type KindRead =
  | { items: KubeObject[]; resourceVersion: string | undefined }
  | { refused: string }
  | { failed: string };

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lists one kind in the namespace, with the list's resourceVersion when the client gives it. */
export async function readKind(kube: KubeClient, apiVersion: string, kind: string, namespace: string, stats: SourceStats): Promise<KindRead> {
  stats.requests += 1;
  try {
    const list = kube.listCollection
      ? await kube.listCollection(apiVersion, kind, namespace)
      : { items: await kube.listObjects(apiVersion, kind, namespace), resourceVersion: undefined };
    // A list's items carry no kind of their own in the API's answer; the kind is the one asked for.
    const items = list.items.filter((o) => o.kind === undefined || o.kind === kind).map((o) => ({ ...o, apiVersion, kind }));
    return { items, resourceVersion: list.resourceVersion };
  } catch (error) {
    const gap = `${kind}: ${describeError(error)}`;
    if (/\b403\b|forbidden/i.test(gap)) return { refused: `${kind}: not allowed to list them in ${namespace}` };
    return { failed: gap };
  }
}
