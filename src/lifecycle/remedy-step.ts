// After a deploy failed in exec or validate: diagnose it (onDeployFailure: diagnostics and the failure's
// class), then take the remedy the chart's policy picks for that class (failures/remedies.ts chooses,
// actions/remedy.ts acts), within its attempt budget. Every classification and remedy is an event.
import { classifyFailure } from '../failures/classify.js';
import { attemptBudget, attemptsLeft as remedyAttemptsLeft, chooseRemedy, retriesAfter } from '../failures/remedies.js';
import { applyRemedy } from './actions/remedy.js';
import { errorText, type ChartRun } from './chart-run.js';
import type { ChartPayload, PhaseName } from './types.js';

/** A failed deploy: collect diagnostics and classify (never masking the original error). */
export async function diagnose<P extends ChartPayload>(run: ChartRun<P>, phase: PhaseName, error: unknown, payload: P): Promise<P> {
  const { failure: _previous, ...rest } = payload;
  let diagnosed = rest as P;
  try {
    diagnosed = await run.phase('onDeployFailure', (ctx) => run.phases.onDeployFailure(ctx, diagnosed, error));
  } catch (diagnosticsError) {
    run.context('onDeployFailure').log(`could not collect diagnostics: ${errorText(diagnosticsError).error}`, 'warn');
  }
  // A custom onDeployFailure may skip classifying; the class is what the remedy policy needs.
  const failure = diagnosed.failure ?? classifyFailure(error, diagnosed.diagnostics);
  run.emit({ type: 'failure-classified', chart: run.spec.name, phase, failureClass: failure.class, summary: failure.summary, at: Date.now() });
  return { ...diagnosed, failure };
}

/**
 * Takes the remedy the policy chooses; `retry` when exec should run again. Throws only when claiming a
 * deferred lease does (a moved release, or a lease another run holds).
 */
export async function takeRemedy<P extends ChartPayload>(run: ChartRun<P>, phase: PhaseName, payload: P): Promise<{ payload: P; retry: boolean }> {
  const { spec } = run;
  const failure = payload.failure!;
  const taken = payload.remedies ?? [];
  const choice = chooseRemedy(failure, spec);
  const attemptsLeft = remedyAttemptsLeft(failure.class, taken, spec); // maxAttempts, or the class's own budget
  const log = run.context('onDeployFailure').log;
  if (choice.remedy === 'none') {
    log(`no remedy for ${failure.class} (${choice.reason})`);
    return { payload, retry: false };
  }
  if (attemptsLeft <= 0) {
    const why = spec.remedies.maxAttempts === 0 ? 'remedies are off (maxAttempts 0)' : `all ${attemptBudget(failure.class, spec)} attempts used`;
    log(`remedy ${choice.remedy} for ${failure.class} not taken: ${why}`, 'warn');
    return { payload, retry: false };
  }
  // A remedy changes the release: a chart that deferred its lease takes it first.
  await run.claimLease();
  const attempt = taken.length + 1;
  const record = (message: string, ok: boolean): P => ({ ...payload, remedies: [...taken, { failureClass: failure.class, remedy: choice.remedy, attempt, message, ok }] });
  const event = (message: string) => run.emit({ type: 'remedy', chart: spec.name, phase, failureClass: failure.class, remedy: choice.remedy, attempt, attemptsLeft: attemptsLeft - 1, message, at: Date.now() });
  try {
    const outcome = await applyRemedy(run.context('onDeployFailure'), choice.remedy, failure);
    event(outcome.message);
    if (outcome.specOverrides) run.spec = { ...run.spec, ...outcome.specOverrides };
    return { payload: record(outcome.message, true), retry: retriesAfter(choice.remedy) };
  } catch (remedyError) {
    const message = `remedy ${choice.remedy} failed: ${errorText(remedyError).error}`;
    event(message);
    return { payload: record(message, false), retry: false };
  }
}
