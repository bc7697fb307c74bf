// Runs a whole-stack rollback: each release this run changed is put back, in reverse dependency order,
// one step at a time, each under the release's lease. The decision is stack-rollback-plan.ts's, made on
// the release read afresh once the lease is held, so a release another run changed meanwhile is left
// alone. A failed step is reported and the rest go on. A step once started is never cancelled: helm
// stopped in the middle of a rollback leaves the release pending-rollback; an interrupt stops the
// steps not yet started instead.
import { takeChartLease, type LeaseSettings } from '../lease/chart-lease.js';
import type { HelmClient, ReleaseRef } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { decideRollbackStep, type RollbackFacts, type RollbackStep, type SeenRevision } from './stack-rollback-plan.js';

/** What this run wrote to each release: the release after its last write (keyed namespace/name). */
export class RunWrites {
  private readonly last = new Map<string, SeenRevision | 'uninstalled'>();
  static key(ref: ReleaseRef): string {
    return `${ref.namespace}/${ref.release}`;
  }
  note(ref: ReleaseRef, after: SeenRevision | undefined): void {
    this.last.set(RunWrites.key(ref), after ?? 'uninstalled');
  }
  of(ref: ReleaseRef): SeenRevision | 'uninstalled' | undefined {
    return this.last.get(RunWrites.key(ref));
  }
}

/**
 * The run's client, with every write noted in `writes` (the release as it is after the write, failed or
 * not). Everything else is the run view itself: it inherits from it, so the run view's helpers
 * (reread, remember) still see it for what it is.
 */
export function noteWrites(helm: HelmClient, writes: RunWrites): HelmClient {
  const view = Object.create(helm) as HelmClient;
  const after = async <T>(ref: ReleaseRef, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } finally {
      const now = await helm.status(ref).catch(() => undefined);
      writes.note(ref, now ? { revision: now.revision, status: now.status } : undefined);
    }
  };
  view.upgradeInstall = (request, options) => after(request, () => helm.upgradeInstall(request, options));
  view.rollback = (request, options) => after(request, () => helm.rollback(request, options));
  view.uninstall = (request, options) => after(request, () => helm.uninstall(request, options));
  return view;
}

export interface RollbackTarget {
  chart: string;
  namespace: string;
  /** The release before the run; undefined when it was not installed. */
  recorded: SeenRevision | undefined;
  timeoutSeconds: number;
}

export type RollbackStepResult = RollbackStep & { ok: boolean; error?: string };

export interface StackRollbackOptions {
  helm: HelmClient;
  kube: KubeClient;
  writes: RunWrites;
  lease: LeaseSettings | false;
  /** The run's signal: an interrupt stops the steps not yet started (never one under way). */
  signal?: AbortSignal;
  onStep?: (result: RollbackStepResult) => void;
  log?: (chart: string, message: string) => void;
}

/** Puts back each target, in the order given (reverse dependency order). */
export async function runStackRollback(targets: readonly RollbackTarget[], options: StackRollbackOptions): Promise<RollbackStepResult[]> {
  const results: RollbackStepResult[] = [];
  for (const target of targets) {
    const result = options.signal?.aborted
      ? { kind: 'leave' as const, chart: target.chart, namespace: target.namespace, reason: 'not rolled back: interrupted', ok: false }
      : await rollbackOne(target, options);
    results.push(result);
    options.onStep?.(result);
  }
  return results;
}

async function rollbackOne(target: RollbackTarget, options: StackRollbackOptions): Promise<RollbackStepResult> {
  const ref = { release: target.chart, namespace: target.namespace };
  const madeByRun = options.writes.of(ref);
  const leave = (reason: string, ok = true): RollbackStepResult => ({ kind: 'leave', chart: target.chart, namespace: target.namespace, reason, ok });
  if (madeByRun === undefined) return leave('this run did not change it');
  // A step is never cancelled once helm runs; only the wait for the lease follows the run's signal.
  const steady = new AbortController().signal;
  let held: Awaited<ReturnType<typeof takeChartLease>>;
  try {
    held = options.lease
      ? await takeChartLease({ kube: options.kube, settings: options.lease, release: target.chart, namespace: target.namespace, createNamespace: false, signal: options.signal ?? steady, log: (message) => options.log?.(target.chart, message) })
      : undefined;
  } catch (error) {
    return leave(`not rolled back: ${messageOf(error)}`, false);
  }
  let step: RollbackStep | undefined;
  try {
    await options.helm.reread(ref);
    const current = await options.helm.status(ref);
    const history = current ? await options.helm.history(ref) : [];
    const facts: RollbackFacts = { chart: target.chart, namespace: target.namespace, recorded: target.recorded, madeByRun, current, historyRevisions: history.map((h) => h.revision) };
    step = decideRollbackStep(facts);
    if (step.kind === 'rollback') await options.helm.rollback({ ...ref, revision: step.to, wait: false, timeoutSeconds: target.timeoutSeconds }, { signal: steady });
    if (step.kind === 'uninstall') await options.helm.uninstall({ ...ref, wait: false, timeoutSeconds: target.timeoutSeconds }, { signal: steady });
    return { ...step, ok: true };
  } catch (error) {
    return step ? { ...step, ok: false, error: messageOf(error) } : leave(`not rolled back: ${messageOf(error)}`, false);
  } finally {
    await held?.release();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
