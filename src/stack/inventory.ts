// A stack's inventory: which releases the stack deployed, kept in the cluster it deployed them to (one
// object per stack and cluster, so a fleet target holds its own). Prune reads it to know what is ours:
// a release the inventory does not list is never uninstalled, whoever installed it.
//
// The object is a Secret, not a ConfigMap. The inventory holds no secret, but it decides what prune
// uninstalls: it gets the same readers and writers as the Helm release records it points at (Helm's
// default storage is Secrets too), and not the wider audience ConfigMaps usually have. It lives in the
// `default` namespace: one fixed place per cluster (the releases span namespaces, so none of theirs is
// the stack's), one that exists in every cluster and cannot be deleted, and not kube-system, which is the
// control plane's and rarely writable by the teams that deploy. Pure.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { KubeObject } from '../kube/types.js';

export const INVENTORY_NAMESPACE = 'default';
export const INVENTORY_LABEL = 'helmcycle.dev/inventory';
const INVENTORY_KEY = 'inventory.json';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'helmcycle' };

const entrySchema = z.object({
  /** The release and its namespace: what prune uninstalls. */
  release: z.string().min(1),
  namespace: z.string().min(1),
  /** The chart reference it was deployed from (shown; never run: prune only uninstalls). */
  chart: z.string(),
  /** The releases (in this inventory) it needed when deployed: prune removes it before them. */
  needs: z.array(z.string()).default([]),
}).strict();

const inventorySchema = z.object({
  stack: z.string().min(1),
  /** The stack file, relative to the git work tree's root when in one, else its name alone: never an absolute path. */
  file: z.string(),
  /** The commit checked out in the stack's git work tree at the last write, when there is one. */
  commit: z.string().optional(),
  /**
   * Which stack file wrote it, as a digest (stack-origin.ts): the evidence a renamed stack is the same
   * stack. Absent in an inventory written before it was kept: such a one is never taken for a rename.
   */
  identity: z.string().optional(),
  releases: z.array(entrySchema),
// Fields another helmcycle (a newer one, or the reconciler's) keeps beside these are read and written
// back unchanged, never a reason to take the inventory for none (which would rewrite it empty).
}).passthrough();

export type InventoryEntry = z.infer<typeof entrySchema>;
export type Inventory = z.infer<typeof inventorySchema>;

/** What one run changes in an inventory: replayed on the latest copy when another run wrote it meanwhile. */
export interface InventoryDelta {
  /** Releases deployed by the run (added, or replacing the entry of the same release). */
  deployed: InventoryEntry[];
  /** Releases uninstalled by the run (destroy or prune). */
  removed: { release: string; namespace: string }[];
}

export const entryKey = (e: { release: string; namespace: string }): string => `${e.namespace}/${e.release}`;

/**
 * The object's name: `helmcycle-inventory.<stack>`. A stack name that is not a valid object name as it
 * stands is lowered and cleaned, with a hash of the name itself so two names cleaned alike stay apart.
 */
export function inventoryName(stack: string): string {
  const clean = stack.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '').slice(0, 200) || 'stack';
  const suffix = clean === stack ? '' : `-${createHash('sha256').update(stack).digest('hex').slice(0, 8)}`;
  return `helmcycle-inventory.${clean}${suffix}`;
}

/** The Secret holding `inventory`; with `resourceVersion`, a replace that fails if someone wrote it since. */
export function inventoryObject(inventory: Inventory, resourceVersion?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: inventoryName(inventory.stack),
      namespace: INVENTORY_NAMESPACE,
      labels: { ...MANAGED_BY, [INVENTORY_LABEL]: 'stack' },
      annotations: { 'helmcycle.dev/purpose': "the releases this helmcycle stack deployed: apply --prune uninstalls those no longer in the stack, and no other" },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    type: 'Opaque',
    data: { [INVENTORY_KEY]: Buffer.from(JSON.stringify(inventory)).toString('base64') },
  };
}

/** The inventory a Secret holds; undefined when it holds none this helmcycle can read. */
export function parseInventory(object: KubeObject | undefined): Inventory | undefined {
  const encoded = (object?.data as Record<string, unknown> | undefined)?.[INVENTORY_KEY];
  if (typeof encoded !== 'string') return undefined;
  try {
    const parsed = inventorySchema.safeParse(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** What a run writes of where the stack came from (stack-origin.ts). */
export type InventoryMeta = Pick<Inventory, 'stack' | 'file' | 'commit' | 'identity'>;

/** The inventory's own fields from `meta`, over whatever else `base` keeps (passed through unchanged). */
function withMeta(base: Record<string, unknown>, meta: InventoryMeta, releases: InventoryEntry[]): Inventory {
  const { stack: _s, file: _f, commit: _c, identity: _i, releases: _r, ...rest } = base;
  // In the schema's order, the others after: as a parse returns it, so an unchanged inventory compares equal.
  return { stack: meta.stack, file: meta.file, ...(meta.commit ? { commit: meta.commit } : {}), ...(meta.identity ? { identity: meta.identity } : {}), releases, ...rest };
}

/** `base` with a run's change laid on it: removed entries dropped, deployed ones added or replaced. */
export function applyDelta(base: Inventory, delta: InventoryDelta, meta: InventoryMeta): Inventory {
  const gone = new Set(delta.removed.map(entryKey));
  const deployed = new Map(delta.deployed.map((e) => [entryKey(e), e]));
  const kept = base.releases.filter((e) => !gone.has(entryKey(e)) && !deployed.has(entryKey(e)));
  const releases = [...kept, ...deployed.values()].sort((a, b) => entryKey(a).localeCompare(entryKey(b)));
  return withMeta(base, meta, releases);
}

/** An empty inventory for a stack that has none yet. */
export function emptyInventory(meta: InventoryMeta): Inventory {
  return withMeta({}, meta, []);
}
