// The pure parts of list-then-watch (what client-go's reflector does): reading a watch response's lines
// as events, applying them to a store of objects, and deciding what a failed watch calls for (a relist,
// polling, or another try after a pause). The loop that uses them is watch-kind.ts.
import { KubeRequestError } from '../errors.js';
import type { KubeObject, WatchEvent } from './types.js';

const CHANGE_TYPES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One line of a watch response as an event. An ERROR event (its object a Status) is thrown as a
 * KubeRequestError with the Status's code: 410 when the version watched from is too old to serve. The
 * line itself never goes into a message (it may be a large object). Pure.
 */
export function parseWatchLine(line: string, apiVersion: string, kind: string, what: string): WatchEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new KubeRequestError(`${what}: a watch event that is not JSON (${line.length} characters)`, undefined);
  }
  const type = isRecord(parsed) ? parsed.type : undefined;
  const object = isRecord(parsed) ? parsed.object : undefined;
  if (type === 'ERROR') {
    const status = isRecord(object) ? object : {};
    const code = typeof status.code === 'number' ? status.code : undefined;
    const message = typeof status.message === 'string' && status.message ? status.message : typeof status.reason === 'string' ? status.reason : 'an ERROR event';
    throw new KubeRequestError(`${what} failed${code ? ` (HTTP ${code})` : ''}: ${message}`, code);
  }
  if (typeof type !== 'string' || !CHANGE_TYPES.has(type) || !isRecord(object) || !isRecord(object.metadata)) {
    throw new KubeRequestError(`${what}: an unexpected watch event (type ${String(type)})`, undefined);
  }
  const item = object as KubeObject;
  // Like a list's items, an event's object may lack its kind: it is the kind watched.
  return { type: type as WatchEvent['type'], object: { ...item, apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? kind } };
}

/** An object's identity in a store: its uid (a pod deleted and made again under its name is another), else its name. */
export function objectKey(object: KubeObject): string {
  const uid = object.metadata.uid;
  return typeof uid === 'string' && uid ? uid : `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

export function resourceVersionOf(object: KubeObject): string | undefined {
  const version = object.metadata.resourceVersion;
  return typeof version === 'string' && version ? version : undefined;
}

/** What a store keeps of an object: managedFields are most of a live object's JSON and say nothing of readiness. */
function kept(object: KubeObject): KubeObject {
  if (!('managedFields' in object.metadata)) return object;
  const { managedFields: _managed, ...metadata } = object.metadata;
  return { ...object, metadata: metadata as KubeObject['metadata'] };
}

/** A store holding a list's items. */
export function storeOf(items: readonly KubeObject[]): Map<string, KubeObject> {
  return new Map(items.map((item) => [objectKey(item), kept(item)]));
}

/**
 * Applies one event to the store; true when the store changed (a bookmark only moves the version). The
 * store is changed in place: copying a namespace's pods on every event would cost more than the watch saves.
 */
export function applyWatchEvent(store: Map<string, KubeObject>, event: WatchEvent): boolean {
  switch (event.type) {
    case 'ADDED':
    case 'MODIFIED':
      store.set(objectKey(event.object), kept(event.object));
      return true;
    case 'DELETED':
      return store.delete(objectKey(event.object));
    case 'BOOKMARK':
      return false;
  }
}

/**
 * What a failed watch calls for: `expired` (410 Gone: the version is too old; relist at once),
 * `unavailable` (the server will not watch for us: forbidden, not allowed, not implemented; poll instead),
 * or `transient` (a network failure or a server error; relist after a pause). Pure.
 */
export function watchTrouble(error: unknown): 'expired' | 'unavailable' | 'transient' {
  const status = error instanceof KubeRequestError ? error.statusCode : undefined;
  if (status === 410) return 'expired';
  if (error instanceof WatchUnsupportedError) return 'unavailable';
  if (status === 400 || status === 401 || status === 403 || status === 404 || status === 405 || status === 406 || status === 501) return 'unavailable';
  return 'transient';
}

/** The client cannot stream (its transport has no stream method): its readers poll. */
export class WatchUnsupportedError extends KubeRequestError {
  constructor(what: string) {
    super(`${what}: the transport cannot stream a watch`, undefined);
  }
}

/** The pause before the n-th consecutive retry (n ≥ 1): 250 ms doubling to 8 s, with ±20% jitter so that namespaces do not retry in step. Pure. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(8_000, 250 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * How long the server should keep a watch open: 5 to 10 minutes, as client-go picks, so that the
 * watches of many processes do not all end together. Long enough for most deploys to need one. Pure.
 */
export function watchTimeoutSeconds(random: () => number = Math.random): number {
  return Math.round(300 * (1 + random()));
}
