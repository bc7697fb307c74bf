// Which releases prune would uninstall, and whether the stack was renamed: decided from the stack's
// inventory, the releases the stack declares now and the other stacks' inventories. Pure: plan and
// apply call the same functions on the same reads, so they cannot disagree.
import { UsageError } from '../errors.js';
import { entryKey, type Inventory, type InventoryEntry } from './inventory.js';

export interface PruneDecision {
  /** Entries no longer in the stack, in the order prune removes them (reverse dependency order). */
  prune: InventoryEntry[];
  /** Entries no longer in the stack that prune leaves, with why (another stack's inventory lists them). */
  left: { entry: InventoryEntry; reason: string }[];
}

/**
 * The inventory's entries the stack no longer declares. A release the stack still declares (by release
 * and namespace) is never pruned, whatever its action (`action: destroy` is destroy's business); one
 * that another stack's inventory lists is left: it is that stack's too, and not ours alone to remove.
 */
export function decidePrune(inventory: Inventory | undefined, declared: readonly { release: string; namespace: string }[], others: readonly Inventory[]): PruneDecision {
  if (!inventory) return { prune: [], left: [] };
  const inStack = new Set(declared.map(entryKey));
  const claimedBy = new Map<string, string>();
  for (const other of others) for (const e of other.releases) if (!claimedBy.has(entryKey(e))) claimedBy.set(entryKey(e), other.stack);
  const gone = inventory.releases.filter((e) => !inStack.has(entryKey(e)));
  const left = gone.filter((e) => claimedBy.has(entryKey(e))).map((entry) => ({ entry, reason: `also in the inventory of stack '${claimedBy.get(entryKey(entry))}'` }));
  const prune = reverseDependencyOrder(gone.filter((e) => !claimedBy.has(entryKey(e))));
  return { prune, left };
}

/**
 * Dependents first: an entry is removed before every entry it needed (as recorded when it was
 * deployed). Needs outside the set are ignored; ties keep the inventory's order. A cycle (impossible
 * from a valid stack) falls back to the inventory's order for what remains.
 */
export function reverseDependencyOrder(entries: readonly InventoryEntry[]): InventoryEntry[] {
  const keys = new Set(entries.map(entryKey));
  const neededBy = new Map<string, number>(entries.map((e) => [entryKey(e), 0]));
  for (const e of entries) for (const n of e.needs) if (keys.has(n) && n !== entryKey(e)) neededBy.set(n, neededBy.get(n)! + 1);
  const order: InventoryEntry[] = [];
  const remaining = [...entries];
  while (remaining.length) {
    const index = remaining.findIndex((e) => neededBy.get(entryKey(e)) === 0);
    const [next] = remaining.splice(index === -1 ? 0 : index, 1);
    order.push(next!);
    for (const n of next!.needs) if (neededBy.has(n)) neededBy.set(n, neededBy.get(n)! - 1);
  }
  return order;
}

/** The stack was renamed and its old inventory was not adopted: nothing was changed. Exit code 2. */
export class InventoryRenameError extends UsageError {
  constructor(stack: string, previous: string, file: string) {
    super(`stack '${stack}' has no inventory, but stack '${previous}' deployed the same releases from the same stack file (${file}): the stack looks renamed from '${previous}' to '${stack}'`,
      `pass --adopt-inventory to take over '${previous}''s inventory under the name '${stack}' (its releases then become prunable by '${stack}'), or put the name '${previous}' back; nothing was changed`,
    );
  }
}

/**
 * The inventory a renamed stack left under its old name: none of its own, and another stack's recorded
 * from the same stack file of which this stack still declares most releases (more than half). Both are
 * asked: the file name alone (helmcycle.yaml, outside git) is shared by most stacks, and a release or
 * two in common is what two stacks sharing a namespace look like, while a renamed stack keeps most of
 * what it deployed.
 */
export function renamedFrom(own: Inventory | undefined, file: string, declared: readonly { release: string; namespace: string }[], others: readonly Inventory[]): Inventory | undefined {
  if (own) return undefined;
  const mine = new Set(declared.map(entryKey));
  return others.find((o) => o.file === file && o.releases.length > 0 && o.releases.filter((e) => mine.has(entryKey(e))).length * 2 > o.releases.length);
}
