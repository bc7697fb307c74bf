// Pure functions from a request to helm's argv, one per command. They know the differences between Helm 3
// and Helm 4 and never put a secret on the command line: sensitive values and repository passwords travel
// in private files or on stdin (see values-files.ts and chart-access.ts). Every argv has the shape of
// argv-shape.ts: flags as `--flag=value`, positionals after `--`, so no value of a stack becomes a flag.
import { HelmcycleError } from '../errors.js';
import { command, flag, flagValue } from './argv-shape.js';
import { chartReference, chartSourceFlags, helmConfigArgs, type ChartAccess } from './argv-chart.js';
import { valuesArgs, type ValuesFilePaths } from './argv-values.js';
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

// One import for the client and the tests: the shape, the chart source and the values live in files of their own.
export * from './argv-shape.js';
export * from './argv-chart.js';
export * from './argv-values.js';

export function supportsTakeOwnership(version: HelmVersion): boolean {
  return version.major >= 4 || (version.major === 3 && version.minor >= 17);
}

export function formatSeconds(seconds: number): string {
  return `${seconds}s`;
}

function releaseArgs(ref: ReleaseRef): string[] {
  return [flagValue('namespace', ref.namespace)];
}

/**
 * A field as Go's encoding/csv reads it back whole: pflag splits a `--labels` value holding more than one
 * `=` as a CSV record, so a `,` or `"` must be inside quotes to stay in its label.
 */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One --labels per label (pflag merges repeated ones), each one CSV field. */
function labelsArg(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([key, value]) => flagValue('labels', csvField(`${key}=${value}`)));
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
    flagValue('timeout', formatSeconds(options.timeoutSeconds)),
    ...forceReplaceArgs(helm4, options.force),
    ...flag(options.cleanupOnFail, '--cleanup-on-fail'),
    flagValue('history-max', options.historyMax),
    ...flag(options.skipCrds, '--skip-crds'),
    ...flag(options.disableHooks, '--no-hooks'),
    ...flag(options.takeOwnership, '--take-ownership'),
    // Conflicts exist only under server-side apply, which a forced replacement turns off.
    ...flag(helm4 && options.forceConflicts === true && !options.force, '--force-conflicts'),
    ...(options.description ? [flagValue('description', options.description)] : []),
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
  return [flagValue('post-renderer', version.major >= 4 ? target.plugin : target.executable)];
}

export interface UpgradeArgvInput extends ReleaseRef {
  source: ChartSource;
  values: ValuesInput;
  options: UpgradeOptions;
  dryRun?: boolean | undefined;
}

export function upgradeArgv(version: HelmVersion, input: UpgradeArgvInput, files: ValuesFilePaths, access: ChartAccess = {}, postRenderer?: PostRendererTarget): string[] {
  return command(
    ['upgrade', '--install'],
    [
      ...chartSourceFlags(input.source, access),
      ...releaseArgs(input),
      ...valuesArgs(input.values, files),
      // The spec is the whole of the values: without this, an upgrade given no values at all reuses the
      // previous revision's (Helm 3 and 4), even a failed one's, so apply would not deploy what plan rendered.
      '--reset-values',
      ...upgradeOptionArgs(version, input.options),
      ...flag(input.dryRun === true, '--dry-run=server'),
      ...postRendererArgs(version, postRenderer),
      flagValue('output', 'json'),
    ],
    [input.release, chartReference(input.source, access)],
  );
}

export function uninstallArgv(request: UninstallRequest): string[] {
  return command(
    ['uninstall'],
    [
      ...releaseArgs(request),
      ...flag(request.wait, '--wait'),
      flagValue('timeout', formatSeconds(request.timeoutSeconds)),
      ...flag(request.keepHistory === true, '--keep-history'),
      '--ignore-not-found',
    ],
    [request.release],
  );
}

export function rollbackArgv(version: HelmVersion, request: RollbackRequest): string[] {
  const helm4 = version.major >= 4;
  return command(
    ['rollback'],
    [
      ...releaseArgs(request),
      ...flag(request.wait, helm4 ? '--wait=watcher' : '--wait'),
      flagValue('timeout', formatSeconds(request.timeoutSeconds)),
      ...flag(request.cleanupOnFail === true, '--cleanup-on-fail'),
      ...forceReplaceArgs(helm4, request.force === true),
    ],
    [request.release, ...(request.revision === undefined ? [] : [String(request.revision)])],
  );
}

