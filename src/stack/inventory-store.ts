// Reading and writing a stack's inventory (inventory.ts) in a cluster. Writes are optimistic: the
// object is created, or replaced with the resourceVersion read; when another run wrote it in between
// (409), it is read again and this run's change (deployed and removed releases, not a whole list) laid
// on the newer copy, so two runs of one stack at once never lose each other's entries.
import { KubeRequestError } from '../errors.js';
import type { KubeClient, KubeObject } from '../kube/types.js';
import { applyDelta, emptyInventory, INVENTORY_LABEL, INVENTORY_NAMESPACE, inventoryName, inventoryObject, parseInventory, type Inventory, type InventoryDelta, type InventoryMeta } from './inventory.js';

const ATTEMPTS = 8;
const conflict = (error: unknown) => error instanceof KubeRequestError && error.statusCode === 409;

const ref = (stack: string) => ({ apiVersion: 'v1', kind: 'Secret', namespace: INVENTORY_NAMESPACE, name: inventoryName(stack) });

/**
 * The object to write over `live`: its labels, annotations and data keys that are not the inventory's
 * own are kept (a status another process writes on the object, its Events' owner, a team's labels).
 */
function keepForeign(live: KubeObject, next: KubeObject): KubeObject {
  const merged = (a: unknown, b: unknown) => ({ ...(a as Record<string, string> | undefined), ...(b as Record<string, string> | undefined) });
  return {
    ...next,
    metadata: { ...next.metadata, labels: merged(live.metadata.labels, next.metadata.labels), annotations: merged(live.metadata.annotations, next.metadata.annotations) },
    data: merged(live.data, next.data),
  };
}

/** Every stack's inventory in the cluster, this one's included. */
export async function readInventories(kube: KubeClient): Promise<Inventory[]> {
  const objects = await kube.listByLabels('v1', 'Secret', INVENTORY_NAMESPACE, `${INVENTORY_LABEL}=stack`);
  return objects.map(parseInventory).filter((i): i is Inventory => i !== undefined);
}

/** The stack's own inventory and every other stack's. */
export async function inventoriesOf(kube: KubeClient, stack: string): Promise<{ own: Inventory | undefined; others: Inventory[] }> {
  const all = await readInventories(kube);
  return { own: all.find((i) => i.stack === stack), others: all.filter((i) => i.stack !== stack) };
}

/** Lays `delta` on the stack's inventory in the cluster, creating it when there is none; returns what was written. */
export async function updateInventory(kube: KubeClient, meta: InventoryMeta, delta: InventoryDelta, start?: Inventory): Promise<Inventory> {
  for (let attempt = 1; ; attempt++) {
    const live: KubeObject | undefined = await kube.getObject(ref(meta.stack));
    const base = parseInventory(live) ?? start ?? emptyInventory(meta);
    const next = applyDelta(base, delta, meta);
    // Nothing changed (a run that left every release as it was): no write, no new resourceVersion.
    if (live && JSON.stringify(next) === JSON.stringify(parseInventory(live))) return next;
    const resourceVersion = typeof live?.metadata.resourceVersion === 'string' ? live.metadata.resourceVersion : undefined;
    try {
      if (live) await kube.replaceObject(keepForeign(live, inventoryObject(next, resourceVersion)));
      else await kube.createObject(inventoryObject(next));
      return next;
    } catch (error) {
      // Another run wrote it (or created it) since the read: read again and lay the same change on theirs.
      if (!conflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** Removes a stack's inventory (the old name's, once a renamed stack adopted it). */
export async function deleteInventory(kube: KubeClient, stack: string): Promise<void> {
  await kube.deleteObject(ref(stack));
}
