// What observing deploys costs, polled (a LIST of each kind every 2 s) and watched (list-then-watch per
// kind), side by side in one run on the same namespace of N web releases (Helm 4 installs them):
//   - idle: N releases subscribed for S seconds while nothing changes: requests, this process's CPU;
//   - changes: R rollouts (a pod template annotation patched): requests, CPU, and how soon the
//     observation shows the Deployment's new generation;
//   - a crash loop: a rollout to a pod kwok makes crash-loop (3 s after it starts): how soon the
//     observation shows it as one waiting will not heal, which is when fail-fast's settle time starts.
// With --expose-gc, garbage is collected before each window, so that one mode's (a poll's parsed lists)
// is not collected in the other's.
//   set -a; . <cluster env>; set +a; node --expose-gc --import tsx bench/deploy-observer.ts [releases=10] [seconds=20] [rollouts=4]
import { execa } from 'execa';
import { createClients } from '../src/clients.js';
import type { DeployObservation } from '../src/kube/deploy-observation.js';
import { NamespaceObserver, type ReleaseSubscription } from '../src/kube/namespace-observer.js';
import type { KubeClient } from '../src/kube/types.js';
import { median, namespace, need, printTable } from './support.js';

const releases = Number(process.argv[2] ?? 10);
const idleSeconds = Number(process.argv[3] ?? 20);
const rollouts = Number(process.argv[4] ?? 4);
const binary = need('HELMCYCLE_HELM4');
const { kube } = createClients({ helmBinary: binary });
const chart = 'test/fixtures/charts/web';
const ns = namespace('bench-observer');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The web chart's Deployment of release `web<i>`. */
const deploymentOf = (i: number) => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: `web${i}-web` });

function generationSeen(observation: DeployObservation, name: string): number {
  return observation.workloads.find((w) => w.name === name)?.generations.at(-1)?.state.generation ?? 0;
}

const allReady = (observation: DeployObservation) => observation.workloads.length > 0 && observation.workloads.every((w) => w.generations.at(-1)?.state.ready);

/** Resolves with the ms from `since` until `seen` holds for the observation (checked on each view handed). */
function whenSeen(watchers: Set<() => void>, subscription: ReleaseSubscription, seen: (o: DeployObservation) => boolean, since: number, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { watchers.delete(check); reject(new Error('not seen in time')); }, timeoutMs);
    const check = () => {
      if (!seen(subscription.current())) return;
      clearTimeout(timer);
      watchers.delete(check);
      resolve(performance.now() - since);
    };
    watchers.add(check);
    check();
  });
}

/** A merge patch of the pod template: a rollout (a new ReplicaSet, a new pod, the old one deleted). */
async function rollOut(client: KubeClient, i: number, labels: Record<string, string | null>, round: string): Promise<number> {
  const patched = await client.patchObject(deploymentOf(i), { spec: { template: { metadata: { labels, annotations: { 'bench/round': round } } } } });
  return patched.metadata.generation ?? 0;
}

interface Row { mode: string; phase: string; seconds: number; requests: number; events: number; views: number; cpuMs: number; seenMs: number[] }

