// helmcycle against helmfile and a sequential `helm upgrade --install --wait` loop, on the same web
// fixture charts from the loopback repository, with CPU seconds as the headline: each tool's whole
// process tree (helm children included, by /usr/bin/time) and the local cluster's kube-apiserver and
// etcd during that tool's step (/proc/<pid>/stat), per chart. A loaded machine stretches wall time, but
// hardly the CPU a piece of work needs; wall time is printed beside it.
//   steps: first apply of 20 independent charts; first apply of 50 charts in 5 dependency levels;
//          a no-change re-apply of the 50; the same with one chart's values changed
//   rounds: the tools take turns within each step, in an order that rotates from round to round, and
//           each tool's namespace is deleted (and waited for until gone) before the next tool starts
//   npm run bench [-- helm3|helm4|both [rounds]]
// helmcycle runs as a user runs it: the built command (dist/), concurrency 4; helmfile at --concurrency 4:
// `sync` for first applies (cheaper than its `apply`, which diffs first), `apply` (helm-diff) for the
// re-applies. Peer: HELMCYCLE_BENCH_HELMFILE=path/to/helmfile HELMCYCLE_BENCH_HELM_PLUGINS=folder-with-helm-diff
import { execa } from 'execa';
import { addCosts, assertTimeInstalled, clusterCpu, clusterPids, measured, medianCost, totalCpu, type ClusterPids, type StepCost } from './cpu.js';
import { helmfileCommand, helmfileFromEnv, writeHelmfile, type Helmfile } from './peers.js';
import { assertBuilt, BIN, deleteNamespace, layeredCharts, namespace, need, printTable, scratch, writeStack, type BenchChart } from './support.js';

assertBuilt();
assertTimeInstalled();
const which = process.argv[2] ?? 'helm4';
const rounds = Number(process.argv[3] ?? 2);
const repo = need('HELMCYCLE_CHART_REPO_URL');
const cluster = clusterPids(need('KUBECONFIG').split(':')[0]!);
const helms = [['helm3', need('HELMCYCLE_HELM3')], ['helm4', need('HELMCYCLE_HELM4')]].filter(([label]) => which === 'both' || which === label) as [string, string][];
const CONCURRENCY = 4;
const source = { repository: repo, version: '1.0.0' };
const dir = await scratch();
const created = new Set<string>();

/** One tool: its first apply of charts into a fresh namespace, and a re-apply of (changed) charts there. */
interface Tool {
  name: 'helmcycle' | 'helmfile' | 'helm loop';
  apply(space: string, charts: BenchChart[], first: boolean): Promise<StepCost>;
}

function helmcycleTool(helm: string): Tool {
  return {
    name: 'helmcycle',
    async apply(space, charts, first) {
      const file = await writeStack(dir, space, charts, source);
      const run = await measured(cluster, 'node', [BIN, '-c', file, '--helm', helm, '--concurrency', String(CONCURRENCY), '--output', 'json', 'apply'], { env: { CI: 'true' } });
      // The re-applies must do what they say: nothing, or only the one changed chart.
      const unchanged = run.stdout.split('\n').filter((l) => l.includes('"chart-finished"') && (JSON.parse(l) as { outcome?: string }).outcome === 'unchanged').length;
      const expected = first ? 0 : charts.filter((c) => !c.values).length;
      if (unchanged !== expected) throw new Error(`helmcycle left ${unchanged} of ${charts.length} charts unchanged, expected ${expected}`);
      return run;
    },
  };
}

function helmfileTool(peer: Helmfile, helm: string): Tool {
  return {
    name: 'helmfile',
    async apply(space, charts, first) {
      const file = await writeHelmfile(dir, space, charts, source);
      // Without helm-diff, helmfile cannot apply: its re-applies are syncs then (labelled in the output).
      const { args, env } = await helmfileCommand(peer, helm, file, first || !peer.plugins ? 'sync' : 'apply', CONCURRENCY, dir);
      return measured(cluster, peer.binary, args, { env });
    },
  };
}

