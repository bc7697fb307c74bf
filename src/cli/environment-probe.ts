// Looks at the environment once before a command's charts run: the kubeconfig file and its contexts,
// one bounded GET /version to the API server, one `helm version`. What is wrong becomes one
// EnvironmentError (exit 2) that says which thing and how to fix it (environment-check.ts decides),
// instead of a raw ENOENT, "No active cluster!" or ECONNREFUSED printed once per chart.
//
// The server probe is short and bounded on purpose: the run's own requests retry transient failures for
// up to 30 s (retry/), which is right for a hiccup in the middle of a run but makes a wrong or stopped
// cluster look like a hang. The probe tries for SERVER_PROBE_SECONDS in all (a connection refused is
// tried again a few times within that, so an API server restarting right then is not refused outright).
import { cachedVersion, keyOfBinary, userCacheDir } from '../helm/version-cache.js';
import { formatHelmCall, type HelmDebugLogger } from '../helm/debug-line.js';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { KubeConfig } from '../kube/client-node.js';
import { loadKubeconfigFiles } from '../kube/kubeconfig-files.js';
import { execa } from 'execa';
import { EnvironmentError } from '../errors.js';
import { parseHelmVersion } from '../helm/parse.js';
import type { HelmVersion } from '../helm/types.js';
import { RestTransport } from '../kube/rest-transport.js';
import { retryTransient } from '../retry/retry.js';
import { createMasker } from '../secrets/masker.js';
import {
  chooseHelm,
  chooseKubeconfig,
  describeProblems,
  environmentProblems,
  type EnvironmentFacts,
  type HelmChoice,
  type HelmFacts,
  type KubeconfigChoice,
  type KubeconfigFacts,
  type ServerReach,
} from './environment-check.js';

/** How long the API server probe may take in all. */
export const SERVER_PROBE_SECONDS = 5;
/** How long `helm version` may take (a cold start on a loaded machine is slow, a hang is not helm). */
const HELM_VERSION_TIMEOUT_MS = 20_000;
/** Where client-node finds a pod's service account when there is no kubeconfig (in-cluster). */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface EnvironmentCheckOptions {
  kubeconfig?: string | undefined;
  kubeContext?: string | undefined;
  helm?: string | undefined;
  /**
   * 'cluster' (apply, destroy, validate, plan, status): kubeconfig, context, server and helm. 'local'
   * (template): helm, and the kubeconfig and context only when one was named (a render needs no cluster).
   */
  needs: 'cluster' | 'local';
  signal?: AbortSignal | undefined;
  /** For tests: the environment variables and home folder (process.env and the user's by default). */
  env?: NodeJS.ProcessEnv;
  home?: string;
  serverProbeSeconds?: number;
  /** `--debug`: told the `helm version` this check runs, like every other helm process. */
  debug?: HelmDebugLogger | undefined;
}

/** A kubeconfig's loading error in words that hold no file content (js-yaml quotes the lines around). */
function loadFailure(error: unknown): KubeconfigFacts {
  const e = error as { code?: unknown; reason?: unknown; mark?: { line?: number; column?: number }; message?: unknown; path?: unknown };
  if (e.code === 'EACCES' || e.code === 'EISDIR' || e.code === 'EPERM') return { state: 'unreadable', reason: String(e.code) };
  if (typeof e.reason === 'string' && e.mark) return { state: 'invalid', reason: `${e.reason} (line ${(e.mark.line ?? 0) + 1}, column ${(e.mark.column ?? 0) + 1})` };
  const message = typeof e.message === 'string' ? e.message : '';
  // client-node's own checks name a field, never its value.
  if (/^(clusters|users|contexts)\[\d+\]\.[\w.-]+ is missing$/.test(message)) return { state: 'invalid', reason: message };
  if (typeof e.code === 'string' && typeof e.path === 'string') return { state: 'invalid', reason: `${e.code} reading ${e.path}` };
  if (error instanceof TypeError) return { state: 'invalid', reason: 'it is empty or not a YAML mapping' };
  return { state: 'invalid', reason: 'it could not be parsed' };
}

function loadedFacts(config: KubeConfig, requested: string | undefined): KubeconfigFacts {
  const currentContext = config.getCurrentContext() ?? '';
  const contexts = config.getContexts().map((c) => c.name);
  const contextName = requested ?? currentContext;
  const context = config.getContextObject(contextName);
  const cluster = context?.cluster ? config.getCluster(context.cluster) : null;
  return {
    state: 'loaded',
    contexts,
    currentContext,
    ...(context?.cluster ? { clusterName: context.cluster } : {}),
    ...(cluster ? { cluster: { name: cluster.name, server: cluster.server } } : {}),
    ...(context?.user ? { user: context.user } : {}),
  };
}

