// The lifecycle's types: phases are plain async functions `(ctx, payload) => payload`; each default
// phase records its result under its own key of the payload, and a chart may add keys of its own.
import type { ResourceDrift } from '../drift/detect.js';
import type { HelmClient, ChartMetadata, HelmVersion, ReleaseInfo } from '../helm/types.js';
import type { DeployObservation } from '../kube/deploy-observation.js';
import type { Diagnostics } from '../kube/diagnostics.js';
import type { KubeClient } from '../kube/types.js';
import type { ChartSpec, ChartSpecInput } from '../config/chart-spec.js';
import type { FailureClass, Remedy } from '../config/failure-classes.js';
import type { FailureReport } from '../failures/classify.js';
import type { AdoptResult } from '../toolkit/ownership.js';
import type { Migration, MigrationRecord } from './migrations.js';
import type { HealthFunctions } from '../health/types.js';
import type { ManifestTransform } from './transform.js';
import type { LeaseSettings } from '../lease/chart-lease.js';
import type { LeaseRecord } from '../lease/lease-record.js';
import type { LifecycleEvent, MessageLevel, WaitProgress } from './events.js';
import type { Masker } from '../secrets/masker.js';
import type { CheckResult } from '../health/types.js';

export const PHASES = ['checkPrerequisites', 'preExec', 'exec', 'onDeployFailure', 'postExec', 'validate'] as const;
export type PhaseName = (typeof PHASES)[number];

export interface PrerequisitesResult {
  /** When known without starting helm (HelmClient.knownVersion): checkPrerequisites starts no helm process. */
  helmVersion?: HelmVersion;
  kubeVersion: string;
  /** The chart the source resolves to: the version that exec will install. */
  chart: ChartMetadata;
  namespaceExists: boolean;
}

export type RecoveryAction =
  | { kind: 'uninstalled-pending-install'; revision: number }
  | { kind: 'rolled-back'; from: number; to: number; status: string };

export interface PreExecResult {
  /** The release as found (after any recovery); undefined when not installed. */
  release: ReleaseInfo | undefined;
  recovered: RecoveryAction | undefined;
  deletedPods: string[];
  /** What the spec's `adopt` found and labelled; undefined when it lists nothing. */
  adopted: AdoptResult | undefined;
  /** The CRDs applied before exec (spec `crds`). */
  crdsApplied: string[];
  /** CRDs whose stored objects were rewritten at a new storage version before they were applied (crd-evolution/). */
  crdsMigrated?: string[] | undefined;
  /** Destroy with crds.deleteOnDestroy: the CRDs checked unused before anything changed, deleted after the uninstall. */
  crdsToDelete?: string[] | undefined;
}

/** `skipped`: skipIfAlreadyInstalled; `unchanged`: skipUnchanged found the recorded digest equal; `restored`: nothing to deploy, only a backup an interrupted reinstall left was put back (see decide.ts). */
export type ExecOutcome = 'installed' | 'upgraded' | 'reinstalled' | 'skipped' | 'unchanged' | 'restored' | 'uninstalled' | 'absent';

export interface ExecResult {
  outcome: ExecOutcome;
  /** The release after exec; undefined after an uninstall. */
  release: ReleaseInfo | undefined;
  /** How many upgrade attempts it took. */
  attempts: number;
  /** Why exec chose its outcome, in words (e.g. "installed 1.0.0 is below the last breaking version 2.0.0"). */
  reason: string | undefined;
  /** Objects put back from a backup after the install (spec `backup`). */
  restored?: string[] | undefined;
  /** CRDs deleted after an uninstall (spec `crds.deleteOnDestroy`). */
  crdsDeleted?: string[] | undefined;
  /** The drift found on a release skipUnchanged would have left, which this upgrade put back (drift/). */
  repairedDrift?: ResourceDrift[] | undefined;
}

// A check's outcome is health's vocabulary (health/ judges objects into it); lifecycle re-exports it.
export type { CheckResult } from '../health/types.js';

export interface ValidateResult {
  checks: CheckResult[];
}

/** What the phases hand each other. Charts extend it with their own keys. */
export interface ChartPayload {
  prerequisites?: PrerequisitesResult;
  preExec?: PreExecResult;
  exec?: ExecResult;
  diagnostics?: Diagnostics;
  /** What was seen of the release's workloads and pods while the failed helm upgrade ran (onDeployFailure). */
  observed?: DeployObservation;
  /** The class of the last failure, from onDeployFailure. */
  failure?: FailureReport;
  /** Remedies taken so far in this run, in order. */
  remedies?: RemedyRecord[];
  /** The version-range migrations that ran before exec. */
  migrations?: MigrationRecord[];
  /** Set by a migration step: exec reinstalls, for this reason. */
  reinstallRequested?: string;
  validate?: ValidateResult;
}

export interface RemedyRecord {
  failureClass: FailureClass;
  remedy: Remedy;
  attempt: number;
  message: string;
  ok: boolean;
}