function loopTool(helm: string): Tool {
  return {
    name: 'helm loop',
    async apply(space, charts) {
      const costs: StepCost[] = [];
      for (const chart of charts) {
        const values = Object.entries(chart.values ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
        costs.push(await measured(cluster, helm, ['upgrade', '--install', chart.name, 'web', '--repo', repo, '--version', '1.0.0', '--namespace', space, '--create-namespace', '--wait', '--timeout', '300s', ...values]));
      }
      return addCosts(costs);
    },
  };
}

/** Deletes the namespaces and waits until they are gone: a background delete slows the next tool. */
async function gone(...spaces: string[]): Promise<void> {
  await Promise.all(spaces.map((s) => deleteNamespace('kubectl', s, true)));
  for (const s of spaces) created.delete(s);
}

// HELMCYCLE_BENCH_CHARTS=few,many shrinks the stacks (a quick check of the bench itself); 20,50 by default.
const [FEW, MANY] = (process.env.HELMCYCLE_BENCH_CHARTS ?? '20,50').split(',').map(Number) as [number, number];
const STEPS = [`first apply, ${FEW} independent charts`, `first apply, ${MANY} charts in 5 levels`, `no-change re-apply, ${MANY} charts`, `one chart changed, re-apply of ${MANY}`];
type Step = string;
const CHARTS = (step: Step) => (step === STEPS[0] ? FEW : MANY);

/** One round of every step for one tool, in its own namespaces, deleted before the round ends. */
async function round(tool: Tool, label: string, costs: Map<string, StepCost[]>): Promise<void> {
  const note = (step: Step, cost: StepCost) => {
    const key = `${tool.name}\0${step}`;
    costs.set(key, [...(costs.get(key) ?? []), cost]);
    console.log(`  ${tool.name.padEnd(9)} ${step}: ${cost.wall.toFixed(1)} s wall, ${cost.toolCpu.toFixed(1)} s tool CPU, ${clusterCpu(cost).toFixed(1)} s cluster CPU`);
  };
  const tag = { helmcycle: 'hc', helmfile: 'hf', 'helm loop': 'hl' }[tool.name];
  const twenty = namespace(`bc20${tag}-${label}`);
  created.add(twenty);
  note(STEPS[0]!, await tool.apply(twenty, layeredCharts(FEW, 1), true));
  await gone(twenty);
  const fifty = namespace(`bc50${tag}-${label}`);
  created.add(fifty);
  const charts = layeredCharts(MANY, 5);
  note(STEPS[1]!, await tool.apply(fifty, charts, true));
  note(STEPS[2]!, await tool.apply(fifty, charts, false));
  // The last level's first chart: a change that needs no other chart to move.
  const last = MANY - Math.ceil(MANY / 5);
  const changed = charts.map((c, i) => (i === last ? { ...c, values: { message: `changed-${Date.now()}` } } : c));
  note(STEPS[3]!, await tool.apply(fifty, changed, false));
  await gone(fifty);
}

const perChart = (seconds: number, charts: number) => `${((seconds / charts) * 1000).toFixed(0)}`;
const ratio = (a: number, b: number | undefined) => (b && b > 0 ? `${(a / b).toFixed(2)}x` : '–');

console.log(`load before the run: ${(await execa('uptime')).stdout.trim()}; cluster pids: kube-apiserver ${cluster.apiserver}, etcd ${cluster.etcd}`);
try {
  for (const [label, binary] of helms) {
    const peer = helmfileFromEnv();
    if (!peer) console.log(`${label}: no helmfile binary (HELMCYCLE_BENCH_HELMFILE): helmfile columns left empty`);
    else if (!peer.plugins) console.log(`${label}: no helm-diff (HELMCYCLE_BENCH_HELM_PLUGINS): helmfile re-applies are syncs`);
    const tools = [helmcycleTool(binary), loopTool(binary), ...(peer ? [helmfileTool(peer, binary)] : [])];
    const costs = new Map<string, StepCost[]>();
    for (let r = 0; r < rounds; r++) {
      // The order rotates: no tool always runs first (after a quiet spell) or last.
      const order = tools.map((_, i) => tools[(i + r) % tools.length]!);
      console.log(`${label} round ${r + 1}/${rounds}: ${order.map((t) => t.name).join(', ')}`);
      for (const tool of order) await round(tool, label, costs);
    }
    const version = (await execa(binary, ['version', '--template', '{{.Version}}'])).stdout;
    const cell = (tool: Tool['name'], step: Step) => {
      const samples = costs.get(`${tool}\0${step}`);
      return samples ? medianCost(samples) : undefined;
    };
    const cpuRows: string[][] = [['step (median of rounds)', 'helmcycle CPU ms/chart (tool + API server + etcd)', 'helmfile', 'helm loop', 'helmcycle / helmfile', 'helmcycle / loop']];
    const wallRows: string[][] = [['step (median of rounds)', 'helmcycle wall s', 'helmfile', 'helm loop', 'helmcycle / helmfile', 'helmcycle / loop', 'helmcycle peak RSS']];
    for (const step of STEPS) {
      const n = CHARTS(step);
      const [hc, hf, hl] = [cell('helmcycle', step)!, cell('helmfile', step), cell('helm loop', step)!];
      const cpu = (c: StepCost | undefined) => (c ? `${perChart(totalCpu(c), n)} (${perChart(c.toolCpu, n)} + ${perChart(c.apiserverCpu, n)} + ${perChart(c.etcdCpu, n)})` : '–');
      cpuRows.push([step, cpu(hc), cpu(hf), cpu(hl), ratio(totalCpu(hc), hf && totalCpu(hf)), ratio(totalCpu(hc), totalCpu(hl))]);
      wallRows.push([step, hc.wall.toFixed(2), hf ? hf.wall.toFixed(2) : '–', hl.wall.toFixed(2), ratio(hc.wall, hf?.wall), ratio(hc.wall, hl.wall), `${(hc.maxRssKiB / 1024).toFixed(0)} MiB`]);
    }
    console.log(`\n${label} (${version}), web fixture chart, concurrency ${CONCURRENCY}, ${rounds} rounds, CPU milliseconds per chart:`);
    printTable(cpuRows);
    console.log('\nwall time of the same steps:');
    printTable(wallRows);
  }
  console.log(`\nload after the run: ${(await execa('uptime')).stdout.trim()}`);
} finally {
  // Whatever a failed step left behind.
  for (const space of created) await deleteNamespace('kubectl', space, true);
}