async function readKubeconfig(choice: KubeconfigChoice, requested: string | undefined): Promise<{ facts: KubeconfigFacts; config?: KubeConfig }> {
  if (choice.files && choice.files.length > 1) return readKubeconfigList(choice.files, requested);
  try {
    const info = await stat(choice.path);
    if (!info.isFile()) return { facts: { state: 'unreadable', reason: 'it is not a file' } };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      // No kubeconfig at the default place: client-node then uses a pod's service account, as helm does.
      if (choice.origin === 'default' && existsSync(SERVICE_ACCOUNT_TOKEN)) {
        const config = new KubeConfig();
        config.loadFromCluster();
        if (requested) config.setCurrentContext(requested);
        return { facts: loadedFacts(config, requested), config };
      }
      return { facts: { state: 'missing' } };
    }
    return { facts: { state: 'unreadable', reason: code ?? 'unknown error' } };
  }
  const config = new KubeConfig();
  try {
    config.loadFromFile(choice.path);
  } catch (error) {
    return { facts: loadFailure(error) };
  }
  if (requested) config.setCurrentContext(requested);
  return { facts: loadedFacts(config, requested), config };
}

/** KUBECONFIG's files merged as kubectl merges them (the same KubeConfig the run's client uses). */
async function readKubeconfigList(files: readonly string[], requested: string | undefined): Promise<{ facts: KubeconfigFacts; config?: KubeConfig }> {
  for (const file of files) {
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? undefined : error));
    if (info instanceof Error) return { facts: { state: 'unreadable', reason: `${(info as NodeJS.ErrnoException).code ?? 'unknown error'} (${file})` } };
    if (info && !info.isFile()) return { facts: { state: 'unreadable', reason: `${file} is not a file` } };
  }
  let config: KubeConfig;
  try {
    config = loadKubeconfigFiles(files);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { facts: { state: 'missing' } };
    return { facts: loadFailure(error) };
  }
  if (requested) config.setCurrentContext(requested);
  return { facts: loadedFacts(config, requested), config };
}

const TLS_CODE = /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_)/;

