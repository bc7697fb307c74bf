// What is wrong with the environment a command runs in, said once and before any chart runs: which
// kubeconfig, context, API server or helm binary, where that choice came from, and how to fix it. Pure:
// environment-probe.ts gathers the facts (files, one bounded request, one `helm version`); this decides.
// No message here carries a credential: they name paths, contexts, clusters, users and server URLs
// (without any user:password part), and the few words of an error that are passed through are masked by
// the prober first.
import { describeKubeconfigFiles, kubeconfigSource, type KubeconfigOrigin } from '../kube/kubeconfig-files.js';
import { serverUrlWithoutCredentials } from '../kube/server-url.js';

/** Where the kubeconfig path came from, as the user set it. */
export type { KubeconfigOrigin };

export interface KubeconfigChoice {
  /** The file, or the files of KUBECONFIG as one line (for messages). */
  path: string;
  /** The files read, in the order their values win (kube/kubeconfig-files.ts); `[path]` when absent. */
  files?: string[];
  origin: KubeconfigOrigin;
}

/**
 * The kubeconfig a command uses, chosen as src/clients.ts chooses it (kube/kubeconfig-files.ts):
 * --kubeconfig, else every file of KUBECONFIG (empty entries skipped, merged as kubectl merges them),
 * else ~/.kube/config.
 */
export function chooseKubeconfig(flag: string | undefined, kubeconfigEnv: string | undefined, home: string): KubeconfigChoice {
  const source = kubeconfigSource(flag, kubeconfigEnv, home.replace(/\/$/, ''));
  return { path: describeKubeconfigFiles(source.files), files: source.files, origin: source.origin };
}

export type HelmOrigin = '--helm' | 'HELMCYCLE_HELM' | 'PATH';

export interface HelmChoice {
  binary: string;
  origin: HelmOrigin;
}

/** The helm binary, chosen as src/clients.ts chooses it: --helm, else HELMCYCLE_HELM, else `helm` on PATH. */
export function chooseHelm(flag: string | undefined, helmEnv: string | undefined): HelmChoice {
  if (flag) return { binary: flag, origin: '--helm' };
  if (helmEnv) return { binary: helmEnv, origin: 'HELMCYCLE_HELM' };
  return { binary: 'helm', origin: 'PATH' };
}

/** What reading the kubeconfig found. */
export type KubeconfigFacts =
  | { state: 'missing' }
  /** Not a file that can be read (a folder, no permission): `reason` is the system's code. */
  | { state: 'unreadable'; reason: string }
  /** Read, but not a kubeconfig: `reason` has no file content in it (see the prober). */
  | { state: 'invalid'; reason: string }
  | {
      state: 'loaded';
      contexts: readonly string[];
      /** The file's current-context, '' when it sets none. */
      currentContext: string;
      /** The context's cluster, when the context exists and names a cluster the file defines. */
      cluster?: { name: string; server: string };
      /** The context's cluster name, even when the file does not define it. */
      clusterName?: string;
      user?: string;
    };

/** What one bounded GET /version found. */
export type ServerReach =
  | { reached: true; status: number }
  | {
      reached: false;
      /** `timeout`: no answer in time; `tls`: the handshake failed; `credentials`: no token or certificate could be had. */
      kind: 'network' | 'timeout' | 'tls' | 'credentials';
      /** Node's error code (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED, ...) when there is one. */
      code?: string;
      /** A few words, masked, when the code says too little. */
      detail?: string;
    };

/** What running `helm version` found. */
export type HelmFacts =
  | { state: 'not-found' }
  | { state: 'not-executable' }
  | { state: 'failed'; detail: string }
  | { state: 'ran'; output: string };

export interface EnvironmentFacts {
  kubeconfig?: { choice: KubeconfigChoice; facts: KubeconfigFacts };
  /** --kube-context, when given. */
  requestedContext?: string;
  server?: ServerReach;
  /** How long the probe of the server may take in all, for the message. */
  probeSeconds?: number;
  helm?: { choice: HelmChoice; facts: HelmFacts };
}

export interface EnvironmentProblem {
  subject: 'kubeconfig' | 'context' | 'server' | 'credentials' | 'helm';
  message: string;
  fix: string;
}

