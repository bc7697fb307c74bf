// helmcycle reconcile's cost: a 50-chart stack in a local bare git repository, converged, then watched
// for a window with nothing to do (CPU seconds per minute of the process and its helm children, API
// requests per minute, helm starts per minute, resident memory), and the time from a commit that
// changes one chart's value to that value in the cluster. API requests are counted by the API server
// itself: reconcile runs as a ServiceAccount whose requests a FlowSchema of their own classifies
// (apiserver_flowcontrol_dispatched_requests_total), so nothing else on the cluster is counted.
//   HELMCYCLE_BENCH_CHARTS (50), HELMCYCLE_BENCH_WINDOW seconds (60), HELMCYCLE_BENCH_INTERVAL (30s)
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createClients } from '../src/clients.js';
import { BIN, countingHelm, deleteNamespace, namespace, need, printTable, scratch } from './support.js';

const run = promisify(execFile);
const CHARTS = Number(process.env.HELMCYCLE_BENCH_CHARTS ?? 50);
const WINDOW_S = Number(process.env.HELMCYCLE_BENCH_WINDOW ?? 60);
const INTERVAL = process.env.HELMCYCLE_BENCH_INTERVAL ?? '30s';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const repo = need('HELMCYCLE_CHART_REPO_URL');
const helmBinary = need('HELMCYCLE_HELM3');
const { kube } = createClients();
const ns = namespace('bench-reconcile');
const dir = await scratch();
const kubectl = 'kubectl';

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(200);
  }
}

const stackYaml = (message: string) => [
  `name: bench-reconcile-${ns}`,
  `defaults: { namespace: ${ns}, createNamespace: true, timeoutSeconds: 300 }`,
  'charts:',
  ...Array.from({ length: CHARTS }, (_, i) => `  - { name: web-${i}, chart: web, repository: "${repo}", version: "1.0.0", set: { replicaCount: 0, message: "${i === 0 ? message : 'steady'}" } }`),
].join('\n') + '\n';

// The source: a bare repository and a work tree that commits to it.
const bare = join(dir, 'stack.git');
const work = join(dir, 'work');
const git = (...args: string[]) => run('git', ['-C', work, ...args]);
await run('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', bare]);
await run('git', ['init', '--quiet', '--initial-branch', 'main', work]);
await git('config', 'user.email', 'bench@example.com');
await git('config', 'user.name', 'bench');
const commit = async (message: string) => {
  await writeFile(join(work, 'helmcycle.yaml'), stackYaml(message));
  await git('add', '.');
  await git('commit', '--quiet', '-m', message);
  await git('push', '--quiet', bare, 'HEAD:main');
};
await commit('one');

