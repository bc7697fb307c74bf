// Pure functions from a request to helm's argv. They know the differences between Helm 3 and Helm 4 and
// never put a secret on the command line: sensitive values and repository passwords travel in private
// files or on stdin (see values-files.ts and chart-access.ts).
import { HelmcycleError } from '../errors.js';
import type {
  ChartSource,
  HelmVersion,
  ReleaseRef,
  RollbackRequest,
  TestRequest,
  UninstallRequest,
  UpgradeOptions,
  ValuesInput,
} from './types.js';

/** How the chart is reached once credentials (if any) are set up in a private helm config. */
export interface ChartAccess {
  /** The alias of a repository added to a private repository config, when the repository needs auth. */
  repositoryAlias?: string;
  repositoryConfig?: string;
  repositoryCache?: string;
  registryConfig?: string;
}

/** Paths of the values files to pass with -f, in order: values, files, inline YAML, sensitive. */
export type ValuesFilePaths = readonly string[];

export function supportsTakeOwnership(version: HelmVersion): boolean {
  return version.major >= 4 || (version.major === 3 && version.minor >= 17);
}

export function isOciReference(chart: string): boolean {
  return chart.startsWith('oci://');
}

/** Helm's --set parser splits on commas and treats backslashes as escapes. */
export function escapeSetValue(value: string): string {
  return value.replace(/[\\,]/g, (ch) => `\\${ch}`);
}

export function formatSeconds(seconds: number): string {
  return `${seconds}s`;
}

function flag(enabled: boolean, ...args: string[]): string[] {
  return enabled ? args : [];
}

function releaseArgs(ref: ReleaseRef): string[] {
  return ['--namespace', ref.namespace];
}

/** The chart argument and the flags that say where it comes from. */
export function chartSourceArgs(source: ChartSource, access: ChartAccess = {}): string[] {
  const args: string[] = [];
  if (access.repositoryAlias) {
    args.push(`${access.repositoryAlias}/${source.chart}`);
  } else {
    args.push(source.chart);
    if (source.repository) args.push('--repo', source.repository);
  }
  if (source.version) args.push('--version', source.version);
  if (source.plainHttp) args.push('--plain-http');
  if (source.auth?.caFile) args.push('--ca-file', source.auth.caFile);
  if (source.auth?.certFile) args.push('--cert-file', source.auth.certFile);
  if (source.auth?.keyFile) args.push('--key-file', source.auth.keyFile);
  if (source.auth?.insecureSkipTlsVerify) args.push('--insecure-skip-tls-verify');
  if (source.auth?.passCredentials) args.push('--pass-credentials');
  args.push(...helmConfigArgs(access));
  return args;
}

export function helmConfigArgs(access: ChartAccess): string[] {
  const args: string[] = [];
  if (access.repositoryConfig) args.push('--repository-config', access.repositoryConfig);
  if (access.repositoryCache) args.push('--repository-cache', access.repositoryCache);
  if (access.registryConfig) args.push('--registry-config', access.registryConfig);
  return args;
}

/** -f for every values file, then the inline --set family in helm's own precedence order. */
export function valuesArgs(values: ValuesInput, files: ValuesFilePaths): string[] {
  const args: string[] = [];
  for (const file of files) args.push('--values', file);
  for (const [key, value] of Object.entries(values.setJson)) args.push('--set-json', `${key}=${JSON.stringify(value)}`);
  for (const [key, value] of Object.entries(values.set)) args.push('--set', `${key}=${escapeSetValue(String(value))}`);
  for (const [key, value] of Object.entries(values.setString)) args.push('--set-string', `${key}=${escapeSetValue(value)}`);
  return args;
}

function labelsArg(labels: Record<string, string>): string[] {
  const entries = Object.entries(labels);
  if (entries.length === 0) return [];
  return ['--labels', entries.map(([k, v]) => `${k}=${escapeSetValue(v)}`).join(',')];
}

