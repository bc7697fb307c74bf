// What plan shows of prune: one entry per release of the stack's inventory that the stack no longer
// declares, decided by prune-plan.ts on the same reads apply makes (prune.ts), and by the destroy
// decision each uninstall will make (decide.ts). With --prune (or the stack's prune: true) an installed
// one is "delete: no longer in the stack", a change; without, it is shown and left ("none"), which
// --detailed-exitcode does not count: the exit code says what this apply would do, and it would not.
import { decideDestroy } from '../lifecycle/decide.js';
import type { HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { diffManifests } from './manifest-diff.js';
import type { Masker } from '../secrets/masker.js';
import type { RunSettings } from './chart-spec-of.js';
import type { InventoryEntry } from './inventory.js';
import { inventoryForRun } from './prune.js';
import type { ChartPlan } from './plan.js';
import type { ResolvedStack } from './types.js';

export const NO_LONGER_IN_STACK = 'no longer in the stack';

export interface PrunePlanOptions {
  helm: HelmClient;
  kube: KubeClient;
  signal?: AbortSignal | undefined;
  masker?: Masker | undefined;
  /** Told what the inventories say beside the entries (a rename seen, an old inventory left behind). */
  note?: ((message: string) => void) | undefined;
}

async function entryPlan(entry: InventoryEntry, prune: boolean, left: string | undefined, o: PrunePlanOptions): Promise<ChartPlan> {
  const found = await o.helm.status({ release: entry.release, namespace: entry.namespace }, { signal: o.signal });
  const decision = decideDestroy(found);
  const installed = decision.installed ? { revision: decision.installed.revision, status: decision.installed.status, chartVersion: decision.installed.chartVersion } : undefined;
  const deletes = prune && !left && installed !== undefined;
  const why = left
    ? `${NO_LONGER_IN_STACK}; left in place: ${left}`
    : !installed
      ? `${NO_LONGER_IN_STACK}, and already uninstalled${prune ? ': only its inventory entry goes' : ''}`
      : prune
        ? NO_LONGER_IN_STACK
        : `${NO_LONGER_IN_STACK}: would be pruned with --prune (or the stack's prune: true)`;
  const current = deletes ? await o.helm.getManifest({ release: entry.release, namespace: entry.namespace }, { signal: o.signal }) : '';
  return {
    chart: entry.release, namespace: entry.namespace, action: deletes ? 'delete' : 'none', reason: why, installed, targetVersion: undefined, recovery: undefined,
    changes: deletes ? diffManifests(current, '', entry.namespace, o.masker ? { masker: o.masker } : {}) : [],
    predictions: [], providedCrds: [], unservedKinds: [], prune: true,
  };
}

/** The prune entries of an apply's plan, in the order apply would remove them; none for destroy. */
export async function planPrune(stack: ResolvedStack, settings: Pick<RunSettings, 'command' | 'prune' | 'adoptInventory'>, o: PrunePlanOptions): Promise<ChartPlan[]> {
  if (settings.command !== 'apply') return [];
  const context = await inventoryForRun(o.kube, stack, settings, o.note ?? (() => {}));
  if (!context) return [];
  const { prune, left } = context.decision;
  return [
    ...(await Promise.all(prune.map((entry) => entryPlan(entry, settings.prune, undefined, o)))),
    ...(await Promise.all(left.map(({ entry, reason }) => entryPlan(entry, settings.prune, reason, o)))),
  ];
}
