// The HelmClient that spawns the real helm binary, without a shell (helm-process.ts: cancelling,
// tracking, and running a transient failure again when that is safe). It keeps nothing of a run: its
// run view is itself, and every fact is asked again.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrivateDir, sweepOnce } from '../secrets/private-dir.js';
import { sensitiveValuesOf } from '../secrets/sensitive.js';
import * as argv from './argv.js';
import { prepareChartAccess, type HelmRunner } from './chart-access.js';
import { checkPulledDigest } from './chart-digest.js';
import { pullVerified } from './verified-pull.js';
import { buildDependencies } from './dependency-build.js';
import { openPostRender, type PostRenderSession } from './post-render/host.js';
import type { HelmDebugLogger } from './debug-line.js';
import { runHelm, type HelmProcessOptions } from './helm-process.js';
import { asChartTestFailure, HelmCommandError, ReleaseNotFoundError } from './errors.js';
import { parseChartYaml, parseHelmVersion, parseHistory, parseList, parseReleaseMetadata, parseReleaseObject, releaseInfoOf } from './parse.js';
import type {
  CallOptions,
  ChartMetadata,
  ChartSource,
  DependencyBuildRequest,
  DryRunResult,
  HelmClient,
  HelmVersion,
  ReleaseInfo,
  ReleaseRef,
  RevisionInfo,
  RollbackRequest,
  TemplateRequest,
  TestRequest,
  TestRun,
  UninstallRequest,
  UpgradeRequest,
} from './types.js';
import { writeValuesFiles } from './values-files.js';
import { cachedVersion, keyOfBinary, rememberVersion, userCacheDir } from './version-cache.js';

export interface CliHelmClientOptions {
  /** Path of the helm binary; `helm` on PATH by default. */
  binary?: string;
  kubeconfig?: string;
  kubeContext?: string;
  /** Milliseconds between SIGTERM and SIGKILL on cancel. */
  killGraceMs?: number;
  /** Extra environment for helm. */
  env?: Record<string, string>;
  /** Resolves relative values file paths and local charts. */
  cwd?: string;
  /**
   * How long a command that failed transiently (connection refused, throttled, ...) and is safe to repeat
   * is retried, in milliseconds, when the request names no timeout of its own (an upgrade uses its
   * timeoutSeconds). Default 30 s; 0 turns retries off.
   */
  transientRetryBudgetMs?: number;
  /** `--debug`: told each helm process's argv (masked), duration and exit. */
  debug?: HelmDebugLogger;
  /** The binary's version when it is known already (the CLI's environment check ran `helm version`). */
  knownVersion?: HelmVersion;
  /**
   * The folder where helm's version is remembered across runs, keyed by the binary file
   * (version-cache.ts); the user's cache folder by default, false to ask helm once per client.
   */
  versionCacheDir?: string | false;
}

export class CliHelmClient implements HelmClient {
  readonly binary: string;
  private readonly options: CliHelmClientOptions;
  private versionPromise: Promise<HelmVersion> | undefined;

  constructor(options: CliHelmClientOptions = {}) {
    this.options = options;
    this.binary = options.binary ?? 'helm';
    if (options.knownVersion) this.versionPromise = Promise.resolve(options.knownVersion);
    // What a killed helmcycle left (values, a repository's credentials) goes before this one starts.
    sweepOnce();
  }

  /** Runs helm; throws a typed HelmCommandError on failure, after retrying a transient one when that is safe. */
  run(args: string[], options: HelmProcessOptions = {}): Promise<{ stdout: string; stderr: string }> {
    return runHelm({ ...this.options, binary: this.binary }, args, options);
  }

  version(options: CallOptions = {}): Promise<HelmVersion> {
    this.versionPromise ??= this.detectVersion(options);
    // A failed detection must not be cached: the next call tries again.
    this.versionPromise.catch(() => (this.versionPromise = undefined));
    return this.versionPromise;
  }

  private cacheWhere() {
    return { dir: this.options.versionCacheDir ?? userCacheDir(), binary: { cwd: this.options.cwd, path: this.options.env?.PATH ?? process.env.PATH } };
  }

  /** The version if it is known without starting helm (asked before, or in the version cache); else undefined. */
  async knownVersion(): Promise<HelmVersion | undefined> {
    return this.versionPromise ? this.versionPromise.catch(() => undefined) : this.cachedVersion();
  }

  /** Keeps nothing of a run: helm itself answers every read, so its run view is itself. */
  forRun(): HelmClient {
    return this;
  }

  async endRun(): Promise<void> {}

  /** Nothing to read again: every answer is helm's, read when asked. */
  async reread(_ref: ReleaseRef): Promise<void> {}

