// Prune in a run: the stack's inventory read before anything changes (a renamed stack refused there),
// the releases no longer in the stack uninstalled after the stack's charts are deployed, each through
// the normal destroy lifecycle (its lease included), and the inventory written with what the run did.
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { KubeRequestError } from '../errors.js';
import type { HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { runChart, type RunOptions } from '../lifecycle/runner.js';
import type { ChartPayload, ChartResult, ExecOutcome } from '../lifecycle/types.js';
import { chartSpecOf } from './chart-spec-of.js';
import type { StackCommand } from './events.js';
import { entryKey, type Inventory, type InventoryDelta, type InventoryEntry } from './inventory.js';
import { deleteInventory, inventoriesOf, updateInventory } from './inventory-store.js';
import { decidePrune, foreignInventoryNote, InventoryOwnerError, InventoryRenameError, lookalikeNote, lookalikes, renamedFrom, renameWarning, type PruneDecision } from './prune-plan.js';
import { stackOrigin, type StackOrigin } from './stack-origin.js';
import type { ResolvedChart, ResolvedStack, StackChart } from './types.js';

/** The run's view of the inventories, read once before anything changes. */
export interface PruneContext {
  origin: StackOrigin;
  /** The stack's inventory: its own, with the old name's entries when it adopts them. */
  inventory: Inventory | undefined;
  /** The old name's inventory this run adopts (--adopt-inventory): deleted once the new one is written. */
  adopted: Inventory | undefined;
  /** The adopted entries the stack's own inventory did not list: written into it. */
  adoptedEntries: InventoryEntry[];
  decision: PruneDecision;
  /** What plan notes and apply warns of (a rename seen but not acted on); never a reason to stop. */
  notes: string[];
  /** The name's inventory, written by another stack file: neither pruned from nor written by this run. */
  foreign?: Inventory | undefined;
}

/** The release and namespace each chart of the stack declares (every chart, selected or not). */
export function declaredReleases(stack: ResolvedStack): { release: string; namespace: string }[] {
  return stack.charts.map((c) => {
    const spec = chartSpecOf(c.definition, c.file);
    return { release: spec.name, namespace: spec.namespace };
  });
}

/**
 * Reads the inventories and decides prune. An apply whose stack file wrote another name's inventory
 * (prune-plan.ts: strong evidence only) looks renamed: with --adopt-inventory it takes that inventory
 * over; with prune and without adopting it is refused (its prune would leave the old name's releases, and
 * the user asked to prune); without prune it goes on, warned: it removes nothing, and the old inventory
 * stays as it is. A destroy is never refused: it only removes entries, and needs no inventory.
 */
export async function readPruneContext(kube: KubeClient, stack: ResolvedStack, settings: { command: StackCommand; prune?: boolean; adoptInventory: boolean }): Promise<PruneContext> {
  const origin = await stackOrigin(stack.file);
  const declared = declaredReleases(stack);
  const { own: named, others } = await inventoriesOf(kube, stack.name);
  // The name's inventory from another stack file (both identities known, and not taken over): another
  // stack of the same name. Its releases are not this stack's to prune, and this run does not write it.
  const foreign = named?.identity && origin.identity && named.identity !== origin.identity && !settings.adoptInventory ? named : undefined;
  if (foreign && settings.prune) throw new InventoryOwnerError(stack.name, origin.file, foreign);
  const own = foreign ? undefined : named;
  const apply = settings.command === 'apply';
  const previous = apply ? renamedFrom(origin.identity, declared, others) : undefined;
  if (previous && !settings.adoptInventory && settings.prune) throw new InventoryRenameError(stack.name, previous.stack, origin.file);
  const adopted = previous && settings.adoptInventory ? previous : undefined;
  const notes = previous && !adopted ? [renameWarning(stack.name, previous)] : [];
  if (foreign) notes.push(foreignInventoryNote(stack.name, foreign));
  if (apply && !previous) notes.push(...lookalikes(own, origin.file, declared, others).map((o) => lookalikeNote(stack.name, o)));
  const ownKeys = new Set((own?.releases ?? []).map(entryKey));
  const adoptedEntries = adopted ? adopted.releases.filter((e) => !ownKeys.has(entryKey(e))) : [];
  const base = own ?? (adopted ? { ...adopted, stack: stack.name, releases: [] } : undefined);
  const inventory = base && adopted ? { ...base, releases: [...base.releases, ...adoptedEntries] } : base;
  const rest = others.filter((o) => o !== adopted);
  return { origin, inventory, adopted, adoptedEntries, decision: decidePrune(inventory, declared, rest), notes, foreign };
}

/**
 * The chart as the inventory shows it: a local chart (resolved to an absolute path by load.ts) relative
 * to the stack file's folder, or its folder name alone outside it. An inventory never holds an absolute
 * path: it would name someone's home folder, and it is only ever shown.
 */
export function shownChart(chart: string, stackFile: string | undefined): string {
  if (!isAbsolute(chart)) return chart;
  const inStack = stackFile ? relative(dirname(resolve(stackFile)), chart) : '..';
  return inStack && !inStack.startsWith('..') && !isAbsolute(inStack) ? `./${inStack.split(sep).join('/')}` : basename(chart);
}

/** What the inventory records of a chart deployed now; `releaseOf` gives each chart's release key, read once a run. */
function entryOf(chart: ResolvedChart, stack: ResolvedStack, releaseOf: ReadonlyMap<string, string>): InventoryEntry {
  const spec = chartSpecOf(chart.definition, chart.file);
  const needs = chart.needs.map((n) => releaseOf.get(n)).filter((key): key is string => key !== undefined);
  return { release: spec.name, namespace: spec.namespace, chart: shownChart(spec.chart, stack.file), needs };
}

const DEPLOYED: ReadonlySet<ExecOutcome | undefined> = new Set(['installed', 'upgraded', 'reinstalled', 'unchanged', 'restored']);
const GONE: ReadonlySet<ExecOutcome | undefined> = new Set(['uninstalled', 'absent']);

/** The change a run makes to the inventory: what it deployed, what it uninstalled (destroy or prune). */
export function inventoryDelta(stack: ResolvedStack, command: StackCommand, succeeded: ReadonlyMap<string, ChartResult>, pruned: readonly InventoryEntry[]): InventoryDelta {
  const delta: InventoryDelta = { deployed: [], removed: pruned.map((e) => ({ release: e.release, namespace: e.namespace })) };
  // Each chart's release key, once for the run (a chart's needs are named by chart, recorded by release).
  const declared = declaredReleases(stack);
  const releaseOf = new Map(stack.charts.map((c, i) => [c.name, entryKey(declared[i]!)]));
  for (const chart of stack.charts) {
    const result = succeeded.get(chart.name);
    if (!result) continue;
    if (command === 'apply' && DEPLOYED.has(result.outcome)) delta.deployed.push(entryOf(chart, stack, releaseOf));
    else if (GONE.has(result.outcome)) delta.removed.push({ release: result.name, namespace: result.namespace });
  }
  return delta;
}

/**
 * The definition prune runs an entry with: the normal destroy lifecycle of that release, nothing else.
 * The recorded chart reference is not used: an uninstall needs none, and the inventory is data (it never
 * names a path or a repository helmcycle reads).
 */
export function pruneDefinition(entry: InventoryEntry): StackChart {
  return { name: entry.release, namespace: entry.namespace, chart: entry.release, action: 'destroy' };
}

/** The name a pruned release has in events and records: not a chart of the stack, so its place too. */
export const pruneName = (entry: InventoryEntry): string => `${entry.namespace}/${entry.release} (prune)`;

/** Writes the run's change (the adopted entries with it), then drops the adopted old name's inventory. */
export async function writeInventory(kube: KubeClient, stack: ResolvedStack, context: PruneContext, delta: InventoryDelta): Promise<Inventory> {
  if (context.foreign) return context.foreign;
  const meta = { stack: stack.name, file: context.origin.file, ...(context.origin.commit ? { commit: context.origin.commit } : {}), ...(context.origin.identity ? { identity: context.origin.identity } : {}) };
  const touched = new Set([...delta.deployed, ...delta.removed].map(entryKey));
  const full = { ...delta, deployed: [...context.adoptedEntries.filter((e) => !touched.has(entryKey(e))), ...delta.deployed] };
  const written = await updateInventory(kube, meta, full);
  if (context.adopted) await deleteInventory(kube, context.adopted.stack);
  return written;
}

/**
 * The run's inventories; undefined when the cluster refuses to show them (RBAC): the run goes on without
 * an inventory, told by `warn`, unless it was asked to prune, which it cannot do safely blind. The
 * context's notes are told by `warn` too.
 */
export async function inventoryForRun(kube: KubeClient, stack: ResolvedStack, settings: { command: StackCommand; prune: boolean; adoptInventory: boolean }, warn: (message: string) => void): Promise<PruneContext | undefined> {
  let context: PruneContext;
  try {
    context = await readPruneContext(kube, stack, settings);
  } catch (error) {
    if (!(error instanceof KubeRequestError) || settings.prune) throw error;
    warn(`the stack's inventory cannot be read (${error.message}): this run does not record what it deploys, and a later --prune will not know these releases`);
    return undefined;
  }
  for (const note of context.notes) warn(note);
  return context;
}

export interface PruneRecord {
  entry: InventoryEntry;
  result?: ChartResult;
  error?: unknown;
}

/**
 * Uninstalls each entry in order, one at a time, through the normal destroy lifecycle (the release's
 * lease included). Stops starting new ones when the run is interrupted; a failed one does not stop the
 * next (the entries are in reverse dependency order: a failed dependent leaves what it needs in place
 * only when its removal is what failed, and the inventory keeps it for the next run).
 */
export async function runPrune(entries: readonly InventoryEntry[], options: { helm: HelmClient } & Omit<RunOptions<ChartPayload>, 'helm' | 'file'>): Promise<PruneRecord[]> {
  const records: PruneRecord[] = [];
  const failedNeeds = new Set<string>();
  for (const entry of entries) {
    if (options.signal?.aborted) break;
    // What a failed removal needed by it stays: it is still in use.
    if (failedNeeds.has(entryKey(entry))) {
      records.push({ entry, error: new Error(`left in place: a release that needs it could not be uninstalled`) });
      for (const n of entry.needs) failedNeeds.add(n);
      continue;
    }
    const onEvent = options.onEvent ? (event: Parameters<NonNullable<typeof options.onEvent>>[0]) => options.onEvent!({ ...event, chart: pruneName(entry) }) : undefined;
    try {
      records.push({ entry, result: await runChart(pruneDefinition(entry), { ...options, ...(onEvent ? { onEvent } : {}) }) });
    } catch (error) {
      records.push({ entry, error });
      for (const n of entry.needs) failedNeeds.add(n);
    }
  }
  return records;
}
