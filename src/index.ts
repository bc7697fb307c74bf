// helmcycle's public API.
export { createClients, type ConnectionOptions } from './clients.js';
export * from './errors.js';
export { CliHelmClient, type CliHelmClientOptions } from './helm/cli-client.js';
export {
  HelmCommandError,
  HelmCancelledError,
  HelmTimeoutError,
  ReleaseLockedError,
  ReleaseNotFoundError,
  RenderError,
  RolledBackError,
  type HelmFailure,
} from './helm/errors.js';
export type * from './helm/types.js';
export { NodeKubeClient, loadKubeConfig, type KubeClientOptions } from './kube/client.js';
export { collectDiagnostics, formatDiagnostics, type Diagnostics } from './kube/diagnostics.js';
export { findingsOf, type DeployObservation, type WorkloadFinding } from './kube/deploy-observation.js';
export { observationOf, observeDeploy } from './lifecycle/observe-deploy.js';
export { parseManifest, workloadsOf } from './kube/manifest.js';
export { workloadReadiness, type Readiness } from './kube/readiness.js';
export { healthOf, healthKey, hasHealthRule, BUILT_IN_RULES } from './health/health-of.js';
export { healthRefsInManifest } from './health/health-refs.js';
export { waitForHealthy, type HealthWaitOptions, type ObjectHealth } from './health/wait-healthy.js';
export { HEALTH_STATUSES, type Health, type HealthFunction, type HealthFunctions, type HealthStatus } from './health/types.js';
export type * from './kube/types.js';
export { ChartFailedError } from './lifecycle/chart-error.js';
export { describeWait, formatEvent, type LifecycleEvent, type WaitItem, type WaitProgress } from './lifecycle/events.js';
export { defaultPhases } from './lifecycle/phases/index.js';
export * from './toolkit/index.js';
export { FAILURE_CLASSES, FAILURE_CLASS_ADVICE, REMEDIES, type FailureClass, type Remedy } from './failures/classes.js';
export { classifyFailure, type FailureReport, type MentionedObject } from './failures/classify.js';
export { collectHookLogs } from './failures/hook-logs.js';
export { applyRemedy, chooseRemedy, defaultRemedy, type RemedyChoice, type RemedyOutcome } from './failures/remedies.js';
export { MigrationError, migrationsFor, migrationSteps, type Migration, type MigrationRecord, type MigrationStep } from './lifecycle/migrations.js';
export { resolveRef } from './lifecycle/declared-resources.js';
export { planRecovery, type RecoveryPlan } from './lifecycle/recovery.js';
export { classifyRelease, type ReleaseFacts, type ReleaseState, type ReleaseView } from './lifecycle/release-state.js';
export { decideDeploy, explainDecision, type Decision, type DecisionInput, type DeployAction } from './lifecycle/decide.js';
export { runChart, type RunOptions } from './lifecycle/runner.js';
export { PHASES } from './lifecycle/types.js';
export type * from './lifecycle/types.js';
export { chartSpecSchema, type ChartSpec, type ChartSpecInput } from './config/chart-spec.js';
export { parseChartSpec } from './config/parse.js';

export { defineChart, defineStack } from './config.js';

// Stacks and the CLI.
export type { ChartDefaults, ResolvedChart, ResolvedStack, StackChart, StackDefinition, StackEnvironment } from './stack/types.js';
export { loadStack, loadStackFile, resolveStack } from './stack/load.js';
export { checkStackPaths, stackRoot, type PathPolicy } from './stack/path-containment.js';
export { runStack, type ChartRunRecord, type StackResult, type StackRunOptions } from './stack/run-stack.js';
export { planChart, type ChartPlan, type PlanAction } from './stack/plan.js';
export { diffManifests, formatManifestDiff, type ResourceChange } from './stack/manifest-diff.js';
export { formatStackEvent, type StackEvent } from './stack/events.js';
export { buildReport } from './report/html.js';
export { stackJsonSchema } from './stack/schema.js';
export { DIGEST_LABEL, computeReleaseDigest } from './lifecycle/digest.js';
export { main as runCli } from './cli/main.js';