  /** Asked every time: nothing is kept between calls. */
  remember<T>(_key: string, ask: () => Promise<T>): Promise<T> {
    return ask();
  }

  private async cachedVersion(): Promise<HelmVersion | undefined> {
    const { dir, binary } = this.cacheWhere();
    const key = dir ? await keyOfBinary(this.binary, binary) : undefined;
    const known = dir && key ? await cachedVersion(dir, key) : undefined;
    try {
      return known === undefined ? undefined : parseHelmVersion(known);
    } catch {
      return undefined; // an entry this helmcycle cannot read: helm answers when asked, and it is replaced
    }
  }

  /** From the version cache when this very binary file answered before, else from `helm version`. */
  private async detectVersion(options: CallOptions): Promise<HelmVersion> {
    const known = await this.cachedVersion();
    if (known) return known;
    const { dir, binary: where } = this.cacheWhere();
    const key = dir ? await keyOfBinary(this.binary, where) : undefined;
    const { stdout } = await this.run(argv.versionArgv(), options);
    const version = parseHelmVersion(stdout);
    // Kept only if the file did not change while helm ran (else the answer may be of the old one).
    if (dir && key && key === (await keyOfBinary(this.binary, where))) await rememberVersion(dir, key, stdout.trim());
    return version;
  }

  /** Runs `fn` with the chart's credentials set up in a private helm config, then removes it. */
  private async withAccess<T>(source: ChartSource, options: CallOptions, fn: (access: argv.ChartAccess) => Promise<T>): Promise<T> {
    const version = await this.version(options);
    const runner: HelmRunner = (args, runOptions) => this.run(args, { ...options, ...runOptions, secrets: [...(runOptions.secrets ?? []), ...(source.auth ? [source.auth.password] : [])] });
    const prepared = await prepareChartAccess(runner, version, source);
    try {
      return await fn(prepared.access);
    } finally {
      await prepared.dispose();
    }
  }

  /**
   * withAccess, except that a chart pinned by digest is handed to `fn` as a local copy pulled and
   * checked first (chart-digest.ts): helm never fetches a pinned chart by its tag for an install.
   */
  private async withChart<T>(source: ChartSource, options: CallOptions, fn: (access: argv.ChartAccess, source: ChartSource) => Promise<T>): Promise<T> {
    if (!source.digest && !source.verify) return this.withAccess(source, options, (access) => fn(access, source));
    const { path: dir, dispose } = await createPrivateDir('pinned');
    try {
      const pullArchive = (argvOf: (access: argv.ChartAccess) => string[]) => this.withAccess(source, options, (access) => this.run(argvOf(access), { ...options, secrets: sensitiveValuesOf({ repositoryAuth: source.auth }) }));
      return await fn({}, { chart: source.verify ? await pullVerified(pullArchive, source, dir) : await this.pull(source, dir, options) });
    } finally {
      await dispose();
    }
  }

  private secretsOf(request: { source: ChartSource; values: UpgradeRequest['values'] }): string[] {
    return sensitiveValuesOf({ setSensitive: request.values.setSensitive, secretValues: request.values.secretValues, repositoryAuth: request.source.auth });
  }

  /**
   * Runs `fn` with the request's post-renderer reachable by helm (none when it has none). When helm fails
   * because the post-renderer did, the post-renderer's own error is what the caller sees.
   */
  private async withPostRender<T>(postRender: UpgradeRequest['postRender'], version: HelmVersion, fn: (session: PostRenderSession | undefined) => Promise<T>): Promise<T> {
    if (!postRender) return fn(undefined);
    const session = await openPostRender(postRender, version.major);
    try {
      return await fn(session);
    } catch (error) {
      throw session.failure() ?? error;
    } finally {
      await session.dispose();
    }
  }

  private async runUpgrade(request: UpgradeRequest, options: CallOptions): Promise<string> {
    const version = await this.version(options);
    const written = await writeValuesFiles(request.values, this.options.cwd);
    try {
      return await this.withChart(request.source, options, (access, source) =>
        this.withPostRender(request.postRender, version, async (session) => {
          const args = argv.upgradeArgv(version, { ...request, source }, written.files, access, session?.target);
          const retryBudgetMs = request.options.timeoutSeconds * 1000;
          const { stdout } = await this.run(args, { ...options, stdin: written.stdin, secrets: this.secretsOf(request), retryBudgetMs, ...(session ? { env: session.env } : {}) });
          return stdout;
        }),
      );
    } finally {
      await written.dispose();
    }
  }

