// What one chart's run holds while the driver (runner.ts) walks its phases: the spec (a remedy may change
// it for the next attempt), the phases, the chart's signal, its lease, and the two choke points of
// everything a chart says: events (masked here) and its error (fail).
import { CancelledError, isHelmcycleError } from '../errors.js';
import type { HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { defaultLeaseSettings, takeChartLease, type LeaseSettings } from '../lease/chart-lease.js';
import type { HeldLease } from '../lease/release-lease.js';
import type { Masker } from '../secrets/masker.js';
import { scrubError } from '../secrets/scrub-error.js';
import { maskerForSpec } from '../secrets/sensitive.js';
import type { ChartSpec } from '../config/chart-spec.js';
import { ChartFailedError } from './chart-error.js';
import { mayDeferLease, ReleaseMovedError, sameState, seenState, type SeenState } from './deferred-lease.js';
import { parseDefinition, type AnyDefinition, type ParsedDefinition } from './definition.js';
import type { LifecycleEvent, MessageLevel, WaitProgress } from './events.js';
import { defaultPhases } from './phases/index.js';
import type { ChartPayload, EventListener, Lifecycle, PhaseContext, PhaseName, PhaseTiming } from './types.js';

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

/** What a chart run holds until it ends: its lease, and its listener on the caller's signal. */
export interface Held {
  lease?: HeldLease | undefined;
  /**
   * Removes the chart's listener from the caller's signal: one signal serves every chart of a stack run,
   * and a listener left per chart would pile up (Node warns past 10).
   */
  detach?: () => void;
}

export function errorText(error: unknown): { error: string; code: string } {
  return { error: error instanceof Error ? error.message : String(error), code: isHelmcycleError(error) ? error.code : 'ERROR' };
}

export class ChartRun<P extends ChartPayload> {
  /** A remedy may change the spec for the next attempt (force, forceConflicts). */
  spec: ChartSpec;
  readonly parts: ParsedDefinition<P>;
  readonly phases: Lifecycle<P>;
  /** The chart's signal: the caller's, and a lease lost to another run (this run must stop changing things). */
  readonly signal: AbortSignal;
  readonly leaseSettings: LeaseSettings | undefined;
  readonly masker: Masker;
  readonly started: number;
  readonly timings: PhaseTiming[] = [];
  private readonly abort = new AbortController();
  private readonly ref: { release: string; namespace: string };
  /** A chart that may run without its lease until its first change (deferred-lease.ts), and the release as it saw it then. */
  private deferred = false;
  private seen: SeenState;

  constructor(definition: AnyDefinition<P>, readonly options: RunOptions<P>, private readonly held: Held) {
    this.parts = parseDefinition(definition, { file: options.file });
    this.spec = this.parts.spec;
    this.phases = { ...defaultPhases, ...this.parts.lifecycle } as Lifecycle<P>;
    this.signal = this.abort.signal;
    const onCallerAbort = () => this.abort.abort(options.signal?.reason);
    if (options.signal?.aborted) this.abort.abort(options.signal.reason);
    else {
      options.signal?.addEventListener('abort', onCallerAbort, { once: true });
      held.detach = () => options.signal?.removeEventListener('abort', onCallerAbort);
    }
    this.leaseSettings = options.lease === false ? undefined : (options.lease ?? defaultLeaseSettings());
    this.masker = options.masker ?? maskerForSpec(this.spec);
    this.ref = { release: this.spec.name, namespace: this.spec.namespace };
    this.started = Date.now();
  }

  emit(event: LifecycleEvent): void {
    this.options.onEvent?.(this.masker.maskDeep(event));
  }

  context(phase: PhaseName): PhaseContext<P> {
    const { spec, held, leaseSettings } = this;
    return {
      spec,
      helm: this.options.helm,
      kube: this.options.kube,
      signal: this.signal,
      defaults: defaultPhases,
      checks: this.parts.checks,
      health: this.parts.health,
      transform: this.parts.transform,
      phase,
      lease: leaseSettings ? { ...leaseSettings, previous: held.lease?.previous } : undefined,
      log: (message: string, level: MessageLevel = 'info') => this.emit({ type: 'message', chart: spec.name, phase, level, message, at: Date.now() }),
      progress: (progress: WaitProgress) => this.emit({ type: 'wait-progress', chart: spec.name, phase, ...progress, at: Date.now() }),
      claimLease: this.claimLease,
      masker: this.masker,
    };
  }

  /** Aborted because another run took the lease: a failure of this chart (LeaseLostError), not a cancel. */
  leaseLost(): boolean {
    return (this.held.lease?.lost.aborted ?? false) && !(this.options.signal?.aborted ?? false);
  }

  private async takeLease(log: (message: string, level?: MessageLevel) => void): Promise<void> {
    const { leaseSettings, spec, held } = this;
    if (!leaseSettings) return;
    held.lease = await takeChartLease({ kube: this.options.kube, settings: leaseSettings, release: spec.name, namespace: spec.namespace, createNamespace: spec.createNamespace && spec.action === 'deploy', signal: this.signal, log });
    held.lease?.lost.addEventListener('abort', () => this.abort.abort(held.lease?.lost.reason), { once: true });
    // The release may have changed while this run waited for the lease: decide on what it is now.
    await this.options.helm.reread(this.ref);
  }

  /**
   * Nothing changes before preExec: the lease is taken once the prerequisites hold, and a chart whose
   * steps are all read-only defaults takes it only before its first change (claimLease).
   */
  async leaseBeforePreExec(): Promise<void> {
    if (this.leaseSettings && mayDeferLease(this.spec, this.parts)) {
      const release = await this.options.helm.status(this.ref, { signal: this.signal });
      this.seen = seenState(release);
      this.deferred = release?.status === 'deployed';
    }
    if (!this.deferred) await this.takeLease(this.context('preExec').log);
  }

  /** A deferred lease is taken before the first change; throws ReleaseMovedError when the release moved meanwhile. */
  readonly claimLease = async (): Promise<void> => {
    if (!this.deferred) return;
    this.deferred = false;
    await this.takeLease(this.context('exec').log);
    const now = seenState(await this.options.helm.status(this.ref, { signal: this.signal }));
    if (!sameState(this.seen, now)) throw new ReleaseMovedError(this.spec.name, this.spec.namespace, this.seen, now);
  };

  /** Runs one phase with its events and timing. */
  async phase(phase: PhaseName, body: (ctx: PhaseContext<P>) => Promise<P>): Promise<P> {
    const { spec } = this;
    if (this.leaseLost()) throw this.held.lease!.lost.reason;
    if (this.signal.aborted) throw new CancelledError(`chart '${spec.name}' was cancelled before ${phase}`, { chart: spec.name, phase });
    const phaseStart = Date.now();
    this.emit({ type: 'phase-started', chart: spec.name, phase, at: phaseStart });
    try {
      const result = await body(this.context(phase));
      const durationMs = Date.now() - phaseStart;
      this.timings.push({ phase, durationMs, ok: true });
      this.emit({ type: 'phase-finished', chart: spec.name, phase, durationMs, at: Date.now() });
      return result;
    } catch (error) {
      const durationMs = Date.now() - phaseStart;
      if (error instanceof ReleaseMovedError) {
        // Not a failure: the chart starts again from preExec, holding the lease now.
        this.emit({ type: 'message', chart: spec.name, phase, level: 'info', message: error.message, at: Date.now() });
        throw error;
      }
      this.timings.push({ phase, durationMs, ok: false });
      this.emit({ type: 'phase-failed', chart: spec.name, phase, durationMs, at: Date.now(), ...errorText(error) });
      throw error;
    }
  }

  /** The chart's error, scrubbed of secrets, with its chart-failed or chart-cancelled event. */
  fail(phase: PhaseName, raised: unknown, payload?: P): ChartFailedError {
    const { spec } = this;
    // Whatever helm said when it was stopped, the reason is the lost lease.
    const error = this.leaseLost() ? this.held.lease!.lost.reason : raised;
    const failure = scrubError(new ChartFailedError(spec.name, phase, error, { diagnostics: payload?.diagnostics, failure: payload?.failure, remedies: payload?.remedies }), this.masker);
    if (this.signal.aborted && !this.leaseLost()) this.emit({ type: 'chart-cancelled', chart: spec.name, reason: `cancelled in ${phase}`, at: Date.now() });
    // The event carries the whole story (diagnostics included) and the most specific code.
    else this.emit({ type: 'chart-failed', chart: spec.name, phase, durationMs: Date.now() - this.started, at: Date.now(), error: failure.message, code: errorText(error).code, failureClass: payload?.failure?.class, ...(failure.hint ? { hint: failure.hint } : {}) });
    return failure;
  }
}
