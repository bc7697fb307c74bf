// Runs one chart through its lifecycle:
//   checkPrerequisites → preExec → exec → postExec → validate
// and, when a deploy fails in exec or validate, onDeployFailure before the error is raised. Each phase
// is the chart's override or the default; every phase start, end and failure is an event.
import { CancelledError, isHelmcycleError } from '../errors.js';
import type { HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { parseChartSpec } from '../spec/parse.js';
import { ChartFailedError } from './chart-error.js';
import type { LifecycleEvent, MessageLevel } from './events.js';
import { defaultPhases } from './phases/index.js';
import type { ChartDefinition, ChartPayload, ChartResult, EventListener, Lifecycle, PhaseContext, PhaseName, PhaseTiming } from './types.js';

export interface RunOptions<P extends ChartPayload> {
  helm: HelmClient;
  kube: KubeClient;
  signal?: AbortSignal;
  onEvent?: EventListener;
  /** The payload the first phase receives (a stack can seed it). */
  payload?: P;
  /** Where the definition came from, for error messages. */
  file?: string;
}

function splitDefinition<P extends ChartPayload>(definition: ChartDefinition<P>) {
  const { lifecycle, checks, ...spec } = definition;
  return { lifecycle: lifecycle ?? {}, checks: checks ?? [], spec };
}

function errorText(error: unknown): { error: string; code: string } {
  return { error: error instanceof Error ? error.message : String(error), code: isHelmcycleError(error) ? error.code : 'ERROR' };
}

export async function runChart<P extends ChartPayload = ChartPayload>(definition: ChartDefinition<P>, options: RunOptions<P>): Promise<ChartResult<P>> {
  const parts = splitDefinition(definition);
  const spec = parseChartSpec(parts.spec, { file: options.file });
  const phases: Lifecycle<P> = { ...defaultPhases, ...parts.lifecycle } as Lifecycle<P>;
  const signal = options.signal ?? new AbortController().signal;
  const emit = (event: LifecycleEvent) => options.onEvent?.(event);
  const started = Date.now();
  const timings: PhaseTiming[] = [];

  const contextFor = (phase: PhaseName): PhaseContext<P> => ({
    spec,
    helm: options.helm,
    kube: options.kube,
    signal,
    defaults: defaultPhases,
    checks: parts.checks,
    phase,
    log: (message: string, level: MessageLevel = 'info') => emit({ type: 'message', chart: spec.name, phase, level, message, at: Date.now() }),
  });

  async function run(phase: PhaseName, body: (ctx: PhaseContext<P>) => Promise<P>): Promise<P> {
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
      timings.push({ phase, durationMs, ok: false });
      emit({ type: 'phase-failed', chart: spec.name, phase, durationMs, at: Date.now(), ...errorText(error) });
      throw error;
    }
  }

  const fail = (phase: PhaseName, error: unknown, payload?: P): ChartFailedError => {
    const failure = new ChartFailedError(spec.name, phase, error, payload?.diagnostics);
    if (signal.aborted) emit({ type: 'chart-cancelled', chart: spec.name, reason: `cancelled in ${phase}`, at: Date.now() });
    // The event carries the whole story (diagnostics included) and the most specific code.
    else emit({ type: 'chart-failed', chart: spec.name, phase, durationMs: Date.now() - started, at: Date.now(), error: failure.message, code: errorText(error).code });
    return failure;
  };

  /** A failed deploy: collect diagnostics (never masking the original error), then raise. */
  const failDeploy = async (phase: PhaseName, error: unknown, payload: P): Promise<ChartFailedError> => {
    if (spec.action !== 'deploy' || signal.aborted) return fail(phase, error, payload);
    try {
      payload = await run('onDeployFailure', (ctx) => phases.onDeployFailure(ctx, payload, error));
    } catch (diagnosticsError) {
      contextFor('onDeployFailure').log(`could not collect diagnostics: ${errorText(diagnosticsError).error}`, 'warn');
    }
    return fail(phase, error, payload);
  };

  emit({ type: 'chart-started', chart: spec.name, action: spec.action, namespace: spec.namespace, at: started });
  let payload = options.payload ?? ({} as P);
  for (const phase of ['checkPrerequisites', 'preExec'] as const) {
    try {
      payload = await run(phase, (ctx) => phases[phase](ctx, payload));
    } catch (error) {
      throw fail(phase, error, payload);
    }
  }
  try {
    payload = await run('exec', (ctx) => phases.exec(ctx, payload));
  } catch (error) {
    throw await failDeploy('exec', error, payload);
  }
  try {
    payload = await run('postExec', (ctx) => phases.postExec(ctx, payload));
  } catch (error) {
    throw fail('postExec', error, payload);
  }
  try {
    payload = await run('validate', (ctx) => phases.validate(ctx, payload));
  } catch (error) {
    throw await failDeploy('validate', error, payload);
  }

  const outcome = payload.exec?.outcome;
  const durationMs = Date.now() - started;
  emit({ type: 'chart-finished', chart: spec.name, outcome: outcome ?? 'done', durationMs, at: Date.now() });
  return { name: spec.name, namespace: spec.namespace, action: spec.action, outcome, release: payload.exec?.release, payload, timings, durationMs };
}
