// CPU seconds, which a loaded machine inflates far less than wall time: a tool's whole process tree
// (run under /usr/bin/time, whose rusage counts every descendant its parent waited for: helm children
// of helmcycle and helmfile alike) and the local cluster's API server and etcd during that tool's step
// (utime + stime from /proc/<pid>/stat before and after). The cluster's pids are found from the
// kubeconfig's server port (the kube-apiserver process with that --secure-port) and the API server's
// --etcd-servers port (the etcd process that listens there).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type Options } from 'execa';

const TIME = '/usr/bin/time';
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU in these ticks (100 on every mainstream build). */
const TICKS_PER_SECOND = 100;

export function assertTimeInstalled(): void {
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: apt-get install -y time`);
}

/** A process's command line as its arguments ('' when it is gone). */
function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function pids(): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number);
}

/** user + system CPU seconds a running process has used so far (children not counted). */
export function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name and state.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export interface ClusterPids {
  apiserver: number;
  etcd: number;
}

/** The kube-apiserver serving the kubeconfig's port and the etcd it stores in. */
export function clusterPids(kubeconfig: string): ClusterPids {
  const port = /server:\s*https?:\/\/[^:\s]+:(\d+)/.exec(readFileSync(kubeconfig, 'utf8'))?.[1];
  if (!port) throw new Error(`no server port in ${kubeconfig}`);
  const all = pids().map((pid) => ({ pid, argv: commandLine(pid) }));
  const apiserver = all.find(({ argv }) => argv[0]?.endsWith('kube-apiserver') && argv.includes(`--secure-port=${port}`));
  if (!apiserver) throw new Error(`no kube-apiserver process serves port ${port}`);
  const etcdPort = /:(\d+)/.exec(apiserver.argv.find((a) => a.startsWith('--etcd-servers=')) ?? '')?.[1];
  const etcd = all.find(({ argv }) => argv[0]?.endsWith('etcd') && argv.some((a) => a.startsWith('--listen-client-urls=') && a.includes(`:${etcdPort}`)));
  if (!etcd) throw new Error(`no etcd process listens on port ${etcdPort}`);
  return { apiserver: apiserver.pid, etcd: etcd.pid };
}

/** What one step cost: wall seconds, the tool tree's CPU, the cluster's CPU, the tool's peak RSS. */
export interface StepCost {
  wall: number;
  toolCpu: number;
  apiserverCpu: number;
  etcdCpu: number;
  /** The largest resident set of any one process of the tree (KiB), as /usr/bin/time's %M. */
  maxRssKiB: number;
}

export const clusterCpu = (cost: StepCost) => cost.apiserverCpu + cost.etcdCpu;
export const totalCpu = (cost: StepCost) => cost.toolCpu + clusterCpu(cost);

/**
 * Runs one command of a step under /usr/bin/time and reads the cluster's CPU around it. A step of
 * several commands (the helm loop) adds their costs (addCosts).
 */
export async function measured(cluster: ClusterPids, file: string, args: string[], options: Options = {}): Promise<StepCost & { stdout: string; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-bench-time-'));
  const out = join(dir, 'time');
  try {
    const before = { api: processCpu(cluster.apiserver), etcd: processCpu(cluster.etcd) };
    const start = performance.now();
    const result = await execa(TIME, ['-f', '%U %S %M', '-o', out, file, ...args], { ...options, reject: false });
    const wall = (performance.now() - start) / 1000;
    const after = { api: processCpu(cluster.apiserver), etcd: processCpu(cluster.etcd) };
    if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.exitCode}:\n${String(result.stdout).slice(-1500)}\n${String(result.stderr).slice(-1500)}`);
    // time prints its figures on the last line (a killed command's note comes before it).
    const [user, system, rss] = (await readFile(out, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
    return { wall, toolCpu: user! + system!, apiserverCpu: after.api - before.api, etcdCpu: after.etcd - before.etcd, maxRssKiB: rss!, stdout: String(result.stdout), stderr: String(result.stderr) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function addCosts(costs: readonly StepCost[]): StepCost {
  const sum = (pick: (c: StepCost) => number) => costs.reduce((total, c) => total + pick(c), 0);
  return { wall: sum((c) => c.wall), toolCpu: sum((c) => c.toolCpu), apiserverCpu: sum((c) => c.apiserverCpu), etcdCpu: sum((c) => c.etcdCpu), maxRssKiB: Math.max(0, ...costs.map((c) => c.maxRssKiB)) };
}

/** The median of each figure over rounds (each figure on its own). */
export function medianCost(costs: readonly StepCost[]): StepCost {
  const mid = (pick: (c: StepCost) => number) => {
    const sorted = costs.map(pick).sort((a, b) => a - b);
    const m = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  };
  return { wall: mid((c) => c.wall), toolCpu: mid((c) => c.toolCpu), apiserverCpu: mid((c) => c.apiserverCpu), etcdCpu: mid((c) => c.etcdCpu), maxRssKiB: mid((c) => c.maxRssKiB) };
}
