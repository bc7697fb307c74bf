// helmcycle's public API: an explicit list, documented name by name in docs/api.md and guarded by
// test/unit/public-api.test.ts (a name added or dropped here must be added or dropped there too).
// No `export *`: what is not listed is internal and may change in any release.

// Charts and stacks: define, load, run, plan.
export { defineChart, defineStack } from './config.js';
export { chartSpecSchema, type ChartSpec, type ChartSpecInput } from './config/chart-spec.js';
export { parseChartSpec } from './config/parse.js';
export { runChart, type RunOptions } from './lifecycle/runner.js';
export { defaultPhases } from './lifecycle/phases/index.js';
export { PHASES } from './lifecycle/types.js';
export type {
  ChartDefinition,
  ChartPayload,
  ChartResult,
  CheckResult,
  CustomCheck,
  DefaultPhases,
  EventListener,
  ExecOutcome,
  ExecResult,
  FailurePhase,
  Lifecycle,
  Phase,
  PhaseContext,
  PhaseName,
  PhaseTiming,
  PreExecResult,
  PrerequisitesResult,
  RecoveryAction,
  RemedyRecord,
  ValidateResult,
} from './lifecycle/types.js';
export type { ChartDefaults, ResolvedChart, ResolvedStack, StackChart, StackDefinition, StackEnvironment } from './stack/types.js';
export { loadStack, loadStackFile, resolveStack } from './stack/load.js';
export { checkStackPaths, stackRoot, type PathPolicy } from './stack/path-containment.js';
export { resolveStackSecrets, type StackSecretOptions } from './stack/resolve-secrets.js';
export type { RefResolver, ValueRef } from './secrets/refs/value-ref.js';
export { runStack, type ChartRunRecord, type StackResult, type StackRunOptions } from './stack/run-stack.js';
export { planChart, type ChartPlan, type PlanAction } from './stack/plan.js';
export { diffManifests, formatManifestDiff, type ResourceChange } from './stack/manifest-diff.js';
export { stackJsonSchema } from './stack/schema.js';
export { MigrationError, migrationsFor, migrationSteps, type Migration, type MigrationRecord, type MigrationStep } from './lifecycle/migrations.js';
export { DIGEST_LABEL } from './lifecycle/digest.js';
export { main as runCli } from './cli/main.js';

// Events, output and reports.
export { describeWait, formatEvent, type LifecycleEvent, type WaitItem, type WaitProgress } from './lifecycle/events.js';
export { formatStackEvent, type StackEvent } from './stack/events.js';
export { buildReport } from './report/html.js';

// Clients: Helm and Kubernetes, behind interfaces a test can fake.
export { createClients, type ConnectionOptions } from './clients.js';
export { CliHelmClient, type CliHelmClientOptions } from './helm/cli-client.js';
export type {
  CallOptions,
  ChartMetadata,
  ChartSource,
  DependencyBuildRequest,
  DryRunResult,
  HelmClient,
  HelmMajor,
  HelmVersion,
  PostRenderer,
  ReleaseInfo,
  ReleaseRef,
  ReleaseStatus,
  RevisionInfo,
  RollbackRequest,
  TemplateRequest,
  TestRequest,
  TestRun,
  UninstallRequest,
  UpgradeOptions,
  UpgradeRequest,
  ValuesInput,
} from './helm/types.js';
export { NodeKubeClient, loadKubeConfig, type KubeClientOptions } from './kube/client.js';
export type {
  AccessAnswer,
  AccessQuery,
  AccessRules,
  ApplyOptions,
  ContainerState,
  EventRecord,
  KubeClient,
  KubeCollection,
  KubeObject,
  ObjectRef,
  PodState,
  ProxyResponse,
  ResourceRule,
  ServiceProxyRequest,
  WatchEvent,
  WatchFrom,
} from './kube/types.js';
export { parseManifest } from './kube/manifest.js';

// Health, readiness and diagnostics.
export { healthOf } from './health/health-of.js';
export { waitForHealthy, type HealthWaitOptions, type ObjectHealth } from './health/wait-healthy.js';
export { HEALTH_STATUSES, type Health, type HealthFunction, type HealthFunctions, type HealthStatus } from './health/types.js';
export { observationOf } from './lifecycle/observe-deploy.js';
export type { DeployObservation, WorkloadFinding } from './kube/deploy-observation.js';
export { collectDiagnostics, formatDiagnostics, type Diagnostics } from './kube/diagnostics.js';

// Failures: classes and their advice.
export { FAILURE_CLASSES, FAILURE_CLASS_ADVICE, REMEDIES, type FailureClass, type Remedy } from './config/failure-classes.js';
export { classifyFailure, type FailureReport, type MentionedObject } from './failures/classify.js';
export { collectHookLogs } from './failures/hook-logs.js';

// Errors: one family, each with a `code`.
export {
  CancelledError,
  EnvironmentError,
  HelmcycleError,
  KubeRequestError,
  PhaseError,
  PrerequisiteError,
  ReadinessFailedError,
  ScaffoldError,
  SpecError,
  StackConfigError,
  UsageError,
  ValidationError,
  causeChain,
  findCause,
  hasErrorCode,
  isHelmcycleError,
  type ErrorCode,
  type ErrorDetails,
  type FailedCheck,
  type HopelessFinding,
  type SpecIssue,
} from './errors.js';
export {
  HelmCancelledError,
  HelmCommandError,
  HelmTimeoutError,
  ReleaseLockedError,
  ReleaseNotFoundError,
  RenderError,
  RolledBackError,
  type HelmFailure,
} from './helm/errors.js';
export { ChartFailedError } from './lifecycle/chart-error.js';

// The toolkit (docs/toolkit.md): helpers a chart's custom phases reach for.
export { adoptResources, OwnershipConflictError, type AdoptResult, type ReleaseIdentity } from './toolkit/ownership.js';
export {
  applyCrds,
  assertCrdsDeletable,
  crdsInUse,
  deleteCrds,
  readChartCrds,
  readCrdsFromPath,
  waitForCrdsEstablished,
  CrdInUseError,
  type CrdInUse,
  type CrdWaitOptions,
  type DeleteCrdsOptions,
} from './toolkit/crds.js';
export { readReleaseCrds, type CrdSource, type ReadReleaseCrdsOptions, type ReleaseCrd } from './toolkit/release-crds.js';
export { backupResources, readBackup, restoreBackup, type BackupLocation, type BackupSummary } from './toolkit/backup.js';
export { deleteCrashLoopingPods, liveReadiness, restartRollout, waitForWorkloads, type WaitOptions, type WorkloadState } from './toolkit/pods.js';
export {
  checkCondition,
  checkHttp,
  conditionCheck,
  httpCheck,
  retryUntil,
  CheckTimeoutError,
  type ConditionCheckOptions,
  type ConditionExpectation,
  type HttpCheckOptions,
  type HttpExpectation,
  type RetryOptions,
} from './lifecycle/custom-checks.js';
export { runJob, JobFailedError, type JobOptions, type JobResult } from './toolkit/job.js';