/** A chart's own validation: throw (or return a failure message) when the application is not right. */
export interface CustomCheck<P extends ChartPayload = ChartPayload> {
  name: string;
  /**
   * When it runs: after a deploy (the default), after a destroy, or both. A check written for a running
   * application (an endpoint answers) would fail once the release is gone, so it runs on destroy only
   * when it asks to.
   */
  on?: 'deploy' | 'destroy' | 'both';
  run(ctx: PhaseContext<P>, payload: P): Promise<string | void> | string | void;
}

export interface PhaseContext<P extends ChartPayload = ChartPayload> {
  /** The validated spec, every default filled in. */
  spec: ChartSpec;
  helm: HelmClient;
  kube: KubeClient;
  /** Aborted on Ctrl-C or fail-fast; pass it on to anything slow. */
  signal: AbortSignal;
  /** The built-in phases, so an override can do "the usual, then one more thing". */
  defaults: DefaultPhases;
  checks: readonly CustomCheck<P>[];
  /**
   * The chart's own health functions by group/kind, judging those kinds instead of the built-in rules
   * while validate waits. Optional, so that a context made outside the runner need not have it.
   */
  health?: HealthFunctions;
  /** The chart's transform, which every render of this chart goes through (see transform.ts). */
  transform?: ManifestTransform | undefined;
  /** Reports progress as an event of the current phase. */
  log(message: string, level?: MessageLevel): void;
  /**
   * Reports what a wait waits on (a `wait-progress` event of the current phase); the default exec does
   * while helm waits for the workloads. Optional, so that a context made outside the runner need not have it.
   */
  progress?(progress: WaitProgress): void;
  /** The phase running now. */
  phase: PhaseName;
  /**
   * The release lease this run holds (undefined for a run without leases): who this run is, how long it
   * may wait, and the lease of a dead run it took over, which recovery asks before touching a pending release.
   */
  lease: (LeaseSettings & { previous: LeaseRecord | undefined }) | undefined;
  /**
   * Takes the release's lease now, if this chart does not hold it yet. A chart with helmcycle's default
   * lifecycle and nothing to prepare holds it only from its first change (see deferred-lease.ts): the
   * default exec calls this before installing, upgrading, reinstalling or restoring, and the runner
   * before a remedy. Any chart with an override holds the lease from preExec on, so an override need not
   * call it. Optional, so that a context made outside the runner need not have it.
   */
  claimLease?(): Promise<void>;
  /**
   * Masks the sensitive values of every chart of the stack (this chart's alone when run by itself):
   * events and errors go through it, and the default exec keys the release digest when this chart's
   * inputs hold any of them (one chart's values file can hold another's password).
   */
  masker?: Masker;
}

export type Phase<P extends ChartPayload = ChartPayload> = (ctx: PhaseContext<P>, payload: P) => Promise<P>;
export type FailurePhase<P extends ChartPayload = ChartPayload> = (ctx: PhaseContext<P>, payload: P, error: unknown) => Promise<P>;

export interface Lifecycle<P extends ChartPayload = ChartPayload> {
  checkPrerequisites: Phase<P>;
  preExec: Phase<P>;
  exec: Phase<P>;
  onDeployFailure: FailurePhase<P>;
  postExec: Phase<P>;
  validate: Phase<P>;
}

/** The built-in phases; generic so an override for any payload type can call them. */
export interface DefaultPhases {
  checkPrerequisites<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P>;
  preExec<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P>;
  exec<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P>;
  onDeployFailure<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P, error: unknown): Promise<P>;
  postExec<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P>;
  validate<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P>;
}

/** A chart as a user declares it: the spec, plus any phases it replaces and checks it adds. */
export type ChartDefinition<P extends ChartPayload = ChartPayload> = ChartSpecInput & {
  lifecycle?: Partial<Lifecycle<P>>;
  checks?: CustomCheck<P>[];
  /**
   * How validate judges a kind, keyed by group/kind (`'example.com/Widget'`; the core group: `'Service'`),
   * over the built-in rule: `(object) => ({ status: 'healthy' | 'progressing' | 'degraded' | 'unknown', message })`,
   * or undefined to leave an object to the built-in rule.
   */
  health?: HealthFunctions;
  /** Steps to run before exec when the installed version falls in a range (see migrations.ts). */
  migrations?: Migration<P>[];
  /**
   * Changes the rendered objects before helm applies, dry-runs or prints them (helm's post-render step),
   * in apply, plan and template alike: add labels, patch a field the chart does not expose, drop an object.
   */
  transform?: ManifestTransform;
};

export interface PhaseTiming {
  phase: PhaseName;
  durationMs: number;
  ok: boolean;
}

export interface ChartResult<P extends ChartPayload = ChartPayload> {
  name: string;
  namespace: string;
  action: ChartSpec['action'];
  outcome: ExecOutcome | undefined;
  release: ReleaseInfo | undefined;
  payload: P;
  timings: PhaseTiming[];
  durationMs: number;
}

export type EventListener = (event: LifecycleEvent) => void;
