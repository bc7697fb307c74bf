// Runs one stack across the fleet: the targets of each wave in parallel (up to `parallel`), wave after
// wave; a target is probed first (an unreachable one is reported and skipped, never crashing the run)
// and then runs the whole stack, its DAG inside. Once more targets failed than the budget allows, no
// new target starts: the rest report "not started: failure budget". What one target does is the
// caller's `runTarget`, so this file knows nothing of helm or Kubernetes (units drive it with fakes).
import { budgetExceeded } from '../stack/fleet-budget.js';
import type { FleetSettings, FleetTarget } from '../stack/fleet-targets.js';
import { planWaves } from './waves.js';

export type TargetStatus = 'succeeded' | 'failed' | 'unreachable' | 'not-started' | 'cancelled';

export interface TargetOutcome<R> {
  target: FleetTarget;
  wave: string | undefined;
  status: TargetStatus;
  /** What runTarget returned (succeeded or failed). */
  result?: R;
  /** Why it is unreachable, or what runTarget threw. */
  error?: unknown;
  /** Why it did not start. */
  reason?: string;
  durationMs: number;
}

export interface FleetResult<R> {
  ok: boolean;
  /** In run order: wave by wave, by name within a wave. */
  targets: TargetOutcome<R>[];
  budgetExceeded: boolean;
  durationMs: number;
}

export type FleetEvent =
  | { type: 'target-started'; target: string; wave: string | undefined; at: number }
  | { type: 'target-finished'; target: string; wave: string | undefined; status: TargetStatus; at: number };

export interface FleetRunOptions<R extends { ok: boolean }> {
  targets: readonly FleetTarget[];
  settings: FleetSettings;
  /** Resolves when the target can be reached; throws (the reason) when it cannot. Bounded in time by the caller. */
  probe: (target: FleetTarget, signal: AbortSignal | undefined) => Promise<void>;
  /** The single-cluster run of the stack on one target. */
  runTarget: (target: FleetTarget, signal: AbortSignal | undefined) => Promise<R>;
  signal?: AbortSignal;
  onEvent?: (event: FleetEvent) => void;
}

export const NOT_STARTED_BUDGET = 'not started: failure budget';

export async function runFleet<R extends { ok: boolean }>(options: FleetRunOptions<R>): Promise<FleetResult<R>> {
  const started = Date.now();
  const { settings, signal } = options;
  const total = options.targets.length;
  const outcomes: TargetOutcome<R>[] = [];
  let failed = 0;
  const exceeded = () => budgetExceeded(settings.failureBudget, failed, total);

  const runOne = async (target: FleetTarget, wave: string | undefined): Promise<TargetOutcome<R>> => {
    const at = Date.now();
    const done = (rest: Omit<TargetOutcome<R>, 'target' | 'wave' | 'durationMs'>): TargetOutcome<R> => {
      const outcome = { target, wave, ...rest, durationMs: Date.now() - at };
      if (outcome.status === 'failed' || outcome.status === 'unreachable') failed++;
      options.onEvent?.({ type: 'target-finished', target: target.name, wave, status: outcome.status, at: Date.now() });
      return outcome;
    };
    options.onEvent?.({ type: 'target-started', target: target.name, wave, at });
    try {
      await options.probe(target, signal);
    } catch (error) {
      return done({ status: 'unreachable', error });
    }
    try {
      const result = await options.runTarget(target, signal);
      if (signal?.aborted) return done({ status: 'cancelled', result, reason: 'interrupted' });
      return done({ status: result.ok ? 'succeeded' : 'failed', result });
    } catch (error) {
      return done({ status: signal?.aborted ? 'cancelled' : 'failed', error });
    }
  };

  for (const wave of planWaves(options.targets, settings.waves)) {
    const queue = [...wave.targets];
    const results = new Map<string, TargetOutcome<R>>();
    const worker = async () => {
      for (let target = queue.shift(); target; target = queue.shift()) {
        // Checked as each target is about to start: one running when the budget ran out finishes.
        if (signal?.aborted) results.set(target.name, { target, wave: wave.name, status: 'cancelled', reason: 'interrupted', durationMs: 0 });
        else if (exceeded()) results.set(target.name, { target, wave: wave.name, status: 'not-started', reason: NOT_STARTED_BUDGET, durationMs: 0 });
        else results.set(target.name, await runOne(target, wave.name));
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.parallel, wave.targets.length) }, worker));
    for (const target of wave.targets) outcomes.push(results.get(target.name)!);
  }
  return { ok: outcomes.every((o) => o.status === 'succeeded'), targets: outcomes, budgetExceeded: exceeded(), durationMs: Date.now() - started };
}