/**
 * Replace objects (PUT) instead of patching them. Helm 4 refuses --force-replace together with server-side
 * apply ("cannot use server-side apply and force replace together"), which it otherwise carries over from
 * the release, so a forced replacement also asks for client-side updates.
 */
function forceReplaceArgs(helm4: boolean, force: boolean): string[] {
  if (!force) return [];
  return helm4 ? ['--force-replace', '--server-side=false'] : ['--force'];
}

export function upgradeOptionArgs(version: HelmVersion, options: UpgradeOptions): string[] {
  const helm4 = version.major >= 4;
  if (options.takeOwnership && !supportsTakeOwnership(version)) {
    throw new HelmcycleError('HELM_COMMAND_FAILED', `takeOwnership needs Helm 3.17 or later; this is ${version.version}`, {
      hint: 'upgrade helm, or adopt the resources first (label and annotate them for the release)',
    });
  }
  return [
    // The API server checks each object strictly instead, before the upgrade (lifecycle/strict-validation.ts).
    '--disable-openapi-validation',
    ...flag(options.createNamespace, '--create-namespace'),
    ...flag(options.atomic, helm4 ? '--rollback-on-failure' : '--atomic'),
    // Helm 4's --wait takes a strategy; "watcher" is the kstatus-based wait that replaced Helm 3's.
    ...flag(options.wait, helm4 ? '--wait=watcher' : '--wait'),
    ...flag(options.waitForJobs, '--wait-for-jobs'),
    '--timeout',
    formatSeconds(options.timeoutSeconds),
    ...forceReplaceArgs(helm4, options.force),
    ...flag(options.cleanupOnFail, '--cleanup-on-fail'),
    '--history-max',
    String(options.historyMax),
    ...flag(options.skipCrds, '--skip-crds'),
    ...flag(options.disableHooks, '--no-hooks'),
    ...flag(options.takeOwnership, '--take-ownership'),
    // Conflicts exist only under server-side apply, which a forced replacement turns off.
    ...flag(helm4 && options.forceConflicts === true && !options.force, '--force-conflicts'),
    ...(options.description ? ['--description', options.description] : []),
    ...labelsArg(options.labels),
  ];
}

/** Where helm finds helmcycle's post-renderer (post-render/host.ts). */
export interface PostRendererTarget {
  /** Helm 3 runs an executable given by path. */
  executable: string;
  /** Helm 4 runs only postrenderer/v1 plugins, by name, from HELM_PLUGINS. */
  plugin: string;
}

export function postRendererArgs(version: HelmVersion, target: PostRendererTarget | undefined): string[] {
  if (!target) return [];
  return ['--post-renderer', version.major >= 4 ? target.plugin : target.executable];
}

export interface UpgradeArgvInput extends ReleaseRef {
  source: ChartSource;
  values: ValuesInput;
  options: UpgradeOptions;
  dryRun?: boolean | undefined;
}

export function upgradeArgv(version: HelmVersion, input: UpgradeArgvInput, files: ValuesFilePaths, access: ChartAccess = {}, postRenderer?: PostRendererTarget): string[] {
  return [
    'upgrade',
    '--install',
    input.release,
    ...chartSourceArgs(input.source, access),
    ...releaseArgs(input),
    ...valuesArgs(input.values, files),
    // The spec is the whole of the values: without this, an upgrade given no values at all reuses the
    // previous revision's (Helm 3 and 4), even a failed one's, so apply would not deploy what plan rendered.
    '--reset-values',
    ...upgradeOptionArgs(version, input.options),
    ...flag(input.dryRun === true, '--dry-run=server'),
    ...postRendererArgs(version, postRenderer),
    '--output',
    'json',
  ];
}

export function uninstallArgv(request: UninstallRequest): string[] {
  return [
    'uninstall',
    request.release,
    ...releaseArgs(request),
    ...flag(request.wait, '--wait'),
    '--timeout',
    formatSeconds(request.timeoutSeconds),
    ...flag(request.keepHistory === true, '--keep-history'),
    '--ignore-not-found',
  ];
}

