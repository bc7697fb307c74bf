// Applies or destroys a resolved stack: each selected chart runs through its own lifecycle, in
// dependency order (reverse for destroy), under the concurrency limit.
import { maskerForSpecs } from '../secrets/sensitive.js';
import { resolveStackSecrets } from './resolve-secrets.js';
import type { HelmClient } from '../helm/types.js';
import { withRecentReads } from '../kube/recent-reads.js';
import type { KubeClient } from '../kube/types.js';
import { runChart } from '../lifecycle/runner.js';
import { DEFAULT_LOCK_TIMEOUT_MS } from '../lease/chart-lease.js';
import { newRunIdentity } from '../lease/lease-record.js';
import type { ChartPayload, ChartResult, Lifecycle } from '../lifecycle/types.js';
import { DEFAULT_CONCURRENCY } from './concurrency.js';
import type { StackCommand, StackCounts, StackEvent } from './events.js';
import { buildGraph, restrictGraph, reverseGraph } from './graph.js';
import { runGraph } from './scheduler.js';
import { selectCharts, type Selection } from './select.js';
import type { ResolvedChart, ResolvedStack } from './types.js';
import { chartSpecOf, runDefinitionOf, runSettingsOf } from './chart-spec-of.js';
import { rollbackOrder } from './stack-rollback-plan.js';
import { inventoryDelta, inventoryForRun, pruneName, runPrune, writeInventory, type PruneRecord } from './prune.js';
import { noteWrites, runStackRollback, RunWrites, type RollbackStepResult, type RollbackTarget } from './stack-rollback.js';

export { DEFAULT_CONCURRENCY };

export interface StackRunOptions {
  helm: HelmClient;
  kube: KubeClient;
  command: StackCommand;
  concurrency?: number;
  failFast?: boolean;
  /** Upgrade even when the recorded digest says nothing changed. */
  forceUpgrade?: boolean;
  /** Leave drift alone (--ignore-drift): every chart runs with ignoreDrift. */
  ignoreDrift?: boolean;
  selection?: Selection;
  signal?: AbortSignal;
  onEvent?: (event: StackEvent) => void;
  /** How long a chart waits for another run's lease on its release before refusing. */
  lockTimeoutMs?: number;
  /** apply: when a chart fails for good, put back every release this run changed (stack-rollback.ts). */
  rollbackStackOnFailure?: boolean;
  /** apply: uninstall the inventory's releases no longer in the stack (prune.ts). */
  prune?: boolean;
  /** A renamed stack takes over its old name's inventory. */
  adoptInventory?: boolean;
}

export interface ChartRunRecord {
  name: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  result?: ChartResult;
  error?: unknown;
  reason?: string;
}

export interface StackResult {
  stack: string;
  command: StackCommand;
  ok: boolean;
  interrupted: boolean;
  charts: ChartRunRecord[];
  counts: StackCounts;
  durationMs: number;
  /** The whole-stack rollback's steps, when one ran. */
  rollback?: RollbackStepResult[];
}


/** How many charts run at once: the caller's choice, else the stack's, else the default. */
export function concurrencyFor(stack: ResolvedStack, requested: number | undefined): number {
  return requested ?? stack.concurrency ?? DEFAULT_CONCURRENCY;
}

/** Only the validate phase: the others pass the payload through, exec reporting the release as it is. */
const VALIDATE_ONLY: Partial<Lifecycle<ChartPayload>> = {
  checkPrerequisites: async (_ctx, payload) => payload,
  preExec: async (_ctx, payload) => payload,
  exec: async (ctx, payload) => {
    const release = await ctx.helm.status({ release: ctx.spec.name, namespace: ctx.spec.namespace }, { signal: ctx.signal });
    if (!release) throw new Error(`release '${ctx.spec.name}' is not installed in ${ctx.spec.namespace}; nothing to validate`);
    return { ...payload, exec: { outcome: 'unchanged', release, attempts: 0, reason: 'validate only' } };
  },
  postExec: async (_ctx, payload) => payload,
};

export function selectedCharts(stack: ResolvedStack, selection: Selection = {}): ResolvedChart[] {
  const keep = selectCharts(
    stack.charts.map((c) => ({ name: c.name, labels: c.definition.labels ?? {} })),
    selection,
  );
  return stack.charts.filter((c) => keep.has(c.name));
}

