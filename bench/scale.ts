// How helmcycle's cost grows with the stack: N independent charts of the smallest fixture chart (settings:
// one ConfigMap) in one namespace, for each N given (20 200 1000 by default): the first apply, then a
// no-change apply, a plan and a status of the converged stack (the median of `repeats` runs each), each
// as a user runs it (the built command, a process per command, concurrency 4), with wall time, the
// command's CPU (its process tree, by /usr/bin/time), the API server's and etcd's CPU during it, and
// the command's peak memory (max RSS). The namespace is deleted, and waited for, before the next N.
//   npm run bench:scale [-- 20 200 1000]      HELMCYCLE_BENCH_REPEATS=3
//   HELMCYCLE_BENCH_KEEP=1 leaves the last stack installed (for profiling; delete its namespace after)
import { execa } from 'execa';
import { assertTimeInstalled, clusterCpu, clusterPids, measured, medianCost, type StepCost } from './cpu.js';
import { assertBuilt, BIN, deleteNamespace, layeredCharts, namespace, need, printTable, scratch, writeStack } from './support.js';

assertBuilt();
assertTimeInstalled();
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (sizes.length === 0) sizes.push(20, 200, 1000);
const repeats = Number(process.env.HELMCYCLE_BENCH_REPEATS ?? 3);
const keep = Boolean(process.env.HELMCYCLE_BENCH_KEEP);
const helm = need('HELMCYCLE_HELM4');
const cluster = clusterPids(need('KUBECONFIG').split(':')[0]!);
const source = { repository: need('HELMCYCLE_CHART_REPO_URL'), version: '1.0.0', chart: 'settings' };
const dir = await scratch();
const CONCURRENCY = 4;

/** One helmcycle command on the stack; `expect` checks what its output must say. */
async function command(file: string, verb: string[], expect: (stdout: string) => string | undefined): Promise<StepCost> {
  const run = await measured(cluster, 'node', [BIN, '-c', file, '--helm', helm, '--concurrency', String(CONCURRENCY), '--output', 'json', ...verb], { env: { CI: 'true' } });
  const problem = expect(run.stdout);
  if (problem) throw new Error(`helmcycle ${verb.join(' ')}: ${problem}`);
  return run;
}

const finished = (stdout: string, outcome: string) => stdout.split('\n').filter((l) => l.includes('"chart-finished"') && (JSON.parse(l) as { outcome?: string }).outcome === outcome).length;

const rows: string[][] = [['charts', 'command', 'wall s', 'helmcycle CPU s', 'API server + etcd CPU s', 'wall ms/chart', 'CPU ms/chart (helmcycle + cluster)', 'peak RSS MiB']];
function row(n: number, name: string, cost: StepCost): void {
  const per = (s: number) => ((s / n) * 1000).toFixed(1);
  rows.push([String(n), name, cost.wall.toFixed(2), cost.toolCpu.toFixed(2), clusterCpu(cost).toFixed(2), per(cost.wall), `${per(cost.toolCpu + clusterCpu(cost))} (${per(cost.toolCpu)} + ${per(clusterCpu(cost))})`, (cost.maxRssKiB / 1024).toFixed(0)]);
  console.log(`  ${n} charts, ${name}: ${cost.wall.toFixed(2)} s wall, ${cost.toolCpu.toFixed(2)} s CPU, ${(cost.maxRssKiB / 1024).toFixed(0)} MiB`);
}

console.log(`load before the run: ${(await execa('uptime')).stdout.trim()}; helm ${(await execa(helm, ['version', '--template', '{{.Version}}'])).stdout}`);
for (const n of sizes) {
  const space = namespace(`bscale${n}`);
  try {
    const file = await writeStack(dir, space, layeredCharts(n, 1), source);
    row(n, 'first apply', await command(file, ['apply'], (out) => (finished(out, 'installed') === n ? undefined : `${finished(out, 'installed')} of ${n} installed`)));
    const again: StepCost[] = [];
    const plans: StepCost[] = [];
    const statuses: StepCost[] = [];
    // Interleaved, so a busy spell of the machine hurts the three alike.
    for (let i = 0; i < repeats; i++) {
      again.push(await command(file, ['apply'], (out) => (finished(out, 'unchanged') === n ? undefined : `${finished(out, 'unchanged')} of ${n} unchanged`)));
      plans.push(await command(file, ['plan'], () => undefined));
      statuses.push(await command(file, ['status'], () => undefined));
    }
    row(n, `no-change apply (median of ${repeats})`, medianCost(again));
    row(n, `plan (median of ${repeats})`, medianCost(plans));
    row(n, `status (median of ${repeats})`, medianCost(statuses));
  } finally {
    if (!keep || n !== sizes.at(-1)) await deleteNamespace('kubectl', space, true);
    else console.log(`kept ${space}: kubectl delete namespace ${space}`);
  }
}
console.log(`load after the run: ${(await execa('uptime')).stdout.trim()}`);
printTable(rows);
