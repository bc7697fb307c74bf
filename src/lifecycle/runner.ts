// Runs one chart through its lifecycle:
//   checkPrerequisites → preExec → exec → postExec → validate
// and, when a deploy fails in exec or validate, onDeployFailure (diagnostics and the failure's class),
// then the remedy the chart's policy picks for that class (remedy-step.ts): a retry-type remedy runs exec
// again (bounded by remedies.maxAttempts); any other is taken and the chart fails. Each phase is the
// chart's override or the default (exec observes, classifies and takes one action of actions/); every
// phase start, end and failure, each classification and remedy is an event. This file is the driver:
// what a chart's run holds is chart-run.ts's.
import { refusalFailure } from '../failures/refusals.js';
import { LeaseHeldError } from '../lease/release-lease.js';
import { maskFields } from '../secrets/scrub-error.js';
import type { ChartFailedError } from './chart-error.js';
import { ChartRun, type Held, type RunOptions } from './chart-run.js';
import { ReleaseMovedError } from './deferred-lease.js';
import type { AnyDefinition } from './definition.js';
import { runMigrations, undoMigrations } from './migrations.js';
import { diagnose, takeRemedy } from './remedy-step.js';
import type { ChartPayload, ChartResult, PhaseName } from './types.js';

export type { RunOptions } from './chart-run.js';

export async function runChart<P extends ChartPayload = ChartPayload>(definition: AnyDefinition<P>, options: RunOptions<P>): Promise<ChartResult<P>> {
  // The lease is given back however the run ends (success, failure, cancel); a killed run's expires.
  const held: Held = {};
  try {
    return await runChartHolding(new ChartRun(definition, options, held));
  } finally {
    held.detach?.();
    await held.lease?.release();
  }
}

async function runChartHolding<P extends ChartPayload>(run: ChartRun<P>): Promise<ChartResult<P>> {
  const { spec } = run;
  run.emit({ type: 'chart-started', chart: spec.name, action: spec.action, namespace: spec.namespace, at: run.started });
  let payload = run.options.payload ?? ({} as P);
  let failing: PhaseName = 'checkPrerequisites';
  try {
    payload = await run.phase('checkPrerequisites', (ctx) => run.phases.checkPrerequisites(ctx, payload));
    failing = 'preExec';
    await run.leaseBeforePreExec();
  } catch (error) {
    throw run.fail(failing, error, payload);
  }
  for (;;) {
    try {
      return await fromPreExec(run, payload);
    } catch (error) {
      // Once: the lease is held from here on, so the release cannot move again under this chart.
      if (!(error instanceof ReleaseMovedError)) throw error;
    }
  }
}

/** preExec → exec → postExec → validate, from the payload the prerequisites left. */
async function fromPreExec<P extends ChartPayload>(run: ChartRun<P>, start: P): Promise<ChartResult<P>> {
  let payload = start;
  try {
    payload = await run.phase('preExec', (ctx) => run.phases.preExec(ctx, payload));
  } catch (error) {
    if (error instanceof ReleaseMovedError) throw error;
    const refusal = refusalFailure(error);
    throw run.fail('preExec', error, refusal ? { ...payload, failure: refusal } : payload);
  }
  // Migrations run after preExec (the release is recovered and known) and before exec.
  let migrated: Awaited<ReturnType<typeof runMigrations<P>>>['ran'] = [];
  if (run.spec.action === 'deploy' && run.parts.migrations.length > 0) {
    try {
      const result = await runMigrations(run.context('preExec'), run.parts.migrations, payload);
      payload = result.payload;
      migrated = result.ran;
    } catch (error) {
      throw run.fail('preExec', error, payload);
    }
  }
  /** The deploy failed for good: what the migrations changed is put back before the error is raised. */
  const failAfterMigrations = async (phase: PhaseName, error: unknown): Promise<ChartFailedError> => {
    if (migrated.length > 0 && !run.signal.aborted) {
      await undoMigrations(run.context(phase), migrated, payload);
      payload = { ...payload, migrations: payload.migrations?.map((m) => ({ ...m, undone: true })) };
    }
    return run.fail(phase, error, payload);
  };
  // exec → postExec → validate, again after each retry-type remedy, until it passes or no remedy is left.
  for (;;) {
    let failedPhase: PhaseName = 'exec';
    try {
      payload = await run.phase('exec', (ctx) => run.phases.exec(ctx, payload));
      failedPhase = 'postExec';
      payload = await run.phase('postExec', (ctx) => run.phases.postExec(ctx, payload));
      failedPhase = 'validate';
      payload = await run.phase('validate', (ctx) => run.phases.validate(ctx, payload));
      break;
    } catch (error) {
      if (error instanceof ReleaseMovedError) throw error;
      // Another run holds the release (a deferred lease not got): nothing was changed, nothing to remedy.
      if (error instanceof LeaseHeldError) throw await failAfterMigrations(failedPhase, error);
      // postExec is the chart's own work, not the deploy: its failure is not remedied.
      if (run.spec.action !== 'deploy' || run.signal.aborted || failedPhase === 'postExec') throw await failAfterMigrations(failedPhase, error);
      payload = await diagnose(run, failedPhase, error, payload);
      let next: Awaited<ReturnType<typeof takeRemedy<P>>>;
      try {
        next = await takeRemedy(run, failedPhase, payload);
      } catch (claimError) {
        // Only the remedy's claim of a deferred lease throws: a moved release starts the chart again,
        // a lease another run holds fails the chart like any other failure (with its events).
        if (claimError instanceof ReleaseMovedError) throw claimError;
        throw await failAfterMigrations(failedPhase, claimError);
      }
      payload = next.payload;
      if (!next.retry || run.signal.aborted) throw await failAfterMigrations(failedPhase, error);
      // A retry reinstalls only once: the reinstall a migration asked for is done.
      if (payload.reinstallRequested && payload.exec) payload = { ...payload, reinstallRequested: undefined };
    }
  }
  return finished(run, payload);
}

/** The chart's result and its chart-finished event. */
function finished<P extends ChartPayload>(run: ChartRun<P>, payload: P): ChartResult<P> {
  const { spec } = run;
  const outcome = payload.exec?.outcome;
  const durationMs = Date.now() - run.started;
  const repairedDrift = payload.exec?.repairedDrift;
  run.emit({ type: 'chart-finished', chart: spec.name, outcome: outcome ?? 'done', durationMs, at: Date.now(), ...(repairedDrift ? { repairedDrift } : {}) });
  // What a remedied failure left in the payload (its diagnostics, class and remedies) is output too.
  const reported = maskFields(payload, ['diagnostics', 'failure', 'remedies'], run.masker);
  return { name: spec.name, namespace: spec.namespace, action: spec.action, outcome, release: payload.exec?.release, payload: reported, timings: run.timings, durationMs };
}
