// Drift of one object as the API server sees it: the object a server-side apply dry run of the
// release's manifest returns (what the server would hold if the manifest were applied now) against the
// live object, field by field, on the fields the release's manager would own by that apply (the dry
// run's own managedFields). Both sides come from the server, defaulted and normalized alike, so a
// declared `minReadySeconds: 0` the server omits, a `cpu: 1000m` it stores as `1`, a port's defaulted
// protocol are never drift, with no list of defaults kept here. Status, the server's metadata and
// fields other managers own (an HPA's replicas when the chart sets none) are outside that field set. Pure.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../kube/types.js';
import { fieldsOfObject, isLeaf, ownedFields, type FieldSet } from './field-set.js';

export interface DriftField {
  /** Where the field is, e.g. `spec.template.spec.containers[name=web].image`; empty when the whole object is missing. */
  path: string;
  /** The value the release's manifest gives the field, as the server would hold it, or "(sensitive)" for a Secret's data. */
  declared: unknown;
  /** The live value; undefined when the field is absent live, or "(sensitive)". */
  live: unknown;
}

/** Shown instead of a value that must not be printed (a Secret's data). */
export const SENSITIVE = '(sensitive)';

type Json = unknown;

function isMap(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The item of a list a "k:{...}" node names: the one whose merge-key fields all equal the key's. */
function itemByKey(list: Json, key: Record<string, Json>): Json {
  if (!Array.isArray(list)) return undefined;
  return list.find((item) => isMap(item) && Object.entries(key).every(([field, value]) => isDeepStrictEqual(item[field], value)));
}

function describeKey(key: Record<string, Json>): string {
  return `[${Object.entries(key).map(([field, value]) => `${field}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(',')}]`;
}

/** One step down a field set: the child values on both sides and how the path reads. */
function step(key: string, wanted: Json, live: Json): { wanted: Json; live: Json; segment: string } | undefined {
  const body = key.slice(2);
  switch (key.slice(0, 2)) {
    case 'f:':
      return { wanted: isMap(wanted) ? wanted[body] : undefined, live: isMap(live) ? live[body] : undefined, segment: `.${body}` };
    case 'k:': {
      const merge = JSON.parse(body) as Record<string, Json>;
      return { wanted: itemByKey(wanted, merge), live: itemByKey(live, merge), segment: describeKey(merge) };
    }
    case 'v:': {
      // A set's member: present or not is all there is to compare.
      const member = JSON.parse(body) as Json;
      const has = (list: Json) => (Array.isArray(list) && list.some((item) => isDeepStrictEqual(item, member)) ? member : undefined);
      return { wanted: has(wanted), live: has(live), segment: `[${typeof member === 'string' ? member : JSON.stringify(member)}]` };
    }
    case 'i:': {
      const index = Number(body);
      return { wanted: Array.isArray(wanted) ? wanted[index] : undefined, live: Array.isArray(live) ? live[index] : undefined, segment: `[${index}]` };
    }
    default:
      return undefined;
  }
}

function walk(set: FieldSet, wanted: Json, live: Json, path: string, out: DriftField[]): void {
  for (const [key, node] of Object.entries(set)) {
    if (key === '.') continue;
    const next = step(key, wanted, live);
    if (!next) continue;
    const at = path ? path + next.segment : next.segment.replace(/^\./, '');
    if (isDeepStrictEqual(next.wanted, next.live)) continue;
    // A leaf is compared whole; a subtree missing on one side is one difference, not one per field in it.
    if (isLeaf(node) || next.live === undefined || next.wanted === undefined) out.push({ path: at, declared: next.wanted, live: next.live });
    else walk(node, next.wanted, next.live, at, out);
  }
}

/**
 * A Secret's stringData is write-only: the server stores each key in data (base64) and keeps no
 * stringData, so a key the manifest gives in stringData is compared where it is stored.
 */
function withStringDataAsData(owned: FieldSet): FieldSet {
  const { 'f:stringData': stringData, ...rest } = owned;
  if (!stringData) return owned;
  const keys = Object.fromEntries(Object.entries(stringData).filter(([key]) => key.startsWith('f:')));
  return { ...rest, 'f:data': { ...rest['f:data'], ...keys } };
}

/** A Secret's data and stringData are shown as their paths only. */
function hideSecretValues(object: KubeObject, fields: DriftField[]): DriftField[] {
  if (object.kind !== 'Secret') return fields;
  return fields.map((field) =>
    /^(data|stringData)(\.|$)/.test(field.path) ? { path: field.path, declared: field.declared === undefined ? undefined : SENSITIVE, live: field.live === undefined ? undefined : SENSITIVE } : field,
  );
}

/**
 * The fields where `dryRun` (a server-side apply dry run of the release's object under `manager`)
 * differs from `live`, limited to the fields that apply owns. A dry run without managedFields (a
 * server or fake that keeps none) is compared on every field it holds. Pure.
 */
export function compareDryRun(dryRun: KubeObject, live: KubeObject, manager: string): DriftField[] {
  const owned = ownedFields(dryRun, manager, 'Apply') ?? fieldsOfObject(dryRun);
  const { 'f:status': _status, ...declared } = dryRun.kind === 'Secret' ? withStringDataAsData(owned) : owned;
  const out: DriftField[] = [];
  walk(declared, dryRun, live, '', out);
  return hideSecretValues(dryRun, out);
}

/** "Deployment/ns/name", or "Kind/name" for a cluster-scoped object. */
export function resourceName(object: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}