  async upgradeInstall(request: UpgradeRequest, options: CallOptions = {}): Promise<ReleaseInfo> {
    return releaseInfoOf(parseReleaseObject(await this.runUpgrade({ ...request, dryRun: false }, options)));
  }

  /** `helm upgrade --install --dry-run=server`: what would be applied, checked by the API server. */
  async dryRun(request: UpgradeRequest, options: CallOptions = {}): Promise<DryRunResult> {
    const stdout = await this.runUpgrade({ ...request, dryRun: true }, options);
    const release = parseReleaseObject(stdout);
    return { release: releaseInfoOf(release), manifest: release.manifest };
  }

  async uninstall(request: UninstallRequest, options: CallOptions = {}): Promise<void> {
    await this.run(argv.uninstallArgv(request), options);
  }

  async status(ref: ReleaseRef, options: CallOptions = {}): Promise<ReleaseInfo | undefined> {
    try {
      const { stdout } = await this.run(argv.getMetadataArgv(ref), options);
      return parseReleaseMetadata(stdout);
    } catch (error) {
      if (error instanceof ReleaseNotFoundError) return undefined;
      throw error;
    }
  }

  async history(ref: ReleaseRef, options: CallOptions = {}): Promise<RevisionInfo[]> {
    try {
      return parseHistory((await this.run(argv.historyArgv(ref), options)).stdout);
    } catch (error) {
      if (error instanceof ReleaseNotFoundError) return [];
      throw error;
    }
  }

  async list(namespace: string | 'all', options: CallOptions = {}): Promise<ReleaseInfo[]> {
    return parseList((await this.run(argv.listArgv(namespace), options)).stdout);
  }

  async getValues(ref: ReleaseRef & { revision?: number; all?: boolean }, options: CallOptions = {}): Promise<Record<string, unknown>> {
    const { stdout } = await this.run(argv.getValuesArgv(ref), options);
    const parsed = JSON.parse(stdout || 'null') as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }

  async getManifest(ref: ReleaseRef & { revision?: number }, options: CallOptions = {}): Promise<string> {
    return (await this.run(argv.getManifestArgv(ref), options)).stdout;
  }

  async rollback(request: RollbackRequest, options: CallOptions = {}): Promise<void> {
    await this.run(argv.rollbackArgv(await this.version(options), request), options);
  }

  async test(request: TestRequest, options: CallOptions = {}): Promise<TestRun> {
    try {
      return { output: (await this.run(argv.testArgv(request), options)).stdout };
    } catch (error) {
      throw error instanceof HelmCommandError ? asChartTestFailure(error) : error;
    }
  }

  async template(request: TemplateRequest, options: CallOptions = {}): Promise<string> {
    const written = await writeValuesFiles(request.values, this.options.cwd);
    try {
      return await this.withChart(request.source, options, async (access, source) => {
        const version = request.postRender ? await this.version(options) : undefined;
        return this.withPostRender(request.postRender, version!, async (session) => {
          const postRenderer = session ? { version: version!, target: session.target } : undefined;
          const { stdout } = await this.run(argv.templateArgv({ ...request, source }, written.files, access, postRenderer), { ...options, stdin: written.stdin, secrets: this.secretsOf(request), ...(session ? { env: session.env } : {}) });
          return stdout;
        });
      });
    } finally {
      await written.dispose();
    }
  }

  async showChart(source: ChartSource, options: CallOptions = {}): Promise<ChartMetadata> {
    return this.withChart(source, options, async (access, chart) =>
      parseChartYaml((await this.run(argv.showChartArgv(chart, access), { ...options, secrets: sensitiveValuesOf({ repositoryAuth: source.auth }) })).stdout),
    );
  }

  async buildDependencies(request: DependencyBuildRequest, options: CallOptions = {}): Promise<void> {
    await buildDependencies((args) => this.run(args, options), request);
  }

  async pull(source: ChartSource, destination: string, options: CallOptions = {}): Promise<string> {
    const before = new Set(await readdir(destination).catch(() => []));
    const { stderr } = await this.withAccess(source, options, (access) => this.run(argv.pullArgv(source, destination, access), { ...options, secrets: sensitiveValuesOf({ repositoryAuth: source.auth }) }));
    checkPulledDigest(source, stderr);
    // `--untar` makes one folder named after the chart: in a folder of its own (a run's), that is it;
    // anywhere else, helm's `show chart` names it.
    const made = (await readdir(destination, { withFileTypes: true })).filter((entry) => entry.isDirectory() && !before.has(entry.name));
    if (before.size === 0 && made.length === 1) return join(destination, made[0]!.name);
    return join(destination, (await this.showChart({ ...source, digest: undefined }, options)).name);
  }
}
