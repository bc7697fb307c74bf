// `ref+SCHEME://...` references in values, in vals' syntax (helmfile resolves them with vals): a value
// that is exactly such a string is replaced, at run time, by what it points at. helmcycle resolves
// `ref+env://NAME`, `ref+file://path[#/key/path]` and `ref+k8s://v1/Secret/NAMESPACE/NAME/KEY` itself
// (refs/builtin-resolvers.ts); a TypeScript stack adds any other scheme with `resolvers`. Pure.

/** A parsed reference: `ref+vault://secret/data/db#/password` → scheme vault, path secret/data/db, fragment /password. */
export interface ValueRef {
  /** The whole reference as written. */
  readonly text: string;
  readonly scheme: string;
  /** What follows `://`, without the query and the fragment. */
  readonly path: string;
  /** The query's parameters (`?region=eu-west-1`). */
  readonly params: Readonly<Record<string, string>>;
  /** After `#`, without it: vals' key path into a YAML/JSON document (`/a/b`). */
  readonly fragment: string | undefined;
}

/** What a resolver returns: the value (a string, or any YAML value for a fragment into a document). */
export type RefResolver = (ref: ValueRef, context: { signal?: AbortSignal | undefined }) => Promise<unknown>;

const REF = /^ref\+([a-z][a-z0-9-]*):\/\/([^#?]*)(?:\?([^#]*))?(?:#(.*))?$/;

/** The reference a value is, or undefined for any other value (a string that only contains `ref+` is not one). */
export function parseValueRef(value: unknown): ValueRef | undefined {
  if (typeof value !== 'string') return undefined;
  const match = REF.exec(value.trim());
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [key, param] of new URLSearchParams(match[3] ?? '')) params[key] = param;
  return { text: value, scheme: match[1]!, path: match[2]!, params, fragment: match[4] };
}

/** Whether a value holds a reference anywhere inside it. Pure. */
export function holdsRef(value: unknown): boolean {
  if (parseValueRef(value)) return true;
  if (Array.isArray(value)) return value.some(holdsRef);
  if (value && typeof value === 'object') return Object.values(value).some(holdsRef);
  return false;
}

/** The value at a vals fragment (`/a/b/0`) of a parsed document; undefined when there is none. Pure. */
export function atFragment(document: unknown, fragment: string): unknown {
  let node = document;
  for (const segment of fragment.split('/').filter(Boolean)) {
    if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
    else if (node && typeof node === 'object' && Object.hasOwn(node, segment)) node = (node as Record<string, unknown>)[segment];
    else return undefined;
  }
  return node;
}
