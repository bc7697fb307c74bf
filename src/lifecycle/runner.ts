// Runs one chart through its lifecycle:
//   checkPrerequisites → preExec → exec → postExec → validate
// and, when a deploy fails in exec or validate, onDeployFailure (diagnostics and the failure's class),
// then the remedy the chart's policy picks for that class: a retry-type remedy runs exec again (bounded
// by remedies.maxAttempts); any other is taken and the chart fails. Each phase is the chart's override
// or the default; every phase start, end and failure, each classification and remedy is an event.
import { CancelledError, isHelmcycleError } from '../errors.js';
import type { HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { classifyFailure } from '../failures/classify.js';
import { applyRemedy, attemptBudget, attemptsLeft as remedyAttemptsLeft, chooseRemedy, retriesAfter } from '../failures/remedies.js';
import { maskFields, scrubError } from '../secrets/scrub-error.js';
import { maskerForSpec } from '../secrets/sensitive.js';
import type { Masker } from '../secrets/masker.js';
import { ChartFailedError } from './chart-error.js';
import { parseDefinition, type AnyDefinition } from './definition.js';
import { runMigrations, undoMigrations } from './migrations.js';
import type { LifecycleEvent, MessageLevel, WaitProgress } from './events.js';
import { defaultPhases } from './phases/index.js';
import { defaultLeaseSettings, takeChartLease, type LeaseSettings } from '../lease/chart-lease.js';
import { LeaseHeldError, type HeldLease } from '../lease/release-lease.js';
import { mayDeferLease, ReleaseMovedError, sameState, seenState, type SeenState } from './deferred-lease.js';
import type { ChartPayload, ChartResult, EventListener, Lifecycle, PhaseContext, PhaseName, PhaseTiming } from './types.js';

export interface RunOptions<P extends ChartPayload> {
  helm: HelmClient;
  kube: KubeClient;
  signal?: AbortSignal;
  onEvent?: EventListener;
  /** The payload the first phase receives (a stack can seed it). */
  payload?: P;
  /** Where the definition came from, for error messages. */
  file?: string;
  /**
   * The run this chart belongs to and how long it waits for another run's lease; false runs without a
   * lease (read-only runs). By default every deploy and destroy holds its release's lease.
   */
  lease?: LeaseSettings | false;
  /** Every chart's secrets of the stack (maskerForSpecs); this chart's own when absent. */
  masker?: Masker;
}

function errorText(error: unknown): { error: string; code: string } {
  return { error: error instanceof Error ? error.message : String(error), code: isHelmcycleError(error) ? error.code : 'ERROR' };
}

export async function runChart<P extends ChartPayload = ChartPayload>(definition: AnyDefinition<P>, options: RunOptions<P>): Promise<ChartResult<P>> {
  // The lease is given back however the run ends (success, failure, cancel); a killed run's expires.
  const held: Held = {};
  try {
    return await runChartHolding(definition, options, held);
  } finally {
    held.detach?.();
    await held.lease?.release();
  }
}

/** What a chart run holds until it ends: its lease, and its listener on the caller's signal. */
interface Held {
  lease?: HeldLease | undefined;
  /**
   * Removes the chart's listener from the caller's signal: one signal serves every chart of a stack run,
   * and a listener left per chart would pile up (Node warns past 10).
   */
  detach?: () => void;
}

async function runChartHolding<P extends ChartPayload>(definition: AnyDefinition<P>, options: RunOptions<P>, held: Held): Promise<ChartResult<P>> {
  const parts = parseDefinition(definition, { file: options.file });
  // A remedy may change the spec for the next attempt (force, forceConflicts), so it is a let.
  let spec = parts.spec;
  const phases: Lifecycle<P> = { ...defaultPhases, ...parts.lifecycle } as Lifecycle<P>;
  // The chart's signal: the caller's, and a lease lost to another run (this run must stop changing things).
  const abort = new AbortController();
  const signal = abort.signal;
  const onCallerAbort = () => abort.abort(options.signal?.reason);
  if (options.signal?.aborted) abort.abort(options.signal.reason);
  else {
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    held.detach = () => options.signal?.removeEventListener('abort', onCallerAbort);
  }
  const leaseSettings = options.lease === false ? undefined : (options.lease ?? defaultLeaseSettings());
  // The two choke points of everything a chart says: events (masked here) and its error (in fail).
  const masker = options.masker ?? maskerForSpec(spec);
  const emit = (event: LifecycleEvent) => options.onEvent?.(masker.maskDeep(event));
  const started = Date.now();
  const timings: PhaseTiming[] = [];

  const ref = { release: spec.name, namespace: spec.namespace };
  const takeLease = async (log: (message: string, level?: MessageLevel) => void): Promise<void> => {
    if (!leaseSettings) return;
    held.lease = await takeChartLease({ kube: options.kube, settings: leaseSettings, release: spec.name, namespace: spec.namespace, createNamespace: spec.createNamespace && spec.action === 'deploy', signal, log });
    held.lease?.lost.addEventListener('abort', () => abort.abort(held.lease?.lost.reason), { once: true });
    // The release may have changed while this run waited for the lease: decide on what it is now.
    await options.helm.reread(ref);
  };
  // A chart that may run without its lease until its first change (deferred-lease.ts), and the release
  // as it saw it then.
  let deferred = false;
  let seen: SeenState;
  const claimLease = async (): Promise<void> => {
    if (!deferred) return;
    deferred = false;
    await takeLease(contextFor('exec').log);
    const now = seenState(await options.helm.status(ref, { signal }));
    if (!sameState(seen, now)) throw new ReleaseMovedError(spec.name, spec.namespace, seen, now);
  };

  const contextFor = (phase: PhaseName): PhaseContext<P> => ({
    spec,
    helm: options.helm,
    kube: options.kube,
    signal,
    defaults: defaultPhases,
    checks: parts.checks,
    health: parts.health,
    transform: parts.transform,
    phase,
    lease: leaseSettings ? { ...leaseSettings, previous: held.lease?.previous } : undefined,
    log: (message: string, level: MessageLevel = 'info') => emit({ type: 'message', chart: spec.name, phase, level, message, at: Date.now() }),
    progress: (progress: WaitProgress) => emit({ type: 'wait-progress', chart: spec.name, phase, ...progress, at: Date.now() }),
    claimLease,
    masker,
  });

  // Aborted because another run took the lease: a failure of this chart (LeaseLostError), not a cancel.
  const leaseLost = () => (held.lease?.lost.aborted ?? false) && !(options.signal?.aborted ?? false);

  async function run(phase: PhaseName, body: (ctx: PhaseContext<P>) => Promise<P>): Promise<P> {
    if (leaseLost()) throw held.lease!.lost.reason;
    if (signal.aborted) throw new CancelledError(`chart '${spec.name}' was cancelled before ${phase}`, { chart: spec.name, phase });
    const phaseStart = Date.now();
    emit({ type: 'phase-started', chart: spec.name, phase, at: phaseStart });
    try {
      const result = await body(contextFor(phase));
      const durationMs = Date.now() - phaseStart;
      timings.push({ phase, durationMs, ok: true });
      emit({ type: 'phase-finished', chart: spec.name, phase, durationMs, at: Date.now() });
      return result;
    } catch (error) {
      const durationMs = Date.now() - phaseStart;
      if (error instanceof ReleaseMovedError) {
        // Not a failure: the chart starts again from preExec, holding the lease now.
        emit({ type: 'message', chart: spec.name, phase, level: 'info', message: error.message, at: Date.now() });
        throw error;
      }
      timings.push({ phase, durationMs, ok: false });
      emit({ type: 'phase-failed', chart: spec.name, phase, durationMs, at: Date.now(), ...errorText(error) });
      throw error;
    }
  }

  const fail = (phase: PhaseName, raised: unknown, payload?: P): ChartFailedError => {
    // Whatever helm said when it was stopped, the reason is the lost lease.
    const error = leaseLost() ? held.lease!.lost.reason : raised;
    const failure = scrubError(new ChartFailedError(spec.name, phase, error, { diagnostics: payload?.diagnostics, failure: payload?.failure, remedies: payload?.remedies }), masker);
    if (signal.aborted && !leaseLost()) emit({ type: 'chart-cancelled', chart: spec.name, reason: `cancelled in ${phase}`, at: Date.now() });
    // The event carries the whole story (diagnostics included) and the most specific code.
    else emit({ type: 'chart-failed', chart: spec.name, phase, durationMs: Date.now() - started, at: Date.now(), error: failure.message, code: errorText(error).code, failureClass: payload?.failure?.class, ...(failure.hint ? { hint: failure.hint } : {}) });
    return failure;
  };

  /** A failed deploy: collect diagnostics and classify (never masking the original error). */
  const diagnose = async (phase: PhaseName, error: unknown, payload: P): Promise<P> => {
    const { failure: _previous, ...rest } = payload;
    let diagnosed = rest as P;
    try {
      diagnosed = await run('onDeployFailure', (ctx) => phases.onDeployFailure(ctx, diagnosed, error));
    } catch (diagnosticsError) {
      contextFor('onDeployFailure').log(`could not collect diagnostics: ${errorText(diagnosticsError).error}`, 'warn');
    }
    // A custom onDeployFailure may skip classifying; the class is what the remedy policy needs.
    const failure = diagnosed.failure ?? classifyFailure(error, diagnosed.diagnostics);
    emit({ type: 'failure-classified', chart: spec.name, phase, failureClass: failure.class, summary: failure.summary, at: Date.now() });
    return { ...diagnosed, failure };
  };

  /** Takes the remedy the policy chooses; true when exec should run again. */
  const remedy = async (phase: PhaseName, payload: P): Promise<{ payload: P; retry: boolean }> => {
    const failure = payload.failure!;
    const taken = payload.remedies ?? [];
    const choice = chooseRemedy(failure, spec);
    const attemptsLeft = remedyAttemptsLeft(failure.class, taken, spec); // maxAttempts, or the class's own budget
    const log = contextFor('onDeployFailure').log;
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
    await claimLease();
    const attempt = taken.length + 1;
    const record = (message: string, ok: boolean): P => ({ ...payload, remedies: [...taken, { failureClass: failure.class, remedy: choice.remedy, attempt, message, ok }] });
    try {
      const outcome = await applyRemedy(contextFor('onDeployFailure'), choice.remedy, failure);
      emit({ type: 'remedy', chart: spec.name, phase, failureClass: failure.class, remedy: choice.remedy, attempt, attemptsLeft: attemptsLeft - 1, message: outcome.message, at: Date.now() });
      if (outcome.specOverrides) spec = { ...spec, ...outcome.specOverrides };
      return { payload: record(outcome.message, true), retry: retriesAfter(choice.remedy) };
    } catch (remedyError) {
      const message = `remedy ${choice.remedy} failed: ${errorText(remedyError).error}`;
      emit({ type: 'remedy', chart: spec.name, phase, failureClass: failure.class, remedy: choice.remedy, attempt, attemptsLeft: attemptsLeft - 1, message, at: Date.now() });
      return { payload: record(message, false), retry: false };
    }
  };

  emit({ type: 'chart-started', chart: spec.name, action: spec.action, namespace: spec.namespace, at: started });
  let payload = options.payload ?? ({} as P);
  let failing: PhaseName = 'checkPrerequisites';
  try {
    payload = await run('checkPrerequisites', (ctx) => phases.checkPrerequisites(ctx, payload));
    failing = 'preExec';
    // Nothing changes before preExec: the lease is taken only once the prerequisites hold, and a chart
    // whose steps are all read-only defaults takes it only before its first change.
    if (leaseSettings && mayDeferLease(spec, parts)) {
      const release = await options.helm.status(ref, { signal });
      seen = seenState(release);
      deferred = release?.status === 'deployed';
    }
    if (!deferred) await takeLease(contextFor('preExec').log);
  } catch (error) {
    throw fail(failing, error, payload);
  }
  /** preExec → exec → postExec → validate, from the payload the prerequisites left. */
  async function fromPreExec(start: P): Promise<ChartResult<P>> {
    payload = start;
    try {
      payload = await run('preExec', (ctx) => phases.preExec(ctx, payload));
    } catch (error) {
      if (error instanceof ReleaseMovedError) throw error;
      throw fail('preExec', error, payload);
    }
    // Migrations run after preExec (the release is recovered and known) and before exec.
    let migrated: Awaited<ReturnType<typeof runMigrations<P>>>['ran'] = [];
    if (spec.action === 'deploy' && parts.migrations.length > 0) {
      try {
        const result = await runMigrations(contextFor('preExec'), parts.migrations, payload);
        payload = result.payload;
        migrated = result.ran;
      } catch (error) {
        throw fail('preExec', error, payload);
      }
    }
    /** The deploy failed for good: what the migrations changed is put back before the error is raised. */
    const failAfterMigrations = async (phase: PhaseName, error: unknown): Promise<ChartFailedError> => {
      if (migrated.length > 0 && !signal.aborted) {
        await undoMigrations(contextFor(phase), migrated, payload);
        payload = { ...payload, migrations: payload.migrations?.map((m) => ({ ...m, undone: true })) };
      }
      return fail(phase, error, payload);
    };
    // exec → postExec → validate, again after each retry-type remedy, until it passes or no remedy is left.
    for (;;) {
      let failedPhase: PhaseName = 'exec';
      try {
        payload = await run('exec', (ctx) => phases.exec(ctx, payload));
        failedPhase = 'postExec';
        payload = await run('postExec', (ctx) => phases.postExec(ctx, payload));
        failedPhase = 'validate';
        payload = await run('validate', (ctx) => phases.validate(ctx, payload));
        break;
      } catch (error) {
        if (error instanceof ReleaseMovedError) throw error;
        // Another run holds the release (a deferred lease not got): nothing was changed, nothing to remedy.
        if (error instanceof LeaseHeldError) throw await failAfterMigrations(failedPhase, error);
        // postExec is the chart's own work, not the deploy: its failure is not remedied.
        if (spec.action !== 'deploy' || signal.aborted || failedPhase === 'postExec') throw await failAfterMigrations(failedPhase, error);
        payload = await diagnose(failedPhase, error, payload);
        let next: Awaited<ReturnType<typeof remedy>>;
        try {
          next = await remedy(failedPhase, payload);
        } catch (claimError) {
          // Only the remedy's claim of a deferred lease throws: a moved release starts the chart again,
          // a lease another run holds fails the chart like any other failure (with its events).
          if (claimError instanceof ReleaseMovedError) throw claimError;
          throw await failAfterMigrations(failedPhase, claimError);
        }
        payload = next.payload;
        if (!next.retry || signal.aborted) throw await failAfterMigrations(failedPhase, error);
        // A retry reinstalls only once: the reinstall a migration asked for is done.
        if (payload.reinstallRequested && payload.exec) payload = { ...payload, reinstallRequested: undefined };
      }
    }

    const outcome = payload.exec?.outcome;
    const durationMs = Date.now() - started;
    const repairedDrift = payload.exec?.repairedDrift;
    emit({ type: 'chart-finished', chart: spec.name, outcome: outcome ?? 'done', durationMs, at: Date.now(), ...(repairedDrift ? { repairedDrift } : {}) });
    // What a remedied failure left in the payload (its diagnostics, class and remedies) is output too.
    const reported = maskFields(payload, ['diagnostics', 'failure', 'remedies'], masker);
    return { name: spec.name, namespace: spec.namespace, action: spec.action, outcome, release: payload.exec?.release, payload: reported, timings, durationMs };
  }

  const prepared = payload;
  for (;;) {
    try {
      return await fromPreExec(prepared);
    } catch (error) {
      // Once: the lease is held from here on, so the release cannot move again under this chart.
      if (!(error instanceof ReleaseMovedError)) throw error;
    }
  }
}