async function measure(mode: 'poll' | 'watch'): Promise<Row[]> {
  const observer = new NamespaceObserver(kube, ns, { mode });
  const watchers = new Set<() => void>();
  const subscriptions = Array.from({ length: releases }, (_, i) => observer.subscribe(`web${i}`, () => { for (const check of [...watchers]) check(); }));
  await whenSeen(watchers, subscriptions[0]!, allReady, performance.now());
  const rows: Row[] = [];
  const window = async (phase: string, run: () => Promise<number[]>) => {
    (globalThis as { gc?: () => void }).gc?.();
    const before = { ...observer.stats };
    const cpu = process.cpuUsage();
    const started = performance.now();
    const seenMs = await run();
    const used = process.cpuUsage(cpu);
    rows.push({
      mode, phase, seconds: (performance.now() - started) / 1000, seenMs,
      requests: observer.stats.requests - before.requests, events: observer.stats.events - before.events, views: observer.stats.reads - before.reads,
      cpuMs: (used.user + used.system) / 1000,
    });
  };

  await window('idle', async () => {
    await sleep(idleSeconds * 1000);
    return [];
  });
  await window('rollouts', async () => {
    const latencies: number[] = [];
    for (let round = 0; round < rollouts; round++) {
      const i = round % releases;
      // At a random moment: a change does not wait for the next poll the same time each round.
      await sleep(Math.random() * 2000);
      const since = performance.now();
      const generation = await rollOut(kube, i, {}, `${mode}-${round}`);
      latencies.push(await whenSeen(watchers, subscriptions[i]!, (o) => generationSeen(o, `web${i}-web`) >= generation, since));
      await whenSeen(watchers, subscriptions[i]!, allReady, since);
    }
    return latencies;
  });
  await window('crash loop', async () => {
    const i = releases - 1;
    const since = performance.now();
    await rollOut(kube, i, { 'helmcycle.dev/fake-behavior': 'crash-loop' }, `${mode}-crash`);
    const ms = await whenSeen(watchers, subscriptions[i]!, (o) => o.pods.some((p) => p.present && !p.preexisting && p.hopeless), since);
    // Back to a healthy pod for the next mode.
    await rollOut(kube, i, { 'helmcycle.dev/fake-behavior': null }, `${mode}-healed`);
    await whenSeen(watchers, subscriptions[i]!, (o) => allReady(o) && !o.pods.some((p) => p.present && p.hopeless), performance.now());
    return [ms];
  });
  for (const subscription of subscriptions) subscription.close();
  return rows;
}

await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
try {
  for (let i = 0; i < releases; i++) await execa(binary, ['upgrade', '--install', `web${i}`, chart, '--namespace', ns, '--set', 'message=v1']);
  // The observers' timers and sockets are unref'd (a forgotten subscription must not hold a process open).
  const keepAlive = setInterval(() => {}, 1000);
  // Settled after the installs: what the process costs with nothing observed, for reference.
  await sleep(3000);
  (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  await sleep(idleSeconds * 1000);
  const used = process.cpuUsage(cpu);
  const rows: Row[] = [{ mode: 'none', phase: 'idle', seconds: idleSeconds, requests: 0, events: 0, views: 0, cpuMs: (used.user + used.system) / 1000, seenMs: [] }];
  // Twice each, in the order poll, watch, watch, poll: what comes first or last (a warm JIT, a busy
  // neighbour) weighs on both alike.
  for (const mode of ['poll', 'watch', 'watch', 'poll'] as const) rows.push(...(await measure(mode)));
  clearInterval(keepAlive);
  const totals = new Map<string, Row>();
  for (const row of rows) {
    const key = `${row.mode}|${row.phase}`;
    const total = totals.get(key);
    if (!total) totals.set(key, { ...row, seenMs: [...row.seenMs] });
    else Object.assign(total, { seconds: total.seconds + row.seconds, requests: total.requests + row.requests, events: total.events + row.events, views: total.views + row.views, cpuMs: total.cpuMs + row.cpuMs, seenMs: [...total.seenMs, ...row.seenMs] });
  }
  const seen = (row: Row) => {
    if (row.seenMs.length === 0) return '–';
    const what = row.phase === 'rollouts' ? 'new generation' : 'crash loop (kwok: 3 s after the pod starts)';
    return `${what}: median ${(median(row.seenMs) / 1000).toFixed(2)} s, max ${(Math.max(...row.seenMs) / 1000).toFixed(2)} s (${row.seenMs.length})`;
  };
  console.log(`namespace ${ns}: ${releases} web releases (a Deployment, a ReplicaSet, a pod each), all subscribed to one observer; ${rollouts} rollouts a run, two runs a mode:`);
  printTable([
    ['mode', 'phase', 'seconds', 'requests', 'requests/s', 'watch events', 'views handed', 'CPU ms', 'CPU % of a core', 'seen after the change'],
    ...[...totals.values()].map((r) => [r.mode, r.phase, r.seconds.toFixed(1), r.requests, (r.requests / r.seconds).toFixed(2), r.events, r.views, r.cpuMs.toFixed(0), ((r.cpuMs / (r.seconds * 1000)) * 100).toFixed(2), seen(r)]),
  ]);
} finally {
  await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: ns });
}