// Its own identity, so the API server counts its requests apart.
const sa = 'helmcycle-bench';
await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
await kube.createObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: ns } });
const binding = `${ns}-admin`;
await kube.createObject({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: binding }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }] } as never);
const flowSchema = `helmcycle-bench-${ns}`;
await kube.createObject({
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: flowSchema },
  spec: { matchingPrecedence: 100, priorityLevelConfiguration: { name: 'workload-low' }, distinguisherMethod: { type: 'ByUser' }, rules: [{ subjects: [{ kind: 'ServiceAccount', serviceAccount: { name: sa, namespace: ns } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }] },
} as never);
const admin = new KubeConfig();
admin.loadFromDefault();
const token = (await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({ name: sa, namespace: ns, body: { spec: { audiences: [], expirationSeconds: 3_600 } } })).status!.token!;
const cluster = admin.getCurrentCluster()!;
const asSa = new KubeConfig();
asSa.loadFromOptions({ clusters: [cluster], users: [{ name: sa, token }], contexts: [{ name: sa, cluster: cluster.name, user: sa }], currentContext: sa });
const kubeconfig = join(dir, 'kubeconfig');
await writeFile(kubeconfig, asSa.exportConfig(), { mode: 0o600 });

async function requestsSoFar(): Promise<number> {
  const { stdout } = await run(kubectl, ['get', '--raw', '/metrics'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter((l) => l.startsWith('apiserver_flowcontrol_dispatched_requests_total{') && l.includes(`flow_schema="${flowSchema}"`)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/** CPU seconds of the process and the children it waited for (helm, git), from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  // utime stime cutime cstime: fields 14-17 of stat, 12-15 after the comm field.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100;
}

const helm = await countingHelm(dir, helmBinary, 'helm3');
const port = 30_000 + Math.floor(Math.random() * 10_000);
const child = spawn(process.execPath, [BIN, 'reconcile', '--kubeconfig', kubeconfig, '--helm', helm.path, '--source', bare, '--ref', 'main', '--interval', INTERVAL, '--listen', `127.0.0.1:${port}`, '--cache-dir', join(dir, 'cache'), '--lease-name', `bench-${ns}`, '--lease-namespace', ns], { stdio: ['ignore', 'pipe', 'inherit'] });
let log = '';
child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
const metric = (text: string, name: string) => Number(text.split('\n').find((l) => l.startsWith(name))?.split(' ').pop() ?? NaN);

try {
  const started = Date.now();
  await until('the first run', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 20 * 60_000);
  const convergeS = (Date.now() - started) / 1000;
  // One more run with nothing to do, so the window starts converged.
  await sleep(2_000);

  const cpu0 = await cpuSeconds(child.pid!);
  const req0 = await requestsSoFar();
  await helm.reset();
  const runs0 = metric(await metrics(), 'helmcycle_reconcile_runs_total{trigger="interval",outcome="succeeded"}') || 0;
  await sleep(WINDOW_S * 1000);
  const text = await metrics();
  const minutes = WINDOW_S / 60;
  const cpu = (await cpuSeconds(child.pid!)) - cpu0;
  const requests = (await requestsSoFar()) - req0;
  const helmStarts = await helm.count();
  const runs = (metric(text, 'helmcycle_reconcile_runs_total{trigger="interval",outcome="succeeded"}') || 0) - runs0;
  const rssMiB = metric(text, 'helmcycle_process_resident_memory_bytes') / 1024 / 1024;

  // A commit that changes one chart's value: the time until the cluster has it, with the webhook and without.
  const timeToApplied = async (message: string, hook: boolean) => {
    const t0 = Date.now();
    await commit(message);
    if (hook) await fetch(`http://127.0.0.1:${port}/hooks/source`, { method: 'POST' });
    await until(`${message} applied`, async () => ((await kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'web-0-web' }))?.data as Record<string, string> | undefined)?.message === message, 10 * 60_000);
    return (Date.now() - t0) / 1000;
  };
  const withHook = await timeToApplied('two', true);
  const byPolling = await timeToApplied('three', false);

  console.log(`\nhelmcycle reconcile, ${CHARTS} charts converged (first run ${convergeS.toFixed(1)} s), --interval ${INTERVAL}, a ${WINDOW_S} s window with nothing to do (${runs} runs):\n`);
  printTable([
    ['figure', 'value'],
    ['CPU seconds per minute (process + helm children)', (cpu / minutes).toFixed(2)],
    ['API requests per minute', (requests / minutes).toFixed(0)],
    ['helm processes per minute', (helmStarts / minutes).toFixed(1)],
    ['resident memory (MiB)', rssMiB.toFixed(0)],
    ['commit to applied, webhook (s)', withHook.toFixed(1)],
    [`commit to applied, polling every ${INTERVAL} (s)`, byPolling.toFixed(1)],
  ]);
} catch (error) {
  console.error(log);
  throw error;
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await kube.deleteObject({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', name: flowSchema }).catch(() => undefined);
  await kube.deleteObject({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: binding }).catch(() => undefined);
  await kube.deleteObject({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: `helmcycle-inventory.bench-reconcile-${ns}` }).catch(() => undefined);
  await deleteNamespace(kubectl, ns);
}
