// The REST side of the Kubernetes API, as pure functions: where an object lives (from API discovery),
// the query of a write, and what an error answer says. The client sends and receives objects as JSON
// exactly as they are; nothing here knows a kind's fields, so no key is ever dropped on the way.

/** One entry of an APIResourceList (GET /api/v1, /apis/GROUP/VERSION), as discovery serves it. */
export interface ApiResource {
  /** The plural path segment, e.g. "deployments"; a subresource has a slash ("deployments/status"). */
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

export interface ApiResourceList {
  groupVersion?: string;
  resources: ApiResource[];
}

/** Where a group/version is served: /api/v1 for the core group, /apis/GROUP/VERSION for the rest. */
export function groupVersionPath(apiVersion: string): string {
  const parts = apiVersion.split('/');
  if (parts.length === 1 && parts[0]) return `/api/${encodeURIComponent(parts[0])}`;
  if (parts.length === 2 && parts[0] && parts[1]) return `/apis/${encodeURIComponent(parts[0])}/${encodeURIComponent(parts[1])}`;
  throw new TypeError(`not an apiVersion: "${apiVersion}" (expected "v1" or "group/version")`);
}

/** The resource serving a kind in a discovery list; subresources (name with a slash) never do. */
export function findResource(list: ApiResourceList | undefined, kind: string): ApiResource | undefined {
  return list?.resources.find((resource) => resource.kind === kind && !resource.name.includes('/'));
}

export interface ObjectLocation {
  namespace?: string | undefined;
  name?: string | undefined;
}

/**
 * The path of a collection (no name) or of one object. A namespaced kind without a namespace is the
 * all-namespaces collection (lists only); a cluster-scoped kind ignores the namespace.
 */
export function resourcePath(apiVersion: string, resource: ApiResource, at: ObjectLocation = {}): string {
  let path = groupVersionPath(apiVersion);
  if (resource.namespaced && at.namespace) path += `/namespaces/${encodeURIComponent(at.namespace)}`;
  path += `/${resource.name}`;
  if (at.name !== undefined) path += `/${encodeURIComponent(at.name)}`;
  return path;
}

export type QueryValue = string | number | boolean | undefined;

/** "?a=1&b=x" from the defined parameters, or "" when there are none. */
export function queryString(params: Readonly<Record<string, QueryValue>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export interface WriteOptions {
  fieldManager: string;
  force?: boolean | undefined;
  dryRun?: boolean | undefined;
}

/** The query of a write: its field manager, a dry run, and (server-side apply only) force. */
export function writeQuery(options: WriteOptions, apply = false): string {
  return queryString({ fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined, force: apply ? (options.force ?? false) : undefined });
}

/** The body of a server-side apply: the object without the bookkeeping a copy of a live object carries. */
export function applyBody<T extends { metadata: Record<string, unknown> }>(object: T): T {
  const { resourceVersion: _rv, managedFields: _mf, uid: _uid, creationTimestamp: _ct, selfLink: _sl, generation: _g, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** What an error answer says: a Status object's message, else the body's first line, else the status. */
export function errorMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { kind?: string; message?: unknown };
    if (typeof parsed.message === 'string' && parsed.message) return parsed.message;
  } catch {
    // not JSON: the text itself is the message (a proxy's or an authenticator's answer)
  }
  const text = body.trim().split('\n')[0]?.slice(0, 500);
  return text || `HTTP ${status}`;
}

/**
 * The items of a list answer, each with its apiVersion and kind: the API server leaves them off the
 * items of a built-in kind's list (only custom resources carry them).
 */
export function listItems<T extends Record<string, unknown>>(list: { items?: T[] | null }, apiVersion: string, kind: string): (T & { apiVersion: string; kind: string })[] {
  return (list.items ?? []).map((item) => ({ ...item, apiVersion: (item.apiVersion as string | undefined) ?? apiVersion, kind: (item.kind as string | undefined) ?? kind }));
}
