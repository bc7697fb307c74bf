// `helmcycle reconcile` put together: the source, the loop, the leader election, the HTTP endpoints and
// the metrics, until the command's signal. A stop (SIGTERM, SIGINT) starts nothing new, lets the run in
// flight finish within the grace (then aborts it: helm is stopped cleanly and records the release as
// failed, never pending), hands the leader lease back, and returns 0.
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import { UsageError } from '../errors.js';
import type { HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import type { BackoffPolicy } from '../retry/transient.js';
import type { RunMasker } from '../secrets/sensitive.js';
import { GitSource, isGitSource } from './git-source.js';
import { LeaderElection } from './leader.js';
import { ReconcileLoop, realClock, type LoopClock } from './loop.js';
import { ReconcileMetrics } from './metrics.js';
import { applyReconcileStack, loadReconcileStack, type ReconcileStack } from './run-once.js';
import { listen } from './server.js';
import { FolderSource, type StackSource } from './source.js';
import { describeRun } from './run-log.js';
import { DriftWatch, releasesByNamespace } from './drift-watch.js';
import { declaredReleases } from '../stack/prune.js';
import type { ReconcileRun } from './types.js';

export interface ReconcileOptions {
  source: string;
  ref?: string | undefined;
  path?: string | undefined;
  intervalMs: number;
  listen?: string | undefined;
  prune: boolean;
  cacheDir: string;
  backoff: BackoffPolicy;
  /** Without: this process is the only one, and always applies. */
  leaderElection?: { name: string; namespace: string; leaseDurationMs: number } | undefined;
  graceMs: number;
  environment?: string | undefined;
  lockTimeoutMs: number;
  concurrency?: number | undefined;
  webhookToken?: string | undefined;
  helm: HelmClient;
  kube: KubeClient;
  masker: RunMasker;
  signal?: AbortSignal | undefined;
  log(line: string): void;
  clock?: LoopClock;
  /** Told each finished run (records, notifications). */
  onRun?(run: ReconcileRun, stack: ReconcileStack | undefined): void | Promise<void>;
}

export function sourceOf(options: Pick<ReconcileOptions, 'source' | 'ref' | 'path' | 'cacheDir'>): StackSource {
  if (isGitSource(options.source)) return new GitSource({ url: options.source, ref: options.ref, path: options.path, cacheDir: options.cacheDir });
  if (!existsSync(options.source) || !statSync(options.source).isDirectory()) throw new UsageError(`--source ${options.source} is neither a git URL nor a folder`, 'give a git URL (https://, ssh://, file://), a bare repository, or the folder of the stack');
  if (options.ref) throw new UsageError(`--ref ${options.ref} needs a git source; ${options.source} is a folder`, 'drop --ref, or give the repository as --source');
  return new FolderSource(options.source, options.path);
}

export async function reconcile(options: ReconcileOptions): Promise<number> {
  const clock = options.clock ?? realClock;
  const source = sourceOf(options);
  // A --path that leaves the source, or names no file, is bad input (exit 2) before anything starts; a
  // source that cannot be reached now may be reachable later: the loop keeps trying.
  try {
    await source.sync(options.signal);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    options.log(`reconcile: ${source.describe}: ${error instanceof Error ? error.message : String(error)} (tried again every interval)`);
  }
  const metrics = new ReconcileMetrics();
  let runs = new AbortController();
  let current: ReconcileStack | undefined;
  let drift: DriftWatch | undefined;
  const identity = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const election = options.leaderElection
    ? new LeaderElection({
        kube: options.kube, ...options.leaderElection, identity, clock, log: options.log,
        onChange: (leader) => {
          metrics.setLeader(leader);
          if (leader) loop.trigger('start');
          // Another replica may take over soon: this one must not be applying then.
          else { runs.abort(new Error('leadership lost')); runs = new AbortController(); }
        },
      })
    : undefined;
  if (!election) metrics.setLeader(true);
  const loop: ReconcileLoop<ReconcileStack> = new ReconcileLoop<ReconcileStack>({
    source,
    clock,
    intervalMs: options.intervalMs,
    backoff: options.backoff,
    isLeader: () => !election || election.leader,
    runSignal: () => runs.signal,
    load: async (file, revision) => {
      options.log(`reconcile: reading ${source.describe} at ${revision}`);
      current = await loadReconcileStack(file, { kube: options.kube, masker: options.masker, environment: options.environment });
      // The new stack's releases are watched for hand edits (drift-watch.ts); the old stack's no more.
      drift?.close();
      drift = new DriftWatch({
        kube: options.kube,
        releases: releasesByNamespace(declaredReleases(current.stack)),
        busy: () => loop.busy,
        onDrift: (object) => {
          options.log(`reconcile: ${object} changed by hand: running now`);
          metrics.driftDetected();
          loop.trigger('drift');
        },
      });
      drift.start();
      return current;
    },
    apply: (stack, only, _revision, signal) => applyReconcileStack(stack, only, signal, { helm: options.helm, kube: options.kube, masker: options.masker, prune: options.prune, lockTimeoutMs: options.lockTimeoutMs, concurrency: options.concurrency }),
    onRun: (run) => {
      metrics.record(run, (chart) => loop.failuresOf(chart));
      for (const line of describeRun(run)) options.log(options.masker.mask(line));
      void Promise.resolve(options.onRun?.(run, current)).catch((error: unknown) => options.log(`reconcile: recording the run failed: ${error instanceof Error ? error.message : String(error)}`));
    },
  });

  let server: Server | undefined;
  if (options.listen) {
    server = await listen(options.listen, {
      ready: () => {
        if (!loop.sourceRead && (!election || election.leader)) return { ready: false, reason: 'the source was not read yet' };
        if (election && !election.leader) return { ready: true, reason: 'follower' };
        return loop.firstRunDone ? { ready: true, reason: 'leader: first run done' } : { ready: false, reason: 'leader: first run not finished' };
      },
      metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
      trigger: () => loop.trigger('webhook'),
      webhookToken: options.webhookToken,
    });
    options.log(`reconcile: listening on ${options.listen}`);
  }

  let grace: NodeJS.Timeout | undefined;
  const stop = () => {
    options.log(`reconcile: stopping: no new run; the run in flight has ${Math.round(options.graceMs / 1000)}s to finish`);
    loop.stop();
    grace = setTimeout(() => runs.abort(new Error('stopped')), options.graceMs);
  };
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener('abort', stop, { once: true });
  options.log(`reconcile: ${source.describe}${options.path ? ` (${options.path})` : ''} every ${options.intervalMs / 1000}s${options.prune ? ', prune' : ''}${election ? `, leader election on lease ${options.leaderElection!.namespace}/${options.leaderElection!.name} as ${identity}` : ''}`);
  const electing = election?.run();
  try {
    await loop.run();
  } finally {
    if (grace) clearTimeout(grace);
    drift?.close();
    await election?.stop();
    await electing;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
  return 0;
}
