// What helmcycle adds around helm, in wall time, against a sequential `helm upgrade --install --wait`
// loop on the web fixture chart from the loopback repository, with Helm 3 and Helm 4: start-up (--help),
// one chart's first apply, the per-chart slope of a one-at-a-time apply, and a repository whose index
// lists 10,000 versions. helmcycle runs as a user runs it: the built command (dist/), one process per
// command. The comparison with helmfile, in CPU seconds, is bench/compare.ts.
//   npm run bench:overhead [-- helm3|helm4|both]
import { execa } from 'execa';
import { bigIndex, realDigest, serveIndex } from './big-index.js';
import { assertBuilt, deleteNamespace, helmcycle, layeredCharts, median, namespace, need, printTable, scratch, seconds, writeStack, type BenchChart } from './support.js';

assertBuilt();
const which = process.argv[2] ?? 'both';
const repo = need('HELMCYCLE_CHART_REPO_URL');
const helms = [['helm3', need('HELMCYCLE_HELM3')], ['helm4', need('HELMCYCLE_HELM4')]].filter(([label]) => which === 'both' || which === label) as [string, string][];
const CONCURRENCY = 4;
const source = { repository: repo, version: '1.0.0' };
const dir = await scratch();
const created: string[] = [];
const ns = (prefix: string) => {
  const name = namespace(prefix);
  created.push(name);
  return name;
};

async function helmLoop(binary: string, charts: BenchChart[], space: string, repository = repo): Promise<number> {
  const start = performance.now();
  for (const chart of charts) {
    await execa(binary, ['upgrade', '--install', chart.name, 'web', '--repo', repository, '--version', '1.0.0', '--namespace', space, '--create-namespace', '--wait', '--timeout', '300s']);
  }
  return performance.now() - start;
}

async function apply(helm: string, file: string) {
  return helmcycle(['-c', file, '--helm', helm, '--concurrency', String(CONCURRENCY), '--output', 'json', 'apply']);
}

/** How many charts an apply left unchanged (from its JSON lines). */
function unchanged(stdout: string): number {
  return stdout.split('\n').filter((line) => line.includes('"chart-finished"') && (JSON.parse(line) as { outcome?: string }).outcome === 'unchanged').length;
}

/**
 * Each case's namespaces go before the next case starts: the shared cluster's Service range (a /24 on
 * the local control plane) is full otherwise, and every web chart has a Service.
 */
async function done(...spaces: (string | undefined)[]): Promise<void> {
  await Promise.all(spaces.filter((s): s is string => Boolean(s)).map((s) => deleteNamespace('kubectl', s, true)));
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '');
const percent = (a: number, b: number) => (b > 0 ? `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(0)}%` : '');
/** The further charts of the per-chart row, and its rounds. */
const SLOPE_CHARTS = 20;
const SLOPE_ROUNDS = 2;
const dash = '–';