export function rollbackArgv(version: HelmVersion, request: RollbackRequest): string[] {
  const helm4 = version.major >= 4;
  return [
    'rollback',
    request.release,
    ...(request.revision === undefined ? [] : [String(request.revision)]),
    ...releaseArgs(request),
    ...flag(request.wait, helm4 ? '--wait=watcher' : '--wait'),
    '--timeout',
    formatSeconds(request.timeoutSeconds),
    ...flag(request.cleanupOnFail === true, '--cleanup-on-fail'),
    ...forceReplaceArgs(helm4, request.force === true),
  ];
}

// Helm 4 dropped --hide-notes, and --logs would make helm fail on a pod whose logs cannot be read:
// helmcycle reads the failed pods itself (failures/test-pods.ts), so neither flag is used.
export function testArgv(request: TestRequest): string[] {
  return [
    'test',
    request.release,
    ...releaseArgs(request),
    ...(request.timeoutSeconds === undefined ? [] : ['--timeout', formatSeconds(request.timeoutSeconds)]),
    ...request.filter.flatMap((entry) => ['--filter', entry]),
  ];
}

export function statusArgv(ref: ReleaseRef): string[] {
  return ['status', ref.release, ...releaseArgs(ref), '--output', 'json'];
}

export function historyArgv(ref: ReleaseRef, max = 256): string[] {
  return ['history', ref.release, ...releaseArgs(ref), '--max', String(max), '--output', 'json'];
}

export function listArgv(namespace: string | 'all'): string[] {
  const scope = namespace === 'all' ? ['--all-namespaces'] : ['--namespace', namespace];
  // Releases in every state (failed and pending ones too). Helm 4 dropped --all; the per-state flags
  // mean the same to both majors. --max 0 lifts the 256 cap.
  const states = ['--deployed', '--failed', '--pending', '--superseded', '--uninstalled', '--uninstalling'];
  return ['list', ...scope, ...states, '--max', '0', '--output', 'json'];
}

export function getValuesArgv(ref: ReleaseRef & { revision?: number; all?: boolean }): string[] {
  return [
    'get',
    'values',
    ref.release,
    ...releaseArgs(ref),
    ...(ref.revision === undefined ? [] : ['--revision', String(ref.revision)]),
    ...flag(ref.all === true, '--all'),
    '--output',
    'json',
  ];
}

export function getManifestArgv(ref: ReleaseRef & { revision?: number }): string[] {
  return ['get', 'manifest', ref.release, ...releaseArgs(ref), ...(ref.revision === undefined ? [] : ['--revision', String(ref.revision)])];
}

export function templateArgv(
  input: ReleaseRef & { source: ChartSource; values: ValuesInput; skipCrds?: boolean | undefined },
  files: ValuesFilePaths,
  access: ChartAccess = {},
  postRenderer?: { version: HelmVersion; target: PostRendererTarget },
): string[] {
  return [
    'template',
    input.release,
    ...chartSourceArgs(input.source, access),
    ...releaseArgs(input),
    ...valuesArgs(input.values, files),
    ...(input.skipCrds ? [] : ['--include-crds']),
    ...(postRenderer ? postRendererArgs(postRenderer.version, postRenderer.target) : []),
  ];
}

export function showChartArgv(source: ChartSource, access: ChartAccess = {}): string[] {
  return ['show', 'chart', ...chartSourceArgs(source, access)];
}

export function pullArgv(source: ChartSource, destination: string, access: ChartAccess = {}): string[] {
  return ['pull', ...chartSourceArgs(source, access), '--untar', '--destination', destination];
}

/** `helm dependency build|update <chart>` against a given repository config and cache. */
export function dependencyArgv(chart: string, mode: 'build' | 'update', access: ChartAccess): string[] {
  return ['dependency', mode, chart, ...helmConfigArgs(access)];
}

export function versionArgv(): string[] {
  return ['version', '--template', '{{.Version}}'];
}
