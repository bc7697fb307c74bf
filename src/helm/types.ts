// The HelmClient interface: everything helmcycle asks of helm. The CLI-backed implementation spawns the
// helm binary; unit tests use a scripted fake behind this same interface.
import type { RepositoryAuth, YamlFileContent } from '../config/chart-spec.js';

export type HelmMajor = 3 | 4;

export interface HelmVersion {
  /** e.g. "v3.17.2" */
  version: string;
  major: HelmMajor;
  minor: number;
  patch: number;
}

/** Release states as helm records them. The pending-* states mean an operation never finished. */
export type ReleaseStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

export const PENDING_STATUSES: readonly ReleaseStatus[] = ['pending-install', 'pending-upgrade', 'pending-rollback'];

export interface ReleaseInfo {
  name: string;
  namespace: string;
  revision: number;
  status: ReleaseStatus;
  chartName: string;
  chartVersion: string;
  appVersion: string | undefined;
  description: string | undefined;
  /** ISO timestamp of the last deploy. */
  updated: string | undefined;
  /** The release's labels when helm reports them (Helm 4's `get metadata`); Helm 3 leaves this undefined. */
  labels?: Record<string, string>;
}

export interface RevisionInfo {
  revision: number;
  status: ReleaseStatus;
  chart: string;
  appVersion: string | undefined;
  description: string | undefined;
  updated: string | undefined;
}

/** Where a chart comes from. */
export interface ChartSource {
  /** A local directory, a chart name within `repository`, or an oci:// reference. */
  chart: string;
  repository?: string | undefined;
  version?: string | undefined;
  auth?: RepositoryAuth | undefined;
  plainHttp?: boolean | undefined;
  /** An OCI chart pinned by its manifest digest (sha256:...): installed only from a copy pulled and checked (chart-digest.ts). */
  digest?: string | undefined;
  /** Verify the chart's provenance against this keyring file (chart-provenance.ts); installed only from the checked copy. */
  verify?: { keyring: string } | undefined;
}

/** Every source of values, in the order helmcycle applies them (later wins). */
export interface ValuesInput {
  values: Record<string, unknown>[];
  valuesFiles: string[];
  yamlFilesContent: YamlFileContent[];
  setSensitive: Record<string, string | number | boolean>;
  /** Secret values objects (decrypted SOPS files, resolved references): read by helm from its standard input with setSensitive. */
  secretValues?: Record<string, unknown>[] | undefined;
  setJson: Record<string, unknown>;
  set: Record<string, string | number | boolean>;
  setString: Record<string, string>;
}

export interface ReleaseRef {
  release: string;
  namespace: string;
}

export interface UpgradeOptions {
  createNamespace: boolean;
  atomic: boolean;
  wait: boolean;
  waitForJobs: boolean;
  timeoutSeconds: number;
  force: boolean;
  cleanupOnFail: boolean;
  historyMax: number;
  skipCrds: boolean;
  disableHooks: boolean;
  takeOwnership: boolean;
  /** Helm 4 (server-side apply): take over fields other field managers own; Helm 3 has no such conflicts. */
  forceConflicts?: boolean;
  description?: string | undefined;
  labels: Record<string, string>;
}

/**
 * Changes the stream helm rendered before helm applies, dry-runs or prints it (helm's post-render step;
 * a chart's `transform`). A throw fails the helm command, which then changes nothing.
 */
export type PostRenderer = (manifest: string) => Promise<string>;

export interface UpgradeRequest extends ReleaseRef {
  source: ChartSource;
  values: ValuesInput;
  options: UpgradeOptions;
  /** Render against the cluster without changing it (helm --dry-run=server). */
  dryRun?: boolean;
  postRender?: PostRenderer | undefined;
}

export interface UninstallRequest extends ReleaseRef {
  wait: boolean;
  timeoutSeconds: number;
  keepHistory?: boolean;
}

export interface RollbackRequest extends ReleaseRef {
  /** The revision to return to; helm's default (the previous one) when absent. */
  revision?: number;
  wait: boolean;
  timeoutSeconds: number;
  cleanupOnFail?: boolean;
  force?: boolean;
}

export interface TestRequest extends ReleaseRef {
  /** helm's own default (5m) when absent. */
  timeoutSeconds?: number | undefined;
  /** helm test --filter entries (`name=x`, `!name=y`). */
  filter: readonly string[];
}

