// Where people look for what reconcile did: Kubernetes Events on the stack's inventory Secret (one per
// failed chart, one per run that changed something, one when the source could not be read) and a status
// annotation on it (the last run, each chart's outcome, the source revision) that `helmcycle status`
// shows. Written with a merge patch of one annotation, so the inventory itself is never rewritten here.
// Every message is masked; a failure to record is logged and never fails the loop.
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../kube/types.js';
import type { Masker } from '../secrets/masker.js';
import { INVENTORY_NAMESPACE, inventoryName } from '../stack/inventory.js';
import { notify } from './notify.js';
import type { ReconcileStack } from './run-once.js';
import type { ReconcileRun } from './types.js';

export const STATUS_ANNOTATION = 'helmcycle.dev/reconcile-status';

export interface ReconcileStatus {
  lastRun: string;
  trigger: string;
  revision: string;
  ok: boolean;
  charts: Record<string, { status: string; failureClass?: string; lastSuccess?: string }>;
  error?: string;
}

/**
 * The status a run leaves, over the one before: a chart of the stack the run did not touch (waiting out
 * its backoff) keeps its line; a chart no longer in the stack (removed, pruned) loses it. Pure.
 */
export function nextStatus(previous: ReconcileStatus | undefined, run: ReconcileRun): ReconcileStatus {
  const at = new Date(run.startedAt + run.durationMs).toISOString();
  const declared = run.stackCharts ? new Set(run.stackCharts) : undefined;
  const charts = Object.fromEntries(Object.entries(previous?.charts ?? {}).filter(([name]) => !declared || declared.has(name)));
  for (const chart of run.charts) {
    const before = charts[chart.name];
    charts[chart.name] = { status: chart.status, ...(chart.failureClass ? { failureClass: chart.failureClass } : {}), ...(chart.status === 'succeeded' ? { lastSuccess: at } : before?.lastSuccess ? { lastSuccess: before.lastSuccess } : {}) };
  }
  return { lastRun: at, trigger: run.trigger, revision: run.revision, ok: run.ok && !run.error, charts, ...(run.error ? { error: run.error } : {}) };
}

export function parseStatus(annotations: Record<string, string> | undefined): ReconcileStatus | undefined {
  const text = annotations?.[STATUS_ANNOTATION];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as ReconcileStatus;
  } catch {
    return undefined;
  }
}

/** The Events a run leaves: [type, reason, message]. Pure. */
export function eventsOf(run: ReconcileRun): [type: 'Normal' | 'Warning', reason: string, message: string][] {
  const rev = run.revision.slice(0, 12);
  if (run.error) return [['Warning', 'SourceFailed', `revision ${rev}: ${run.error}`]];
  const events: [type: 'Normal' | 'Warning', reason: string, message: string][] = [];
  for (const chart of run.charts.filter((c) => c.status === 'failed')) events.push(['Warning', 'ChartFailed', `chart ${chart.name} [${chart.failureClass ?? 'other'}] at revision ${rev}: ${chart.message ?? ''}; retried with backoff`]);
  const changed = run.charts.filter((c) => c.status === 'succeeded' && (c.changed || c.driftRepaired));
  if (changed.length) events.push(['Normal', 'Applied', `revision ${rev} (${run.trigger}): ${changed.map((c) => `${c.name}${c.driftRepaired ? ` (${c.driftRepaired} drifted object(s) put back)` : ''}`).join(', ')}`]);
  return events;
}

async function writeRecords(kube: KubeClient, masker: Masker, stack: string, run: ReconcileRun): Promise<void> {
  const name = inventoryName(stack);
  const secret = await kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace: INVENTORY_NAMESPACE, name });
  if (!secret) return; // no inventory yet (nothing deployed): nothing to hang records on
  const status = nextStatus(parseStatus(secret.metadata.annotations), run);
  await kube.patchObject({ apiVersion: 'v1', kind: 'Secret', namespace: INVENTORY_NAMESPACE, name }, { metadata: { annotations: { [STATUS_ANNOTATION]: masker.mask(JSON.stringify(status)) } } });
  const now = new Date().toISOString();
  for (const [type, reason, message] of eventsOf(run)) {
    await kube.createObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.${Date.now().toString(16)}${randomBytes(3).toString('hex')}`, namespace: INVENTORY_NAMESPACE },
      involvedObject: { apiVersion: 'v1', kind: 'Secret', namespace: INVENTORY_NAMESPACE, name, ...(secret.metadata.uid ? { uid: secret.metadata.uid } : {}) },
      reason,
      message: masker.mask(message).slice(0, 1000),
      type,
      source: { component: 'helmcycle-reconcile' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    } as never);
  }
}

export function withRecords(options: { kube: KubeClient; masker: Masker; notifyUrl?: string | undefined; log(line: string): void }) {
  return async (run: ReconcileRun, stack: ReconcileStack | undefined): Promise<void> => {
    if (options.notifyUrl && (!run.ok || run.charts.some((c) => c.changed || c.driftRepaired))) {
      // Not awaited: a slow or dead webhook never holds the loop (notify.ts retries on its own).
      void notify(options.notifyUrl, run, stack?.stack.name, options.masker, options.log);
    }
    if (!stack) return;
    try {
      await writeRecords(options.kube, options.masker, stack.stack.name, run);
    } catch (error) {
      options.log(`reconcile: the run's Events and status could not be written: ${options.masker.mask(error instanceof Error ? error.message : String(error))}`);
    }
  };
}

/** The status reconcile last left on the stack's inventory, if it ever ran on this cluster. */
export async function readReconcileStatus(kube: KubeClient, stack: string): Promise<ReconcileStatus | undefined> {
  const secret = await kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace: INVENTORY_NAMESPACE, name: inventoryName(stack) });
  return parseStatus(secret?.metadata.annotations);
}

/** `helmcycle status`'s lines for it. Pure. */
export function formatReconcileStatus(status: ReconcileStatus): string {
  const lines = [`reconcile: last run ${status.lastRun} (${status.trigger}) at revision ${status.revision.slice(0, 12)}: ${status.ok ? 'ok' : 'FAILED'}${status.error ? `: ${status.error}` : ''}`];
  for (const [chart, c] of Object.entries(status.charts).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${chart}: ${c.status}${c.failureClass ? ` [${c.failureClass}]` : ''}${c.lastSuccess ? `, last success ${c.lastSuccess}` : ''}`);
  }
  return lines.join('\n');
}