/** Every credential the kubeconfig's current user holds, so no error word of the probe can show one. */
function credentialsOf(config: KubeConfig): string[] {
  const user = config.getCurrentUser();
  return [user?.token, user?.password, user?.keyData, user?.certData].filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** One GET /version, tried again on a refused or reset connection, all within `seconds`. */
async function probeServer(config: KubeConfig, seconds: number, signal: AbortSignal | undefined): Promise<ServerReach> {
  const transport = new RestTransport(config);
  const deadline = AbortSignal.timeout(seconds * 1_000);
  const both = signal ? AbortSignal.any([deadline, signal]) : deadline;
  const mask = createMasker(credentialsOf(config)).mask;
  const retryable = (error: unknown) => ['ECONNREFUSED', 'ECONNRESET'].includes(String((error as { cause?: { code?: unknown } }).cause?.code)) ? 'connection refused or reset' : undefined;
  try {
    const response = await retryTransient(() => transport.send({ method: 'GET', path: '/version', signal: both }), {
      transient: retryable,
      // Less than the deadline: the last try gets time to answer.
      budgetMs: Math.max(0, seconds * 1_000 - 1_000),
      policy: { initialMs: 250, factor: 2, maxMs: 1_000, jitter: 0 },
      signal: both,
    });
    return { reached: true, status: response.status };
  } catch (error) {
    if (signal?.aborted) throw error;
    const cause = (error as { cause?: { code?: unknown; name?: unknown } }).cause;
    // RestTransport wraps only a failure to reach the server; anything else came from getting credentials.
    if (!cause) return deadline.aborted ? { reached: false, kind: 'timeout' } : { reached: false, kind: 'credentials', detail: mask(firstLine(error)) };
    const code = typeof cause.code === 'string' ? cause.code : undefined;
    // The deadline ended a try: no answer in time. (When it ends a wait between refused tries, the
    // refused try's error is what arrives here, and is reported as such.)
    if (code === 'ABORT_ERR' || cause.name === 'AbortError' || cause.name === 'TimeoutError') return { reached: false, kind: 'timeout' };
    return { reached: false, kind: code && TLS_CODE.test(code) ? 'tls' : 'network', ...(code ? { code } : {}), detail: mask(firstLine(cause)) };
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

async function probeHelm(choice: HelmChoice, signal: AbortSignal | undefined, debug: HelmDebugLogger | undefined): Promise<HelmFacts> {
  // This very binary file answered before (the version cache, keyed by its real path, inode, size and
  // times; never a shim or script): it exists, runs and is that version, and a run that changes nothing
  // starts no helm process. The cache is written by the helm client once helm really answered.
  const dir = userCacheDir();
  const key = await keyOfBinary(choice.binary).catch(() => undefined);
  const cached = key ? await cachedVersion(dir, key).catch(() => undefined) : undefined;
  if (cached !== undefined) return { state: 'ran', output: cached };
  const argv = ['version', '--template', '{{.Version}}'];
  const started = performance.now();
  const result = await execa(choice.binary, argv, {
    reject: false,
    shell: false,
    input: '',
    timeout: HELM_VERSION_TIMEOUT_MS,
    env: { HELM_NO_PLUGINS: '1' },
    ...(signal ? { cancelSignal: signal } : {}),
  });
  // argv holds no value of the user's: nothing to mask.
  debug?.(formatHelmCall({ binary: choice.binary, argv, durationMs: performance.now() - started, exitCode: result.exitCode, cancelled: result.isCanceled, timedOut: result.timedOut }, { mask: (text) => text }));
  if (!result.failed) return { state: 'ran', output: String(result.stdout) };
  const code = (result as { code?: string }).code;
  if (code === 'ENOENT') return { state: 'not-found' };
  if (code === 'EACCES') return { state: 'not-executable' };
  if (result.timedOut) return { state: 'failed', detail: `no answer within ${HELM_VERSION_TIMEOUT_MS / 1_000} s` };
  const stderr = String(result.stderr ?? '').trim().split('\n').slice(-1)[0] ?? '';
  return { state: 'failed', detail: stderr ? `exit code ${result.exitCode ?? '?'}: ${stderr.slice(0, 200)}` : firstLine(result.message) };
}

/** The facts the checks need, gathered at once (helm and the cluster side by side). */
export async function gatherEnvironmentFacts(options: EnvironmentCheckOptions): Promise<EnvironmentFacts> {
  const env = options.env ?? process.env;
  const kubeconfigChoice = chooseKubeconfig(options.kubeconfig, env.KUBECONFIG, options.home ?? homedir());
  const named = Boolean(options.kubeconfig || kubeconfigChoice.origin === 'KUBECONFIG' || options.kubeContext);
  const checkKube = options.needs === 'cluster' || named;
  const seconds = options.serverProbeSeconds ?? SERVER_PROBE_SECONDS;
  const helmChoice = chooseHelm(options.helm, env.HELMCYCLE_HELM);
  const kube = async (): Promise<Pick<EnvironmentFacts, 'kubeconfig' | 'server' | 'probeSeconds'>> => {
    if (!checkKube) return {};
    const read = await readKubeconfig(kubeconfigChoice, options.kubeContext);
    const facts = { kubeconfig: { choice: kubeconfigChoice, facts: read.facts } };
    if (options.needs !== 'cluster' || !read.config || read.facts.state !== 'loaded' || !read.facts.cluster) return facts;
    // A context that is not in the file is the error to show; probing would only find no cluster.
    if (options.kubeContext !== undefined && !read.facts.contexts.includes(options.kubeContext)) return facts;
    return { ...facts, server: await probeServer(read.config, seconds, options.signal), probeSeconds: seconds };
  };
  const [kubeFacts, helmFacts] = await Promise.all([kube(), probeHelm(helmChoice, options.signal, options.debug)]);
  return { ...kubeFacts, ...(options.kubeContext !== undefined ? { requestedContext: options.kubeContext } : {}), helm: { choice: helmChoice, facts: helmFacts } };
}

/**
 * Throws one EnvironmentError naming everything that is wrong. When the command may run, resolves with
 * the helm version found, so the run's client need not ask helm again.
 */
export async function checkEnvironment(options: EnvironmentCheckOptions): Promise<{ helmVersion: HelmVersion | undefined }> {
  const facts = await gatherEnvironmentFacts(options);
  const problems = environmentProblems(facts);
  if (problems.length === 0) return { helmVersion: facts.helm?.facts.state === 'ran' ? parseHelmVersion(facts.helm.facts.output) : undefined };
  const { message, hint } = describeProblems(problems);
  throw new EnvironmentError(message, hint, problems.map((p) => p.subject));
}
