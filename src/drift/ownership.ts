// When a dry run can be spared. The API server moves a field out of its owner's managedFields whenever
// another manager changes or removes it (and a forced apply takes it the same way), so while the
// release's manager still owns every field the manifest declares, nobody has touched one since helm
// wrote it, and the live value is what the manifest's apply made it: no drift, no dry run needed.
// Anything this cannot prove (a field not owned, a list item it cannot match to one owned item) means
// "dry run it", never "no drift": the check only saves requests, it never decides drift itself. Pure.
import type { KubeObject } from '../kube/types.js';
import { isLeaf, ownedFields, type FieldSet } from './field-set.js';

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Nothing at all: no value, an empty map or an empty list. */
function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (Array.isArray(value) && value.length === 0) || (isMap(value) && Object.keys(value).length === 0);
}

/** Whether a merge key's values are an item's (compared as text: a declared "8080" is the server's 8080); a key field the item leaves out matches any. */
function keyMatches(merge: Record<string, unknown>, item: Record<string, unknown>, strict: boolean): boolean {
  return Object.entries(merge).every(([field, value]) => (item[field] === undefined ? !strict : String(item[field]) === String(value)));
}

/** The owned "k:{...}" items a declared list item can be, each with its merge key. */
function keyedCandidates(node: FieldSet, item: Record<string, unknown>): [Record<string, unknown>, FieldSet][] {
  return Object.entries(node)
    .filter(([key]) => key.startsWith('k:'))
    .map(([key, child]): [Record<string, unknown>, FieldSet] => [JSON.parse(key.slice(2)) as Record<string, unknown>, child])
    .filter(([merge]) => keyMatches(merge, item, false));
}

/** Whether `live` holds every value `declared` sets (scalars compared as text, lists item by item). */
function holds(live: unknown, declared: unknown): boolean {
  if (declared === null || declared === undefined) return true;
  if (isMap(declared)) return isMap(live) && Object.entries(declared).every(([key, child]) => holds(live[key], child));
  if (Array.isArray(declared)) return Array.isArray(live) && live.length === declared.length && declared.every((item, i) => holds(live[i], item));
  return live !== undefined && live !== null && !isMap(live) && !Array.isArray(live) && String(live) === String(declared);
}

function covers(value: unknown, node: FieldSet | undefined, live: unknown): boolean {
  // A declared null asks for nothing; an empty map or list where the live object has nothing either
  // leaves nothing to differ (whoever owns it).
  if (value === null || value === undefined) return true;
  if (isBlank(value) && isBlank(live)) return true;
  if (!node) return false;
  // A node without children: a scalar owned (any change would have taken it away), or a map or list
  // owned whole (atomic), or only the map or list itself while its entries were taken or removed (the
  // server leaves "f:data": {} when another manager took every key); fieldsV1 does not tell the last two
  // apart, so a declared map or list counts only when the live one still holds every declared value.
  if (isLeaf(node)) return !(isMap(value) || Array.isArray(value)) || holds(live, value);
  if (isMap(value)) return Object.entries(value).every(([key, child]) => covers(child, node[`f:${key}`], isMap(live) ? live[key] : undefined));
  if (Array.isArray(value)) {
    return value.every((item) => {
      if (!isMap(item)) return node[`v:${JSON.stringify(item)}`] !== undefined;
      const candidates = keyedCandidates(node, item);
      if (candidates.length !== 1) return false;
      const [merge, child] = candidates[0]!;
      const liveItem = Array.isArray(live) ? live.find((other) => isMap(other) && keyMatches(merge, other, true)) : undefined;
      return covers(item, child, liveItem);
    });
  }
  // A scalar where the owner has a subtree: the shapes disagree, so prove nothing.
  return false;
}

/** metadata the server sets (or strips from field sets): no manager owns it. */
const UNOWNED_METADATA = new Set(['name', 'namespace', 'creationTimestamp']);

/**
 * Whether `live`'s managedFields show `manager` still owning every field `declared` (the release's
 * object as its manifest renders it) sets, so that the live object cannot have drifted from it.
 */
export function ownsEveryDeclaredField(declared: KubeObject, live: KubeObject, manager: string): boolean {
  const owned = ownedFields(live, manager);
  if (!owned) return false;
  return Object.entries(declared).every(([key, value]) => {
    if (key === 'apiVersion' || key === 'kind' || key === 'status') return true;
    if (key === 'metadata') {
      const metadata = owned['f:metadata'];
      return Object.entries(declared.metadata).every(([field, child]) => UNOWNED_METADATA.has(field) || covers(child, metadata?.[`f:${field}`], live.metadata[field]));
    }
    return covers(value, owned[`f:${key}`], live[key]);
  });
}
