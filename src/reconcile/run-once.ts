// How reconcile reads and applies its stack: the same loader and the same runStack as `helmcycle apply`
// (lifecycle, lease, remedies, drift repair, prune), with the chart results summed up for the metrics,
// the records and the notifications. Nothing of apply is done again here.
import type { HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import type { RunMasker } from '../secrets/sensitive.js';
import { classifyFailure } from '../failures/classify.js';
import { loadStack } from '../stack/load.js';
import { resolveStackSecrets } from '../stack/resolve-secrets.js';
import { runStack, type ChartRunRecord } from '../stack/run-stack.js';
import type { StackEvent } from '../stack/events.js';
import type { ResolvedStack } from '../stack/types.js';
import type { LoadedStack } from './loop.js';
import type { ChartRunSummary } from './types.js';

export interface ReconcileStack extends LoadedStack {
  stack: ResolvedStack;
}

export interface RunOnceOptions {
  helm: HelmClient;
  kube: KubeClient;
  masker: RunMasker;
  prune: boolean;
  environment?: string | undefined;
  lockTimeoutMs: number;
  concurrency?: number | undefined;
  onEvent?: (event: StackEvent) => void;
}

/** Reads the stack file of a checkout: a YAML stack reads nothing outside the checkout (path-containment.ts). */
export async function loadReconcileStack(file: string, options: Pick<RunOnceOptions, 'kube' | 'masker' | 'environment'>): Promise<ReconcileStack> {
  const loaded = await loadStack(file, { ...(options.environment ? { environment: options.environment } : {}), allowPaths: [] });
  const stack = await resolveStackSecrets(loaded, { kube: async () => options.kube, allowPaths: [] });
  // Its secrets are masked in every line, Event and notification from now on.
  options.masker.add(stack.charts.map((c) => c.definition));
  return { stack, charts: stack.charts.map((c) => c.name) };
}

export function summarise(record: ChartRunRecord, mask: (text: string) => string): ChartRunSummary {
  const outcome = record.result?.outcome;
  const changed = outcome !== undefined && outcome !== 'unchanged' && outcome !== 'skipped' && outcome !== 'absent';
  const driftRepaired = record.result?.payload.exec?.repairedDrift?.length ?? 0;
  const base = { name: record.name, status: record.status, changed, driftRepaired, ...(record.result ? { durationMs: record.result.durationMs } : {}) };
  if (record.status !== 'failed') return base;
  const message = record.error instanceof Error ? record.error.message : String(record.error);
  return { ...base, failureClass: classifyFailure(record.error).class, message: mask(message.split('\n')[0] ?? '') };
}

export async function applyReconcileStack(loaded: ReconcileStack, only: readonly string[] | undefined, signal: AbortSignal, options: RunOnceOptions): Promise<ChartRunSummary[]> {
  const result = await runStack(loaded.stack, {
    helm: options.helm,
    kube: options.kube,
    command: 'apply',
    prune: options.prune,
    lockTimeoutMs: options.lockTimeoutMs,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(only ? { selection: { only: [...only] } } : {}),
    signal,
    ...(options.onEvent ? { onEvent: (event: StackEvent) => options.onEvent!(options.masker.maskDeep(event)) } : {}),
  });
  return result.charts.map((record) => summarise(record, options.masker.mask));
}