function kubeconfigOrigin(choice: KubeconfigChoice): string {
  if (choice.origin === '--kubeconfig') return 'given with --kubeconfig';
  if (choice.origin === 'KUBECONFIG') return 'from the KUBECONFIG environment variable';
  return 'the default, as neither --kubeconfig nor KUBECONFIG is set';
}

function kubeconfigFix(choice: KubeconfigChoice): string {
  if (choice.origin === '--kubeconfig') return 'pass the path of an existing kubeconfig with --kubeconfig';
  if (choice.origin === 'KUBECONFIG') return 'set KUBECONFIG to an existing kubeconfig file, or pass one with --kubeconfig';
  return 'pass a kubeconfig file with --kubeconfig or set KUBECONFIG';
}

/** A server URL without any user:password part (a kubeconfig may carry one) or query. */
export function displayServer(server: string): string {
  // Not a URL: still no user:password part.
  return serverUrlWithoutCredentials(server) ?? server.replace(/\/\/[^/@]*@/, '//');
}

const quoteList = (names: readonly string[]) => (names.length ? names.map((n) => `'${n}'`).join(', ') : 'none');

function contextProblem(kubeconfig: KubeconfigChoice, facts: Extract<KubeconfigFacts, { state: 'loaded' }>, requested: string | undefined): EnvironmentProblem | undefined {
  const file = kubeconfig.path;
  const list = `it has ${facts.contexts.length === 1 ? 'one context' : `${facts.contexts.length} contexts`}: ${quoteList(facts.contexts)}`;
  if (requested !== undefined && !facts.contexts.includes(requested)) {
    return { subject: 'context', message: `context '${requested}' (given with --kube-context) is not in kubeconfig ${file}; ${list}`, fix: facts.contexts.length ? 'pass one of those with --kube-context' : `add the context to ${file}, or use another kubeconfig` };
  }
  const context = requested ?? facts.currentContext;
  if (requested === undefined && !context) {
    return { subject: 'context', message: `kubeconfig ${file} sets no current-context; ${list}`, fix: 'pass one with --kube-context, or run `kubectl config use-context NAME`' };
  }
  if (requested === undefined && !facts.contexts.includes(context)) {
    return { subject: 'context', message: `the current-context '${context}' of kubeconfig ${file} is not one of its contexts; ${list}`, fix: 'pass one of those with --kube-context, or run `kubectl config use-context NAME`' };
  }
  if (!facts.cluster) {
    return {
      subject: 'context',
      message: `context '${context}' of kubeconfig ${file} names ${facts.clusterName ? `cluster '${facts.clusterName}', which the file does not define` : 'no cluster'}`,
      fix: `add the cluster to ${file} or choose another context with --kube-context`,
    };
  }
  return undefined;
}

const NETWORK_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused (nothing listens at that address)',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
};

function serverProblem(reach: Extract<ServerReach, { reached: false }>, where: string, seconds: number): EnvironmentProblem {
  const fix = 'check that the cluster is running and that the context\'s server address is right, or choose another context with --kube-context';
  switch (reach.kind) {
    case 'timeout':
      return { subject: 'server', message: `the API server ${where} is unreachable: no answer to GET /version within ${seconds} s`, fix };
    case 'tls':
      return {
        subject: 'server',
        message: `the API server ${where} is unreachable: the TLS handshake failed (${reach.code ?? reach.detail ?? 'unknown reason'})`,
        fix: "check the cluster's certificate-authority in the kubeconfig, or that the server address is the cluster's",
      };
    case 'credentials':
      return { subject: 'credentials', message: `no credentials could be had for ${where}${reach.detail ? `: ${reach.detail}` : ''}`, fix: 'log in again (the kubeconfig user\'s exec plugin or token), or choose another context with --kube-context' };
    default: {
      const words = (reach.code && NETWORK_WORDS[reach.code]) ?? reach.detail ?? reach.code ?? 'unknown network error';
      return { subject: 'server', message: `the API server ${where} is unreachable: ${words}; GET /version was tried for ${seconds} s`, fix };
    }
  }
}