// Helm 4 dropped --hide-notes, and --logs would make helm fail on a pod whose logs cannot be read:
// helmcycle reads the failed pods itself (failures/test-pods.ts), so neither flag is used.
export function testArgv(request: TestRequest): string[] {
  return command(
    ['test'],
    [
      ...releaseArgs(request),
      ...(request.timeoutSeconds === undefined ? [] : [flagValue('timeout', formatSeconds(request.timeoutSeconds))]),
      ...request.filter.map((entry) => flagValue('filter', entry)),
    ],
    [request.release],
  );
}

export function statusArgv(ref: ReleaseRef): string[] {
  return command(['status'], [...releaseArgs(ref), flagValue('output', 'json')], [ref.release]);
}

/** `helm get metadata`: the release's chart, version, status and (Helm 4) labels, without its manifest. */
export function getMetadataArgv(ref: ReleaseRef): string[] {
  return command(['get', 'metadata'], [...releaseArgs(ref), flagValue('output', 'json')], [ref.release]);
}

export function historyArgv(ref: ReleaseRef, max = 256): string[] {
  return command(['history'], [...releaseArgs(ref), flagValue('max', max), flagValue('output', 'json')], [ref.release]);
}

export function listArgv(namespace: string | 'all'): string[] {
  const scope = namespace === 'all' ? ['--all-namespaces'] : [flagValue('namespace', namespace)];
  // Releases in every state (failed and pending ones too). Helm 4 dropped --all; the per-state flags
  // mean the same to both majors. --max 0 lifts the 256 cap.
  const states = ['--deployed', '--failed', '--pending', '--superseded', '--uninstalled', '--uninstalling'];
  return command(['list'], [...scope, ...states, flagValue('max', 0), flagValue('output', 'json')]);
}

export function getValuesArgv(ref: ReleaseRef & { revision?: number; all?: boolean }): string[] {
  return command(
    ['get', 'values'],
    [
      ...releaseArgs(ref),
      ...(ref.revision === undefined ? [] : [flagValue('revision', ref.revision)]),
      ...flag(ref.all === true, '--all'),
      flagValue('output', 'json'),
    ],
    [ref.release],
  );
}

export function getManifestArgv(ref: ReleaseRef & { revision?: number }): string[] {
  return command(['get', 'manifest'], [...releaseArgs(ref), ...(ref.revision === undefined ? [] : [flagValue('revision', ref.revision)])], [ref.release]);
}

export function templateArgv(
  input: ReleaseRef & { source: ChartSource; values: ValuesInput; skipCrds?: boolean | undefined },
  files: ValuesFilePaths,
  access: ChartAccess = {},
  postRenderer?: { version: HelmVersion; target: PostRendererTarget },
): string[] {
  return command(
    ['template'],
    [
      ...chartSourceFlags(input.source, access),
      ...releaseArgs(input),
      ...valuesArgs(input.values, files),
      ...(input.skipCrds ? [] : ['--include-crds']),
      ...(postRenderer ? postRendererArgs(postRenderer.version, postRenderer.target) : []),
    ],
    [input.release, chartReference(input.source, access)],
  );
}

export function showChartArgv(source: ChartSource, access: ChartAccess = {}): string[] {
  return command(['show', 'chart'], chartSourceFlags(source, access), [chartReference(source, access)]);
}

export function pullArgv(source: ChartSource, destination: string, access: ChartAccess = {}): string[] {
  return command(['pull'], [...chartSourceFlags(source, access), '--untar', flagValue('destination', destination)], [chartReference(source, access)]);
}

/** `helm pull --prov`: the chart archive and its provenance file, not unpacked (chart-provenance.ts checks them). */
export function pullArchiveArgv(source: ChartSource, destination: string, access: ChartAccess = {}): string[] {
  return command(['pull'], [...chartSourceFlags(source, access), '--prov', flagValue('destination', destination)], [chartReference(source, access)]);
}

/** `helm dependency build|update <chart>` against a given repository config and cache. */
export function dependencyArgv(chart: string, mode: 'build' | 'update', access: ChartAccess): string[] {
  return command(['dependency', mode], helmConfigArgs(access), [chart]);
}

export function versionArgv(): string[] {
  return command(['version'], [flagValue('template', '{{.Version}}')]);
}
