// The API server's own record of who owns which field: an object's metadata.managedFields, whose
// fieldsV1 is a tree of "f:name" (a map field), "k:{...}" (a list item by its merge keys), "v:value" (a
// member of a set) and "i:N" (a list item by index), with "." for the node itself. Drift reads the
// fields a manager owns from here instead of guessing them from a manifest. Pure.
import type { KubeObject } from '../kube/types.js';

/** A fieldsV1 tree. */
export interface FieldSet {
  [key: string]: FieldSet;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsType?: string;
  fieldsV1?: FieldSet;
}

/** The manager a helm binary writes with when nothing on the object says otherwise (Helm 3 and Helm 4 alike). */
export const HELM_MANAGER = 'helm';

/** The annotation helm puts on every object of a release; whoever owns it is the release's field manager. */
const RELEASE_NAME_FIELD = 'f:meta.helm.sh/release-name';

function entriesOf(object: KubeObject): ManagedFieldsEntry[] {
  const entries = object.metadata.managedFields;
  return Array.isArray(entries) ? (entries as ManagedFieldsEntry[]) : [];
}

/** An entry about the object itself, not a subresource such as status or scale. */
function onMainResource(entry: ManagedFieldsEntry): boolean {
  return !entry.subresource;
}

/**
 * The field manager helm wrote this object with: the owner of helm's release-name annotation. Helm 3's
 * manager is the name its binary was started as (client-go's default), Helm 4's is "helm"; reading it
 * off the object covers both, and a renamed binary.
 */
export function releaseManager(live: KubeObject): string {
  const owner = entriesOf(live).find((entry) => onMainResource(entry) && entry.fieldsV1?.['f:metadata']?.['f:annotations']?.[RELEASE_NAME_FIELD] !== undefined);
  return owner?.manager ?? HELM_MANAGER;
}

/** The union of two field sets. */
function union(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [key, child] of Object.entries(b)) out[key] = out[key] ? union(out[key], child) : child;
  return out;
}

/**
 * The fields `manager` owns on the object's main resource (every operation of it together), or
 * undefined when it owns none or the object carries no managedFields.
 */
export function ownedFields(object: KubeObject, manager: string, operation?: 'Apply' | 'Update'): FieldSet | undefined {
  const sets = entriesOf(object)
    .filter((entry) => entry.manager === manager && onMainResource(entry) && (!operation || entry.operation === operation) && entry.fieldsV1)
    .map((entry) => entry.fieldsV1!);
  return sets.length ? sets.reduce(union) : undefined;
}

/** A node with no children but itself: the whole value is owned as one (a scalar, an atomic list or map). */
export function isLeaf(node: FieldSet): boolean {
  return Object.keys(node).every((key) => key === '.');
}

/** metadata the server writes on every object: never anyone's declared state. */
const SERVER_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']);

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A field set read off an object's own shape, for a server that returned no managedFields: every map
 * field is a node, every list and scalar a leaf (compared whole), without the server's metadata and status.
 */
export function fieldsOfObject(object: KubeObject): FieldSet {
  // An empty map holds nothing, so it is no field (and no leaf compared whole).
  const walk = (value: Record<string, unknown>): FieldSet =>
    Object.fromEntries(Object.entries(value).filter(([, child]) => !isMap(child) || Object.keys(child).length > 0).map(([key, child]) => [`f:${key}`, isMap(child) ? walk(child) : {}]));
  const metadata = Object.fromEntries(Object.entries(object.metadata).filter(([field]) => !SERVER_METADATA.has(field)));
  const { apiVersion: _apiVersion, kind: _kind, status: _status, metadata: _metadata, ...rest } = object;
  return walk({ ...rest, metadata });
}