export interface TestRun {
  /** helm's report: TEST SUITE, each test's phase, and the chart's notes. */
  output: string;
}

export interface TemplateRequest extends ReleaseRef {
  source: ChartSource;
  values: ValuesInput;
  skipCrds?: boolean;
  postRender?: PostRenderer | undefined;
}

export interface ChartMetadata {
  name: string;
  version: string;
  appVersion: string | undefined;
  kubeVersion: string | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Asks a running helm to stop as one Ctrl-C would (SIGTERM once, never a forced kill): helm then ends
   * the operation its own way, marking it failed and, under atomic, rolling it back. For a wait that
   * will not succeed (observe-deploy.ts); `signal` is for cancelling the run.
   */
  interrupt?: AbortSignal;
}

export interface HelmClient {
  version(options?: CallOptions): Promise<HelmVersion>;
  upgradeInstall(request: UpgradeRequest, options?: CallOptions): Promise<ReleaseInfo>;
  /** Uninstalls; resolves quietly when the release does not exist. */
  uninstall(request: UninstallRequest, options?: CallOptions): Promise<void>;
  /** The release's current status, or undefined when there is no such release. */
  status(ref: ReleaseRef, options?: CallOptions): Promise<ReleaseInfo | undefined>;
  /** Revisions, oldest first; empty when there is no such release. */
  history(ref: ReleaseRef, options?: CallOptions): Promise<RevisionInfo[]>;
  list(namespace: string | 'all', options?: CallOptions): Promise<ReleaseInfo[]>;
  /** The user-supplied values of a revision (all computed values with `all`). */
  getValues(ref: ReleaseRef & { revision?: number; all?: boolean }, options?: CallOptions): Promise<Record<string, unknown>>;
  getManifest(ref: ReleaseRef & { revision?: number }, options?: CallOptions): Promise<string>;
  rollback(request: RollbackRequest, options?: CallOptions): Promise<void>;
  template(request: TemplateRequest, options?: CallOptions): Promise<string>;
  /** Runs the release's test hooks; throws ChartTestFailedError when a test pod fails. */
  test(request: TestRequest, options?: CallOptions): Promise<TestRun>;
  /** Metadata of the chart a source resolves to, without installing it (helm show chart). */
  showChart(source: ChartSource, options?: CallOptions): Promise<ChartMetadata>;
  /** Downloads and unpacks a chart into `destination`; returns the chart's directory. */
  pull(source: ChartSource, destination: string, options?: CallOptions): Promise<string>;
  /** `helm dependency build|update` in a chart folder (a private copy: see local-chart-builds.ts). */
  buildDependencies(request: DependencyBuildRequest, options?: CallOptions): Promise<void>;
  /** `helm upgrade --install --dry-run=server`: the release and manifest an upgrade would produce, nothing applied. */
  dryRun(request: UpgradeRequest, options?: CallOptions): Promise<DryRunResult>;

  // The run's view (storage-backed-client.ts): a client that keeps nothing returns itself from forRun,
  // asks every fact again in remember, and has nothing to read again or to end.
  /** A client for one run: each namespace's releases, each chart source and each cluster fact read once. */
  forRun(): HelmClient;
  /** Ends a client made by forRun (its fetched charts are removed); nothing for any other. */
  endRun(): Promise<void>;
  /** Reads the release again before the next answer: another process may have changed it (a lease waited for). */
  reread(ref: ReleaseRef): Promise<void>;
  /** A fact about the cluster asked once per run (`keep` says which answers may be kept); asked every time otherwise. */
  remember<T>(key: string, ask: () => Promise<T>, keep?: (answer: T) => boolean): Promise<T>;
  /** helm's version when it is known without starting helm (asked before, or in the version cache); else undefined. */
  knownVersion(): Promise<HelmVersion | undefined>;
}

export interface DependencyBuildRequest {
  /** The chart folder to build in. */
  chart: string;
  /** `build` from Chart.lock; `update` resolves Chart.yaml's constraints anew (no lock, or one out of sync). */
  mode: 'build' | 'update';
  /** The http(s) repositories the dependencies name: registered in a private repository config for the call. */
  repositories: string[];
}

export interface DryRunResult {
  release: ReleaseInfo;
  manifest: string;
}
