// `helmcycle reconcile`: keeps the cluster as a stack in a git repository (or a folder) says, running
// the normal apply on every source change, every --interval and on demand (webhook), until SIGTERM.
// The loop and everything it uses live in src/reconcile/; this file reads the flags.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDuration } from '../global-options.js';
import type { CommandContext, CommandHost } from '../command-context.js';

export interface ReconcileFlags {
  source: string;
  ref?: string;
  path?: string;
  interval: number;
  listen?: string;
  prune?: boolean;
  cacheDir?: string;
  leaderElection: boolean;
  leaseName: string;
  leaseNamespace: string;
  leaseDuration: number;
  grace: number;
  maxBackoff: number;
  webhookTokenFile?: string;
  notifyUrl?: string;
  notifyUrlFile?: string;
}

const atLeastOne = (value: string) => {
  const seconds = parseDuration(value);
  if (seconds < 1) throw new InvalidArgumentError('expected at least 1s');
  return seconds;
};

export function register(program: Command, host: CommandHost): void {
  program
    .command('reconcile')
    .description('keep the cluster as the stack in a git repository or folder says: apply on every change, every --interval, and when drift is found')
    .requiredOption('--source <git URL or folder>', 'where the stack is: a git URL (https://, ssh://, file://), a bare repository, or a folder')
    .option('--ref <branch or tag>', 'the branch or tag to follow (git; default: the remote HEAD)')
    .option('--path <file>', 'the stack file inside the source (default helmcycle.yaml); refused when it leaves the source')
    .option('--interval <duration>', 'apply at least this often (e.g. 30s, 1m); a failing chart is retried sooner, with backoff', atLeastOne, 60)
    .option('--listen <host:port>', 'serve /healthz, /readyz, /metrics and POST /hooks/source here (e.g. 127.0.0.1:8080)')
    .option('--prune', 'uninstall the releases this stack deployed that are no longer in it (as apply --prune)')
    .option('--cache-dir <dir>', 'where git checkouts are kept (default $XDG_CACHE_HOME/helmcycle/reconcile)')
    .option('--no-leader-election', 'apply without a leader lease (one replica only)')
    .option('--lease-name <name>', 'the coordination.k8s.io Lease replicas elect a leader with', 'helmcycle-reconcile')
    .option('--lease-namespace <ns>', 'its namespace', 'default')
    .option('--lease-duration <duration>', 'a dead leader is replaced after this long', atLeastOne, 15)
    .option('--grace <duration>', 'on SIGTERM, how long the run in flight may take to finish before it is cancelled', parseDuration, 25)
    .option('--max-backoff <duration>', 'the longest wait before a failing chart is tried again', atLeastOne, 300)
    .option('--webhook-token-file <file>', 'POST /hooks/source must bring this token (X-Helmcycle-Token or Authorization: Bearer)')
    .option('--notify-url <url>', 'POST a JSON message (Slack-compatible text) for each failed or changed run')
    .option('--notify-url-file <file>', 'the same, the URL read from a file (a Slack webhook URL is a secret: keep it off the command line)')
    .action((flags: ReconcileFlags) => host.setResult(runReconcile(host.context(), flags)));
}

async function runReconcile(ctx: CommandContext, flags: ReconcileFlags): Promise<number> {
  const { options, io } = ctx;
  await ctx.checkEnvironment('cluster');
  const [{ reconcile }, { createClients }, { readFile }, { withRecords }] = await Promise.all([import('../../reconcile/reconciler.js'), import('../../clients.js'), import('node:fs/promises'), import('../../reconcile/records.js')]);
  // A long-lived process: every question reads the release records afresh ('live'), never a run's snapshot.
  const { helm, kube } = createClients({
    releaseView: 'live',
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.kubeContext ? { kubeContext: options.kubeContext } : {}),
    ...(options.helm ? { helmBinary: options.helm } : {}),
    ...(options.debug ? { debug: ctx.debugLine } : {}),
  });
  const cwd = io.cwd ?? process.cwd();
  const source = /^[a-z][a-z0-9+.-]*:\/\//i.test(flags.source) || /^[^/\s]+@[^:\s]+:/.test(flags.source) ? flags.source : resolve(cwd, flags.source);
  const webhookToken = flags.webhookTokenFile ? (await readFile(resolve(cwd, flags.webhookTokenFile), 'utf8')).trim() : undefined;
  const notifyUrl = flags.notifyUrlFile ? (await readFile(resolve(cwd, flags.notifyUrlFile), 'utf8')).trim() : flags.notifyUrl;
  const log = (line: string) => io.stdout(`${new Date().toISOString()} ${line}\n`);
  return reconcile({
    source,
    ref: flags.ref,
    path: flags.path,
    intervalMs: flags.interval * 1000,
    listen: flags.listen,
    prune: flags.prune ?? false,
    cacheDir: resolve(cwd, flags.cacheDir ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'helmcycle', 'reconcile')),
    backoff: { initialMs: Math.min(flags.interval * 1000, 5_000), factor: 2, maxMs: flags.maxBackoff * 1000, jitter: 0 },
    ...(flags.leaderElection ? { leaderElection: { name: flags.leaseName, namespace: flags.leaseNamespace, leaseDurationMs: flags.leaseDuration * 1000 } } : {}),
    graceMs: flags.grace * 1000,
    environment: options.env,
    lockTimeoutMs: options.lockTimeout * 1000,
    concurrency: options.concurrency,
    webhookToken,
    helm,
    kube,
    masker: ctx.masker,
    signal: io.signal,
    log,
    onRun: withRecords({ kube, masker: ctx.masker, notifyUrl, log }),
  });
}