export async function runStack(given: ResolvedStack, options: StackRunOptions): Promise<StackResult> {
  const started = Date.now();
  // A library caller's stack may still hold SOPS files and references (the CLI resolves them when it loads).
  const stack = await resolveStackSecrets(given, { kube: async () => options.kube, signal: options.signal });
  // One view of the cluster for the whole run: each namespace's release records read once.
  const view = options.helm.forRun();
  // And the first look at each deployed release's objects and backup, from one list per namespace and
  // kind where many charts read them (recent-reads.ts); every other call goes to the cluster as it is.
  const kube = withRecentReads(options.kube);
  // The stack's settings and the command's, folded once (chart-spec-of.ts), as plan folds them.
  const settings = runSettingsOf(stack, options);
  const rollingBack = settings.rollbackStackOnFailure;
  const writes = new RunWrites();
  const helm = rollingBack ? noteWrites(view, writes) : view;
  const emit = (event: StackEvent) => options.onEvent?.(event);
  const charts = selectedCharts(stack, options.selection);
  const byName = new Map(charts.map((c) => [c.name, c]));
  const full = buildGraph(stack.charts, stack.file);
  const graph = restrictGraph(options.command === 'destroy' ? reverseGraph(full) : full, new Set(byName.keys()));
  // The stack's inventory, read before anything changes: a renamed stack is refused here (prune.ts).
  const warn = (chart: string, message: string) => emit({ type: 'message', chart, phase: 'exec', level: 'warn', message, at: Date.now() });
  // Its notes (a rename or a same-name stack seen, not acted on) are told once the stack has started.
  const inventoryNotes: string[] = [];
  const inventory = options.command === 'validate' ? undefined : await inventoryForRun(options.kube, stack, settings, (message) => inventoryNotes.push(message));
  const pruning = settings.prune ? (inventory?.decision.prune ?? []) : [];
  emit({ type: 'stack-started', stack: stack.name, command: options.command, charts: [...graph.names, ...pruning.map(pruneName)], at: started });
  for (const note of inventoryNotes) warn(stack.name, note);

  // Each selected release as it was before the run: what a stack rollback returns it to.
  const recorded = new Map<string, RollbackTarget>();
  if (rollingBack) {
    await Promise.all(charts.map(async (chart) => {
      const spec = chartSpecOf(chart.definition, chart.file);
      const release = await helm.status({ release: spec.name, namespace: spec.namespace }, options.signal ? { signal: options.signal } : {});
      recorded.set(chart.name, { chart: spec.name, namespace: spec.namespace, recorded: release ? { revision: release.revision, status: release.status } : undefined, timeoutSeconds: spec.timeoutSeconds });
    }));
  }
  // One holder for every chart of this run, so the leases name one run in messages, plan and status.
  const lease = options.command === 'validate' ? (false as const) : { self: newRunIdentity(`helmcycle ${options.command}`), lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS };
  // One masker for the stack: a chart's events, errors and digest are judged by every chart's secrets.
  const masker = maskerForSpecs(stack.charts.map((c) => c.definition));
  let rollback: RollbackStepResult[] | undefined;
  let pruned: PruneRecord[] = [];
  let outcomes: Awaited<ReturnType<typeof runGraph<ChartResult>>>;
  try {
  outcomes = await runGraph<ChartResult>({
    graph,
    concurrency: concurrencyFor(stack, options.concurrency),
    ...(settings.failFast ? { failFast: true } : {}),
    // The stack is put back after a failure: nothing new starts, what runs finishes.
    ...(rollingBack ? { stopStartingOnFailure: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    relation: options.command === 'destroy' ? 'is needed by' : 'needs',
    run: async (name, signal) => {
      const chart = byName.get(name)!;
      let definition = runDefinitionOf(chart, settings);
      // Validating on demand reads only: no migrations, and no remedy (a failed check must not roll back).
      if (options.command === 'validate') {
        definition = { ...definition, migrations: [], remedies: { ...definition.remedies, maxAttempts: 0 }, lifecycle: { ...definition.lifecycle, ...VALIDATE_ONLY } };
      }
      return runChart(definition, { helm, kube, signal, onEvent: emit, lease, masker, ...(chart.file ? { file: chart.file } : {}) });
    },
    onNotRun: (name, outcome) => {
      if (outcome.status === 'skipped') emit({ type: 'chart-skipped', chart: name, reason: outcome.reason, at: Date.now() });
      if (outcome.status === 'cancelled') emit({ type: 'chart-cancelled', chart: name, reason: outcome.reason, at: Date.now() });
    },
  });

  const failed = graph.names.filter((name) => outcomes.get(name)?.status === 'failed');
  if (rollingBack && failed.length > 0) {
    const ran = new Set(graph.names.filter((name) => { const o = outcomes.get(name)!; return o.status === 'succeeded' || o.status === 'failed' || (o.status === 'cancelled' && o.reason === 'cancelled while running'); }));
    const order = rollbackOrder(graph, ran);
    emit({ type: 'stack-rollback-started', stack: stack.name, failed, charts: order, at: Date.now() });
    rollback = await runStackRollback(order.map((name) => recorded.get(name)!), {
      helm,
      kube: options.kube,
      writes,
      lease,
      ...(options.signal ? { signal: options.signal } : {}),
      onStep: (step) => emit({ type: 'stack-rollback-step', step, at: Date.now() }),
      log: (chart, message) => emit({ type: 'message', chart, phase: 'exec', level: 'warn', message, at: Date.now() }),
    });
  }
  // Prune once every chart is deployed (a release renamed in one apply is installed under its new name
  // before the old one goes), and only then: after a failure the stack is not what the file says.
  if (pruning.length && graph.names.every((name) => outcomes.get(name)?.status === 'succeeded') && !options.signal?.aborted) {
    pruned = await runPrune(pruning, { helm, kube: options.kube, onEvent: emit, lease, masker, ...(options.signal ? { signal: options.signal } : {}) });
  } else {
    for (const entry of pruning) emit({ type: 'chart-skipped', chart: pruneName(entry), reason: 'not pruned: a chart of the stack did not deploy', at: Date.now() });
  }
  } finally {
    await view.endRun(); // the run's fetched charts go with it
  }
  if (inventory && options.command !== 'validate') {
    const succeeded = new Map(graph.names.flatMap((name) => { const o = outcomes.get(name)!; return o.status === 'succeeded' ? [[name, o.result] as const] : []; }));
    const removed = pruned.filter((p) => p.result).map((p) => p.entry);
    try {
      await writeInventory(options.kube, stack, inventory, inventoryDelta(stack, options.command, succeeded, removed));
    } catch (error) {
      warn(stack.name, `the stack's inventory could not be written (${error instanceof Error ? error.message : String(error)}): a later --prune will not know what this run changed`);
    }
  }

  const pruneRecords: ChartRunRecord[] = pruning.map((entry) => {
    const done = pruned.find((p) => p.entry === entry);
    if (done?.result) return { name: pruneName(entry), status: 'succeeded', result: done.result };
    if (done) return { name: pruneName(entry), status: 'failed', error: done.error };
    return { name: pruneName(entry), status: 'skipped', reason: 'not pruned: a chart of the stack did not deploy' };
  });
  const records: ChartRunRecord[] = [...(graph.names.map((name): ChartRunRecord => {
    const outcome = outcomes.get(name)!;
    switch (outcome.status) {
      case 'succeeded':
        return { name, status: 'succeeded', result: outcome.result };
      case 'failed':
        return { name, status: 'failed', error: outcome.error };
      default:
        return { name, status: outcome.status, reason: outcome.reason };
    }
  })), ...pruneRecords];
  const counts: StackCounts = { succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
  for (const record of records) counts[record.status]++;
  const ok = counts.failed === 0 && counts.skipped === 0 && counts.cancelled === 0;
  const durationMs = Date.now() - started;
  emit({ type: 'stack-finished', stack: stack.name, command: options.command, ok, durationMs, counts, at: Date.now() });
  return { stack: stack.name, command: options.command, ok, interrupted: options.signal?.aborted ?? false, charts: records, counts, durationMs, ...(rollback ? { rollback } : {}) };
}