console.log(`load before the run: ${(await execa('uptime')).stdout.trim()}`);
try {
for (const [label, binary] of helms) {
  const helm = binary;
  const rows: (string | number)[][] = [['work', 'helmcycle', 'helm loop', 'helmcycle / loop', 'target']];

  // --help: start-up alone.
  const help: number[] = [];
  for (let i = 0; i < 5; i++) help.push((await helmcycle(['--help'])).ms);
  rows.push(['`helmcycle --help` (median of 5)', `${seconds(median(help))} s`, dash, '', '≤ 0.2 s']);

  // One chart: helmcycle's whole lifecycle (start-up included) against bare helm, alternating.
  const one = { helmcycle: [] as number[], helm: [] as number[] };
  for (let round = 0; round < 3; round++) {
    const [a, b] = [ns(`b1-${label}`), ns(`b1h-${label}`)];
    // The real binary, as the loop gets it: the counting wrapper is a script, whose version is asked
    // once a run (it is never cached) and whose every start costs a shell.
    one.helmcycle.push((await apply(binary, await writeStack(dir, a, [{ name: 'web-0', needs: [] }], source))).ms);
    one.helm.push(await helmLoop(binary, [{ name: 'web-0', needs: [] }], b));
    await done(a, b);
  }
  const [hc1, helm1] = [median(one.helmcycle), median(one.helm)];
  rows.push(['one chart, first apply (median of 3): start-up and one chart', `${seconds(hc1)} s`, `${seconds(helm1)} s`, `${ratio(hc1, helm1)} (${percent(hc1, helm1)})`, 'printed']);

  // Per chart: what each further chart costs, one at a time (--concurrency 1), against what each further
  // `helm upgrade --install --wait` of the loop costs: the slope from 1 to 1 + SLOPE_CHARTS charts. The
  // run's fixed cost (Node's start, the config, the first cluster reads) is the row above; the
  // difference of the two runs leaves what the lifecycle adds around each helm call.
  // Two rounds, alternating: one helm upgrade varies by ±15% from the next on this machine.
  const many = layeredCharts(1 + SLOPE_CHARTS, 1);
  const manyRuns = { helmcycle: [] as number[], helm: [] as number[] };
  for (let round = 0; round < SLOPE_ROUNDS; round++) {
    const [seqSpace, seqLoopSpace] = [ns(`bseq-${label}`), ns(`bseqh-${label}`)];
    manyRuns.helmcycle.push((await helmcycle(['-c', await writeStack(dir, seqSpace, many, source), '--helm', binary, '--concurrency', '1', '--output', 'json', 'apply'])).ms);
    manyRuns.helm.push(await helmLoop(binary, many, seqLoopSpace));
    await done(seqSpace, seqLoopSpace);
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const [hcMany, loopMany] = [mean(manyRuns.helmcycle), mean(manyRuns.helm)];
  const [hcSlope, loopSlope] = [(hcMany - hc1) / SLOPE_CHARTS, (loopMany - helm1) / SLOPE_CHARTS];
  rows.push([`per-chart overhead: each chart of ${1 + SLOPE_CHARTS} one at a time (slope over the one-chart run, mean of ${SLOPE_ROUNDS})`, `${seconds(hcSlope)} s a chart (${seconds(hcMany)} s in all)`, `${seconds(loopSlope)} s a chart (${seconds(loopMany)} s)`, `${ratio(hcSlope, loopSlope)} (${percent(hcSlope, loopSlope)})`, '≤ +10%']);
  if (process.env.HELMCYCLE_BENCH_QUICK) {
    // Start-up and one chart only: a quick look at the fixed cost, not the whole table.
    printTable(rows);
    continue;
  }

  // A repository whose index lists 10,000 versions: helmcycle reads it once a run, helm every command.
  const server = await serveIndex(bigIndex(repo, 10_000, await realDigest(repo)));
  try {
    const big = { repository: server.url, version: '1.0.0' };
    const ten = layeredCharts(10, 1);
    const bigSpace = ns(`bidx-${label}`);
    const bigFile = await writeStack(dir, bigSpace, ten, big);
    let before = server.downloads();
    const hcBig = await apply(helm, bigFile);
    const hcDownloads = server.downloads() - before;
    before = server.downloads();
    const loopBigSpace = ns(`bidxh-${label}`);
    const loopBig = await helmLoop(binary, ten, loopBigSpace, server.url);
    const loopDownloads = server.downloads() - before;
    await done(loopBigSpace);
    before = server.downloads();
    const hcBigAgain = await apply(helm, bigFile);
    if (unchanged(hcBigAgain.stdout) !== 10) throw new Error(`the re-apply from the big index left ${unchanged(hcBigAgain.stdout)} of 10 unchanged`);
    const againDownloads = server.downloads() - before;
    await done(bigSpace);
    rows.push([
      'first apply, 10 charts, a 10,000-version index',
      `${seconds(hcBig.ms)} s, index read ${hcDownloads}x`,
      `${seconds(loopBig)} s, index read ${loopDownloads}x`,
      ratio(hcBig.ms, loopBig),
      'index once a run',
    ]);
    rows.push(['no-change re-apply of those 10', `${seconds(hcBigAgain.ms)} s, index read ${againDownloads}x`, dash, '', '']);
  } finally {
    await server.close();
  }

  console.log(`\n${label} (${(await execa(binary, ['version', '--template', '{{.Version}}'])).stdout}), web fixture chart, concurrency ${CONCURRENCY}, wall time:`);
  printTable(rows);
}
console.log(`\nload after the run: ${(await execa('uptime')).stdout.trim()}`);
} finally {
  // Whatever a failed case left behind.
  for (const space of created) await deleteNamespace('kubectl', space);
}
