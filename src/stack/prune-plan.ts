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

/** The stack was renamed, asked to prune, and its old inventory was not adopted: nothing was changed. Exit code 2. */
export class InventoryRenameError extends UsageError {
  constructor(stack: string, previous: string, file: string) {
    super(`stack '${stack}' is asked to prune, but stack '${previous}' deployed most of its releases from this same stack file (${file}, the same path or repository): the stack looks renamed from '${previous}' to '${stack}', and '${previous}''s releases would be left out of its prune`,
      `pass --adopt-inventory to take over '${previous}''s inventory under the name '${stack}' (its releases then become prunable by '${stack}'), or put the name '${previous}' back; nothing was changed`,
    );
  }
}

/**
 * An apply or plan --prune of a stack whose name's inventory another stack file wrote (another identity:
 * another absolute path, or another repository or file in it). Two stacks share the name; the inventory
 * lists the other's releases, which this stack must never prune.
 */
export class InventoryOwnerError extends UsageError {
  constructor(stack: string, file: string, owner: Inventory) {
    super(`stack '${stack}' is asked to prune, but its inventory (helmcycle-inventory.${stack}) was written by another stack file (${owner.file}, another path or repository), not by ${file}: two stacks share the name '${stack}', and a prune here could remove the other's releases`,
      `give one of the stacks another name; or, if this stack file was moved or copied from that one, pass --adopt-inventory to take its inventory over; nothing was changed`,
    );
  }
}

/** Plan's and apply's note when the name's inventory is another stack file's: this run neither prunes from it nor writes it. */
export function foreignInventoryNote(stack: string, owner: Inventory): string {
  return `the inventory of stack '${stack}' was written by another stack file (${owner.file}, another path or repository): two stacks share the name '${stack}'. This run does not record its releases there, and prune is refused; rename one of them, or pass --adopt-inventory if this file was moved from that one`;
}

const sharesMost = (other: Inventory, mine: ReadonlySet<string>) => other.releases.length > 0 && other.releases.filter((e) => mine.has(entryKey(e))).length * 2 > other.releases.length;

/**
 * The inventory a renamed stack left under its old name: another stack's, written by the same stack
 * file (the same identity: the same absolute path, or the same file in the same repository, see
 * stack-origin.ts), of which this stack still declares most releases (more than half). Nothing weaker
 * counts: two unrelated stacks both called helmcycle.yaml, sharing release names, are not one stack, and
 * a rename missed (the file moved too) only leaves the old inventory behind, which lookalikes() notes.
 */
export function renamedFrom(identity: string | undefined, declared: readonly { release: string; namespace: string }[], others: readonly Inventory[]): Inventory | undefined {
  if (!identity) return undefined;
  const mine = new Set(declared.map(entryKey));
  return others.find((o) => o.identity === identity && sharesMost(o, mine));
}

/**
 * Inventories that might be a renamed stack's old one on weak evidence only (a stack file of the same
 * name, most of its releases), for a stack that has no inventory yet and no strong match: only noted, never
 * adopted (their releases stay out of this stack's prune, and nothing of theirs is touched).
 */
export function lookalikes(own: Inventory | undefined, file: string, declared: readonly { release: string; namespace: string }[], others: readonly Inventory[]): Inventory[] {
  if (own) return [];
  const mine = new Set(declared.map(entryKey));
  return others.filter((o) => o.file === file && sharesMost(o, mine));
}

/** Plan's note for a lookalike: the old inventory, if it is one, is left as it is. */
export function lookalikeNote(stack: string, other: Inventory): string {
  return `stack '${other.stack}' deployed most of these releases from a stack file also named ${other.file}, but not this one (another path or repository): it is not taken for this stack's old name. If '${stack}' was renamed from it, that inventory is left behind and its releases are never pruned by '${stack}'; put the old name back to keep them prunable`;
}

/** Plan's and apply's warning for a rename seen without --prune: the apply goes on, the old inventory stays. */
export function renameWarning(stack: string, previous: Inventory): string {
  return `stack '${stack}' looks renamed from '${previous.stack}' (the same stack file, ${previous.file}, deployed most of its releases under that name): '${previous.stack}''s inventory is not taken over, so a prune would refuse; pass --adopt-inventory to take it over`;
}
