// A generated stack of N web fixture charts in a few dependency levels (each chart needs one chart of
// the level above), for N = 5, 20, 50. For each N, prints wall time of:
//   - helmcycle apply (concurrency 4), in a fresh namespace
//   - the same charts through a sequential `helm upgrade --install --wait` loop, in another one
//   - a no-change re-apply of the stack (skip-unchanged)
//   - helmcycle apply with concurrency 1, whose difference to the helm loop, divided by N, is
//     helmcycle's own overhead per chart (its phases: prerequisites, recovery check, digest, validate).
//   npm run bench [-- 5,20,50] [helm3|helm4]
import { execa } from 'execa';
import { createClients } from '../src/clients.js';
import { resolveStack } from '../src/stack/load.js';
import { runStack } from '../src/stack/run-stack.js';
import type { StackDefinition } from '../src/stack/types.js';
import { deleteNamespace, namespace, need, printTable, seconds, timed } from './support.js';

const sizes = (process.argv[2] ?? '5,20,50').split(',').map(Number);
const helmLabel = process.argv[3] ?? 'helm4';
const binary = need(helmLabel === 'helm3' ? 'HELMCYCLE_HELM3' : 'HELMCYCLE_HELM4');
const repo = need('HELMCYCLE_CHART_REPO_URL');
const clients = createClients({ helmBinary: binary });
const LEVELS = 3;

function generated(n: number, ns: string): StackDefinition {
  const perLevel = Math.ceil(n / LEVELS);
  const charts = Array.from({ length: n }, (_, i) => {
    const level = Math.floor(i / perLevel);
    const needs = level === 0 ? [] : [`web-${(level - 1) * perLevel + (i % perLevel)}`];
    return { name: `web-${i}`, chart: 'web', repository: repo, version: '1.0.0', needs };
  });
  return { name: `bench-${n}`, defaults: { namespace: ns, createNamespace: true, timeoutSeconds: 300 }, charts };
}

async function apply(n: number, ns: string, concurrency: number) {
  const stack = resolveStack(generated(n, ns));
  const { ms, value } = await timed(() => runStack(stack, { ...clients, command: 'apply', concurrency }));
  if (!value.ok) throw new Error(`apply of ${n} charts failed: ${value.charts.filter((c) => c.status !== 'succeeded').map((c) => c.name).join(', ')}`);
  return { ms, value };
}

async function helmLoop(n: number, ns: string): Promise<number> {
  return (
    await timed(async () => {
      for (let i = 0; i < n; i++) {
        await execa(binary, ['upgrade', '--install', `web-${i}`, 'web', '--repo', repo, '--version', '1.0.0', '--namespace', ns, '--create-namespace', '--wait', '--timeout', '300s']);
      }
    })
  ).ms;
}

const rows: (string | number)[][] = [['N', 'helmcycle apply (c=4)', 'helm loop (sequential)', 'no-change re-apply', 'helmcycle apply (c=1)', 'overhead per chart']];
for (const n of sizes) {
  const spaces = [namespace(`bench-${n}-a`), namespace(`bench-${n}-b`), namespace(`bench-${n}-c`)] as const;
  const parallel = await apply(n, spaces[0], 4);
  const reapply = await apply(n, spaces[0], 4);
  const unchanged = reapply.value.charts.filter((c) => c.result?.outcome === 'unchanged').length;
  if (unchanged !== n) throw new Error(`re-apply upgraded ${n - unchanged} chart(s); expected none`);
  const loop = await helmLoop(n, spaces[1]);
  const sequential = await apply(n, spaces[2], 1);
  rows.push([n, seconds(parallel.ms), seconds(loop), seconds(reapply.ms), seconds(sequential.ms), seconds((sequential.ms - loop) / n)]);
  for (const ns of spaces) await deleteNamespace('kubectl', ns);
}
console.log(`${helmLabel}, web fixture charts in ${LEVELS} dependency levels, wall time in seconds:`);
printTable(rows);
