// One chart, the web fixture from the local chart repository: install, then a no-change upgrade, through
// helmcycle's lifecycle (every default phase, validate included) and through bare
// `helm upgrade --install --wait`, with Helm 3 and Helm 4. Prints the median of several rounds.
//   npm run bench:single [-- rounds]
import { execa } from 'execa';
import { createClients } from '../src/clients.js';
import { runChart } from '../src/lifecycle/runner.js';
import { deleteNamespace, median, namespace, need, printTable, seconds, timed } from './support.js';

const rounds = Number(process.argv[2] ?? 3);
const repo = need('HELMCYCLE_CHART_REPO_URL');
const kubectl = 'kubectl';

const rows: (string | number)[][] = [['helm', 'path', 'install (s)', 'no-change upgrade (s)']];
for (const [label, binary] of [['helm3', need('HELMCYCLE_HELM3')], ['helm4', need('HELMCYCLE_HELM4')]] as const) {
  const clients = createClients({ helmBinary: binary });
  const results = { helmcycle: { install: [] as number[], upgrade: [] as number[] }, helm: { install: [] as number[], upgrade: [] as number[] } };
  for (let round = 0; round < rounds; round++) {
    const ns = namespace(`bench1-${label}`);
    const spec = { name: 'web', namespace: ns, createNamespace: true, chart: 'web', repository: repo, version: '1.0.0' };
    results.helmcycle.install.push((await timed(() => runChart(spec, clients))).ms);
    results.helmcycle.upgrade.push((await timed(() => runChart(spec, clients))).ms);
    const argv = ['upgrade', '--install', 'bare', 'web', '--repo', repo, '--version', '1.0.0', '--namespace', ns, '--wait', '--timeout', '300s'];
    results.helm.install.push((await timed(() => execa(binary, argv))).ms);
    results.helm.upgrade.push((await timed(() => execa(binary, argv))).ms);
    await deleteNamespace(kubectl, ns);
  }
  rows.push([label, 'helmcycle runChart', seconds(median(results.helmcycle.install)), seconds(median(results.helmcycle.upgrade))]);
  rows.push([label, 'helm upgrade --install --wait', seconds(median(results.helm.install)), seconds(median(results.helm.upgrade))]);
}
console.log(`web fixture, median of ${rounds} round(s):`);
printTable(rows);
