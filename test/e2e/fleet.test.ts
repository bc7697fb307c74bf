// One stack across a fleet of real clusters: this checkout's local cluster and the extra ones
// cluster/fleet.sh starts (HELMCYCLE_FLEET_KUBECONFIGS), with Helm 3 and Helm 4 through the real binary.
// Every outcome is read back from each cluster's own Helm release records, or from the output.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { createClients } from '../../src/clients.js';
import { helmsUnderTest, uniqueNamespace } from './support.js';

const BIN = resolve('bin/helmcycle.mjs');
const WEB = resolve('test/fixtures/charts/web');

function fleetKubeconfigs(): string[] {
  const value = process.env.HELMCYCLE_FLEET_KUBECONFIGS;
  if (!value) throw new Error('HELMCYCLE_FLEET_KUBECONFIGS is not set: run through npm test (cluster/with-cluster.sh starts the fleet), or source the fleet env of cluster/fleet.sh up');
  const files = value.split(':').filter(Boolean);
  if (files.length < 2) throw new Error(`the fleet tests need 2 extra clusters, HELMCYCLE_FLEET_KUBECONFIGS names ${files.length}`);
  return files;
}

const CLOSED_PORT_KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: closed, cluster: { server: 'https://127.0.0.1:9' } }]
users: [{ name: closed, user: { token: not-a-secret } }]
contexts: [{ name: closed, context: { cluster: closed, user: closed } }]
current-context: closed
`;

interface TargetLine {
  type: string;
  target: string;
  status: string;
  reason?: string;
  charts?: { chart: string; status: string }[];
}

for (const { label, binary } of helmsUnderTest()) {
  describe(`fleet (${label})`, () => {
    let dir: string;
    let kubeconfigs: Record<'home' | 'east' | 'west', string>;
    const namespace = uniqueNamespace(`fleet-${label}`);
    const release = async (kubeconfig: string, name = 'web') => createClients({ kubeconfig, helmBinary: binary }).helm.status({ release: name, namespace });

    before(async () => {
      const [east, west] = fleetKubeconfigs();
      kubeconfigs = { home: process.env.KUBECONFIG!.split(':')[0]!, east: east!, west: west! };
      dir = await mkdtemp(join(tmpdir(), 'helmcycle-fleet-'));
      await writeFile(join(dir, 'closed.kubeconfig'), CLOSED_PORT_KUBECONFIG, { mode: 0o600 });
    });
    after(async () => {
      for (const kubeconfig of Object.values(kubeconfigs ?? {})) await createClients({ kubeconfig }).kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => {});
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const stackFile = async (name: string, extra: { targets: object[]; fleet?: object; environments?: object }) => {
      const file = join(dir, `${name}.yaml`);
      await writeFile(file, JSON.stringify({ name, defaults: { namespace, createNamespace: true }, charts: [{ name: 'web', chart: WEB }], ...extra }));
      return file;
    };
    const cli = async (file: string, ...args: string[]) => {
      const result = await execa('node', [BIN, '-c', file, '--helm', binary, '-o', 'json', ...args], { reject: false, env: { CI: 'true' } });
      const lines = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as TargetLine);
      return { code: result.exitCode, lines, stderr: result.stderr };
    };
    const threeTargets = () => [
      { name: 'home', kubeconfig: kubeconfigs.home, labels: { region: 'eu', tier: 'prod' } },
      { name: 'east', kubeconfig: kubeconfigs.east, labels: { region: 'us', tier: 'prod' } },
      { name: 'west', kubeconfig: kubeconfigs.west, labels: { region: 'us', tier: 'dev' } },
    ];

    it('applies the stack on three clusters, each release read back from its own cluster; a re-run is unchanged everywhere', async () => {
      const file = await stackFile('three', { targets: threeTargets(), fleet: { parallel: 3 } });
      const first = await cli(file, 'apply');
      assert.equal(first.code, 0, first.stderr);
      const targets = first.lines.filter((l) => l.type === 'target');
      assert.deepEqual(targets.map((t) => [t.target, t.status, t.charts?.[0]?.status]).sort(), [['east', 'succeeded', 'installed'], ['home', 'succeeded', 'installed'], ['west', 'succeeded', 'installed']]);
      for (const kubeconfig of Object.values(kubeconfigs)) assert.equal((await release(kubeconfig))?.status, 'deployed', kubeconfig);
      // Three API servers, not one seen three times: each cluster's own Helm record.
      const servers = new Set(Object.values(kubeconfigs).map((k) => createClients({ kubeconfig: k }).kube.config.getCurrentCluster()?.server));
      assert.equal(servers.size, 3);

      const report = join(dir, 'fleet.html');
      const again = await cli(file, '--report', report, 'apply');
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(again.lines.filter((l) => l.type === 'target').map((t) => t.charts?.[0]?.status), ['unchanged', 'unchanged', 'unchanged']);
      // The report: the matrix, each target linked to its own run report (written beside it, private).
      const page = await readFile(report, 'utf8');
      for (const target of ['home', 'east', 'west']) {
        assert.match(page, new RegExp(`<a href="fleet\\.${target}\\.html">${target}</a></th><td class="-">-</td><td class="unchanged">unchanged</td>`));
        assert.equal((await stat(join(dir, `fleet.${target}.html`))).mode & 0o777, 0o600);
      }
      for (const kubeconfig of Object.values(kubeconfigs)) assert.equal((await release(kubeconfig))?.revision, 1, 'not upgraded');
    });

    it('-t, --targets and --shard 1/2 + 2/2 select the targets, the shards covering each exactly once', async () => {
      const file = await stackFile('select', { targets: threeTargets() });
      const covered = async (...args: string[]) => (await cli(file, ...args, 'status')).lines.filter((l) => l.type === 'status').map((l) => l.target).sort();
      assert.deepEqual(await covered('-t', 'region=us'), ['east', 'west']);
      assert.deepEqual(await covered('-t', 'region=us', '-t', 'tier=prod'), ['east']);
      assert.deepEqual(await covered('--targets', 'home,west'), ['home', 'west']);
      const [one, two] = [await covered('--shard', '1/2'), await covered('--shard', '2/2')];
      assert.deepEqual([...one, ...two].sort(), ['east', 'home', 'west']);
      assert.equal(one.filter((t) => two.includes(t)).length, 0, 'no target in both shards');
      const unknown = await cli(file, '--targets', 'nowhere', 'status');
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /--targets names 'nowhere', not a target of this stack/);
    });

    it('an unreachable target (a kubeconfig at a closed port) is reported and skipped; the others are applied', async () => {
      const file = await stackFile('unreachable', {
        targets: [...threeTargets().slice(0, 2), { name: 'closed', kubeconfig: 'closed.kubeconfig' }],
        fleet: { failureBudget: 1 },
      });
      const run = await cli(file, 'apply', '--force-upgrade');
      assert.equal(run.code, 1, 'a target did not run');
      const byTarget = Object.fromEntries(run.lines.filter((l) => l.type === 'target').map((l) => [l.target, l]));
      assert.equal(byTarget.closed?.status, 'unreachable');
      assert.match(byTarget.closed?.reason ?? '', /127\.0\.0\.1:9.*unreachable/);
      assert.equal(byTarget.home?.status, 'succeeded');
      assert.equal(byTarget.east?.status, 'succeeded');
      assert.equal((await release(kubeconfigs.east))?.revision, 2, 'east was upgraded by this run');
    });

    it('a wave failing past the budget stops the next wave: its clusters are left as they were', async () => {
      const file = await stackFile('waves', {
        // The canary's environment names a namespace that does not exist: its chart fails before any change.
        environments: { broken: { defaults: { namespace: `${namespace}-missing`, createNamespace: false } } },
        targets: [
          { name: 'home', kubeconfig: kubeconfigs.home, wave: 'canary', environment: 'broken' },
          { name: 'east', kubeconfig: kubeconfigs.east, wave: 'rest' },
          { name: 'west', kubeconfig: kubeconfigs.west, wave: 'rest' },
        ],
        fleet: { waves: ['canary', 'rest'], failureBudget: 0 },
      });
      const before = await release(kubeconfigs.west);
      const run = await cli(file, 'apply', '--force-upgrade');
      assert.equal(run.code, 1);
      const byTarget = Object.fromEntries(run.lines.filter((l) => l.type === 'target').map((l) => [l.target, l]));
      assert.deepEqual([byTarget.home?.status, byTarget.east?.status, byTarget.west?.status], ['failed', 'not-started', 'not-started']);
      assert.equal(byTarget.west?.reason, 'not started: failure budget');
      assert.equal((await release(kubeconfigs.west))?.revision, before?.revision, 'west was not upgraded');
    });
  });
}
