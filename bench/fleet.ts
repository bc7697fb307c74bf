// One stack on three clusters: one fleet run (the targets in parallel) against three applies one after
// the other, each a helmcycle process as a user runs it. The stack is the demo's shape (three charts in
// a chain of needs, from the local chart repository), with the web chart for each: the demo's operator
// installs cluster-wide CRDs that other tests of a shared cluster own at other versions.
// Fresh namespaces each round, so every run installs. Prints the median of the rounds and the ratio.
//   npm run bench:fleet [-- rounds]
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { assertBuilt, helmcycle, median, namespace, need, printTable, scratch, seconds } from './support.js';

const rounds = Number(process.argv[2] ?? 3);
const repo = need('HELMCYCLE_CHART_REPO_URL');
const helm = need('HELMCYCLE_HELM4');
const kubeconfigs = [need('KUBECONFIG').split(':')[0]!, ...need('HELMCYCLE_FLEET_KUBECONFIGS').split(':').filter(Boolean)].slice(0, 3);
if (kubeconfigs.length < 3) throw new Error('the fleet benchmark needs 2 extra clusters (HELMCYCLE_FLEET_KUBECONFIGS): run it through npm run bench:fleet');
assertBuilt();

const dir = await scratch();
async function stackFile(ns: string, targets: boolean): Promise<string> {
  const file = join(dir, `${ns}-${targets ? 'fleet' : 'one'}.yaml`);
  await writeFile(file, JSON.stringify({
    name: 'bench-fleet',
    defaults: { namespace: ns, createNamespace: true, repository: repo, timeoutSeconds: 300, atomic: true },
    ...(targets ? { targets: kubeconfigs.map((kubeconfig, i) => ({ name: `cluster-${i + 1}`, kubeconfig })), fleet: { parallel: 3 } } : {}),
    charts: [
      { name: 'db', chart: 'web', version: '1.0.0' },
      { name: 'api', chart: 'web', version: '1.0.0', needs: ['db'] },
      { name: 'web', chart: 'web', version: '1.0.0', needs: ['api'] },
    ],
  }));
  return file;
}
const cleanUp = async (ns: string) => {
  for (const kubeconfig of kubeconfigs) await execa('kubectl', ['--kubeconfig', kubeconfig, 'delete', 'namespace', ns, '--wait=false', '--ignore-not-found'], { reject: false });
};

const fleetMs: number[] = [];
const sequentialMs: number[] = [];
for (let round = 0; round < rounds; round++) {
  const a = namespace('benchfleet');
  fleetMs.push((await helmcycle(['-c', await stackFile(a, true), '--helm', helm, 'apply'])).ms);
  const b = namespace('benchseq');
  const one = await stackFile(b, false);
  let total = 0;
  for (const kubeconfig of kubeconfigs) total += (await helmcycle(['-c', one, '--kubeconfig', kubeconfig, '--helm', helm, 'apply'])).ms;
  sequentialMs.push(total);
  await cleanUp(a);
  await cleanUp(b);
}
console.log(`demo-like stack (3 charts, a chain of needs) on 3 clusters, helm4, median of ${rounds} round(s):`);
printTable([
  ['path', 'wall time (s)'],
  ['one fleet run (parallel 3)', seconds(median(fleetMs))],
  ['3 sequential applies', seconds(median(sequentialMs))],
  ['ratio sequential / fleet', (median(sequentialMs) / median(fleetMs)).toFixed(2)],
]);
