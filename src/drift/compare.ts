// Drift of one object: the fields a release's manifest declares whose live value differs. Only what the
// manifest declares is compared, so status, the defaults the API server fills in and fields other
// managers own (an HPA's replicas when the chart sets none) are never drift. Pure.
import type { KubeObject } from '../kube/types.js';

export interface DriftField {
  /** Where the field is, e.g. `spec.template.spec.containers[name=web].image`; empty when the whole object is missing. */
  path: string;
  /** The value as the manifest declares it, or "(sensitive)" for a Secret's data. */
  declared: unknown;
  /** The live value; undefined when the field is absent live, or "(sensitive)". */
  live: unknown;
}

/** Shown instead of a value that must not be printed (a Secret's data). */
export const SENSITIVE = '(sensitive)';

/** The keys that identify an item of a list, as the API's merge keys do (containers by name, ports by number, ...). */
const ITEM_KEYS = ['name', 'containerPort', 'port', 'mountPath', 'devicePath', 'ip', 'key', 'type'] as const;

/** Top-level fields that are the server's, not the release's. */
const SERVER_FIELDS = new Set(['status']);
/** metadata fields the server sets or helm does not manage as declared state. */
const SERVER_METADATA = new Set(['creationTimestamp', 'resourceVersion', 'uid', 'generation', 'managedFields', 'selfLink', 'namespace']);

type Json = unknown;

function isMap(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An empty map or list, or null: the API server drops them, so declared-empty equals absent. */
function isEmpty(value: Json): boolean {
  return value === null || value === undefined || (Array.isArray(value) && value.length === 0) || (isMap(value) && Object.keys(value).length === 0);
}

/** Scalars compare as text: a manifest's `"80"` and the server's `80` (an int-or-string port) are one value. */
function sameScalar(declared: Json, live: Json): boolean {
  if (declared === live) return true;
  if (live === undefined || live === null || isMap(live) || Array.isArray(live)) return false;
  return String(declared) === String(live);
}

/** The key list items of this list are matched by: the first key every declared item has. */
function itemKeyOf(items: readonly Json[]): string | undefined {
  if (!items.length || !items.every(isMap)) return undefined;
  return ITEM_KEYS.find((key) => items.every((item) => (item as Record<string, Json>)[key] !== undefined));
}

function compareValue(declared: Json, live: Json, path: string, out: DriftField[]): void {
  // A declared null, {} or [] asks for nothing the server keeps: no drift either way.
  if (isEmpty(declared)) return;
  if (isMap(declared)) {
    if (!isMap(live)) return void out.push({ path, declared, live });
    for (const [key, value] of Object.entries(declared)) compareValue(value, live[key], join(path, key), out);
    return;
  }
  if (Array.isArray(declared)) {
    if (!Array.isArray(live)) return void out.push({ path, declared, live });
    compareList(declared, live, path, out);
    return;
  }
  if (!sameScalar(declared, live)) out.push({ path, declared, live });
}

function compareList(declared: readonly Json[], live: readonly Json[], path: string, out: DriftField[]): void {
  const key = itemKeyOf(declared);
  if (key) {
    for (const item of declared as Record<string, Json>[]) {
      const id = item[key];
      const match = live.find((candidate) => isMap(candidate) && sameScalar(id, candidate[key]));
      compareValue(item, match, `${path}[${key}=${String(id)}]`, out);
    }
    return;
  }
  // A list of scalars (args, command) or of unkeyed items is one value in order.
  if (declared.every((item) => !isMap(item) && !Array.isArray(item))) {
    if (declared.length !== live.length || declared.some((item, i) => !sameScalar(item, live[i]))) out.push({ path, declared, live });
    return;
  }
  if (live.length < declared.length) return void out.push({ path, declared, live });
  declared.forEach((item, i) => compareValue(item, live[i], `${path}[${i}]`, out));
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A Secret's `stringData` as the `data` the server stores it in (base64), merged over `data`. */
function secretData(object: KubeObject): Record<string, Json> {
  const data = isMap(object.data) ? { ...object.data } : {};
  if (isMap(object.stringData)) for (const [k, v] of Object.entries(object.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  return data;
}

function compareSecret(declared: KubeObject, live: KubeObject, out: DriftField[]): void {
  const want = secretData(declared);
  const have = isMap(live.data) ? live.data : {};
  for (const [key, value] of Object.entries(want)) {
    if (!sameScalar(value, have[key])) out.push({ path: `data.${key}`, declared: SENSITIVE, live: have[key] === undefined ? undefined : SENSITIVE });
  }
}

/** Every field `declared` sets whose value in `live` differs. Pure. */
export function compareObject(declared: KubeObject, live: KubeObject): DriftField[] {
  const out: DriftField[] = [];
  for (const [field, value] of Object.entries(declared)) {
    if (SERVER_FIELDS.has(field) || field === 'apiVersion' || field === 'kind') continue;
    if (declared.kind === 'Secret' && (field === 'data' || field === 'stringData')) continue;
    if (field === 'metadata') {
      for (const [key, meta] of Object.entries(declared.metadata)) {
        if (!SERVER_METADATA.has(key) && key !== 'name') compareValue(meta, (live.metadata as Record<string, Json>)[key], `metadata.${key}`, out);
      }
      continue;
    }
    compareValue(value, live[field], field, out);
  }
  if (declared.kind === 'Secret') compareSecret(declared, live, out);
  return out;
}

/** "Deployment/ns/name", or "Kind/name" for a cluster-scoped object. */
export function resourceName(object: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}
