// What observing a deploy costs: one namespace read (the release's workloads and pods) in requests,
// wall time and this process's CPU time, with 1 and with N releases subscribed to the same namespace;
// and a helm upgrade's wall time with and without the observer running beside it. Helm 4.
//   set -a; . <cluster env>; set +a; node --import tsx bench/deploy-observer.ts [releases] [reads] [upgrade rounds]
import { execa } from 'execa';
import { createClients } from '../src/clients.js';
import { NamespaceObserver, observeRelease } from '../src/kube/namespace-observer.js';
import { median, namespace, need, printTable } from './support.js';

const releases = Number(process.argv[2] ?? 10);
const reads = Number(process.argv[3] ?? 30);
const rounds = Number(process.argv[4] ?? 6);
const binary = need('HELMCYCLE_HELM4');
const { kube } = createClients({ helmBinary: binary });
const chart = 'test/fixtures/charts/web';
const ns = namespace('bench-observer');

const helm = (args: string[]) => execa(binary, [...args, '--namespace', ns]);
const upgrade = (release: string, message: string) => helm(['upgrade', '--install', release, chart, '--set', `message=${message}`, '--wait', '--timeout', '120s']);

// The observer's timer is unref'd (a forgotten subscription must not hold a process open): while the
// bench awaits a read, this holds it.
const keepAlive = setInterval(() => {}, 1000);
await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
try {
  for (let i = 0; i < releases; i++) await upgrade(`web${i}`, 'v1');

  const rows: (string | number)[][] = [['releases subscribed', 'requests/read', 'wall ms/read (median)', 'CPU ms/read (this process)', 'CPU % of a core at 1 read/s']];
  for (const subscribed of [1, releases]) {
    const observer = new NamespaceObserver(kube, ns, { intervalMs: 3_600_000 });
    const subscriptions = Array.from({ length: subscribed }, (_, i) => observer.subscribe(`web${i}`));
    await observer.nextRead();
    const requestsBefore = observer.stats.requests;
    const wall: number[] = [];
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < reads; i++) {
      const started = performance.now();
      await observer.readOnce();
      wall.push(performance.now() - started);
    }
    const cpu = process.cpuUsage(cpuStart);
    const perRead = (observer.stats.requests - requestsBefore) / reads;
    const observed = subscriptions.map((s) => s.close());
    if (observed.some((o) => o.workloads.length !== 1 || o.pods.length !== 1)) throw new Error('each release should show its Deployment and its pod');
    const cpuMs = (cpu.user + cpu.system) / 1000 / reads;
    rows.push([subscribed, perRead.toFixed(1), median(wall).toFixed(1), cpuMs.toFixed(1), (cpuMs / 10).toFixed(1)]);
  }
  console.log(`namespace ${ns}: ${releases} web releases (a Deployment, a ReplicaSet, a pod each), ${reads} reads per row:`);
  printTable(rows);

  // A helm upgrade with the observer beside it, and without, alternating which goes first.
  const times = { with: [] as number[], without: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 ? (['with', 'without'] as const) : (['without', 'with'] as const)) {
      const subscription = mode === 'with' ? observeRelease(kube, { release: 'web0', namespace: ns }) : undefined;
      const started = performance.now();
      await upgrade('web0', `${mode}-${round}`);
      times[mode].push(performance.now() - started);
      subscription?.close();
    }
  }
  console.log(`helm 4 upgrade --wait of one web release, median of ${rounds}:`);
  printTable([['observer', 'wall s'], ['off', (median(times.without) / 1000).toFixed(2)], ['on', (median(times.with) / 1000).toFixed(2)]]);
} finally {
  clearInterval(keepAlive);
  await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: ns });
}