function kubeProblems(facts: EnvironmentFacts): EnvironmentProblem[] {
  const kubeconfig = facts.kubeconfig;
  if (!kubeconfig) return [];
  const { choice } = kubeconfig;
  const read = kubeconfig.facts;
  if (read.state === 'missing') {
    const message = choice.origin === 'default' ? `no kubeconfig: ${choice.path} does not exist (${kubeconfigOrigin(choice)})` : `kubeconfig ${choice.path} (${kubeconfigOrigin(choice)}) does not exist`;
    return [{ subject: 'kubeconfig', message, fix: kubeconfigFix(choice) }];
  }
  if (read.state === 'unreadable') return [{ subject: 'kubeconfig', message: `kubeconfig ${choice.path} (${kubeconfigOrigin(choice)}) cannot be read: ${read.reason}`, fix: kubeconfigFix(choice) }];
  if (read.state === 'invalid') return [{ subject: 'kubeconfig', message: `kubeconfig ${choice.path} (${kubeconfigOrigin(choice)}) is not a valid kubeconfig: ${read.reason}`, fix: `fix ${choice.path}, or use another kubeconfig (--kubeconfig or KUBECONFIG)` }];
  const context = contextProblem(choice, read, facts.requestedContext);
  if (context) return [context];
  const reach = facts.server;
  if (!reach || !read.cluster) return [];
  const contextName = facts.requestedContext ?? read.currentContext;
  const where = `${displayServer(read.cluster.server)} (context '${contextName}', cluster '${read.cluster.name}')`;
  if (!reach.reached) return [serverProblem(reach, where, facts.probeSeconds ?? 0)];
  if (reach.status === 401) {
    return [{ subject: 'credentials', message: `the API server ${where} rejected the credentials of user '${read.user ?? '(none)'}' (HTTP 401)`, fix: 'log in again or renew the token or certificate of that user, or choose another context with --kube-context' }];
  }
  return [];
}

/** Helm majors helmcycle drives (src/helm/argv.ts has their differences). */
const SUPPORTED_HELM_MAJORS = [3, 4];

function helmProblems(facts: EnvironmentFacts): EnvironmentProblem[] {
  if (!facts.helm) return [];
  const { choice, facts: ran } = facts.helm;
  const set = 'point --helm (or HELMCYCLE_HELM) at a Helm 3 or Helm 4 binary';
  const named = choice.origin === 'PATH' ? "'helm'" : `${choice.binary} (${choice.origin === '--helm' ? 'given with --helm' : 'from the HELMCYCLE_HELM environment variable'})`;
  if (ran.state === 'not-found') {
    const message = choice.origin === 'PATH' ? "helm binary 'helm' is not on PATH (neither --helm nor HELMCYCLE_HELM is set)" : `helm binary ${named} does not exist${choice.binary.includes('/') ? '' : ' on PATH'}`;
    return [{ subject: 'helm', message, fix: choice.origin === 'PATH' ? `install Helm 3 or 4 on PATH, or ${set}` : set }];
  }
  if (ran.state === 'not-executable') return [{ subject: 'helm', message: `helm binary ${named} is not executable`, fix: `make it executable (chmod +x), or ${set}` }];
  if (ran.state === 'failed') return [{ subject: 'helm', message: `helm binary ${named} failed to run \`helm version\`: ${ran.detail}`, fix: set }];
  const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(ran.output);
  if (!match) return [{ subject: 'helm', message: `${named} does not look like helm: \`version\` printed ${JSON.stringify(ran.output.trim().slice(0, 80))}`, fix: set }];
  if (!SUPPORTED_HELM_MAJORS.includes(Number(match[1]))) {
    return [{ subject: 'helm', message: `helm binary ${named} is ${match[0].startsWith('v') ? match[0] : `v${match[0]}`}, which helmcycle does not support: it drives Helm 3 and Helm 4`, fix: `install Helm 3 or 4 and ${set}` }];
  }
  return [];
}

/** Every problem of the environment, kubeconfig and server first; empty when the command may run. */
export function environmentProblems(facts: EnvironmentFacts): EnvironmentProblem[] {
  return [...kubeProblems(facts), ...helmProblems(facts)];
}

/** The error's text: one problem as a sentence and its fix; several as a list. */
export function describeProblems(problems: readonly EnvironmentProblem[]): { message: string; hint: string } {
  const unchanged = 'nothing was changed in the cluster';
  if (problems.length === 1) return { message: problems[0]!.message, hint: `${problems[0]!.fix}; ${unchanged}` };
  return {
    message: `${problems.length} problems with the environment:\n${problems.map((p) => `  - ${p.message}\n    fix: ${p.fix}`).join('\n')}`,
    hint: unchanged,
  };
}
