// `helmcycle reconcile` as a process against the local cluster, with Helm 3 and Helm 4 and a local bare
// git repository as the source: two replicas elect one leader (the other never applies), a commit is
// applied within the interval, a hand-scaled Deployment is put back, a failing chart is retried with
// backoff (metrics and Events say so), a chart removed from the stack is pruned while another stack's
// release and one installed by hand stay, the follower takes over after kill -9 of the leader, and a
// SIGTERM during an upgrade lets it finish: exit 0, the release deployed, nothing pending.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { INVENTORY_NAMESPACE, inventoryName } from '../../src/stack/inventory.js';
import { configMapData, env, eventually, fixtures, helmsUnderTest, runCli, uniqueNamespace, type HelmUnderTest } from './support.js';

const run = promisify(execFile);
const BIN = resolve('bin/helmcycle.mjs');
const WEB = resolve(fixtures.web);

interface Replica { child: ChildProcess; output: () => string; port: number; exited: Promise<number | null> }

const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

function startReplica(target: HelmUnderTest, args: string[], port: number, cache: string): Replica {
  const child = spawn(process.execPath, [BIN, 'reconcile', '--helm', target.binary, ...args, '--listen', `127.0.0.1:${port}`, '--cache-dir', cache], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  cleanup.push(async () => { if (child.exitCode === null) child.kill('SIGKILL'); });
  return { child, output: () => text, port, exited };
}

async function metric(replica: Replica, pattern: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text().catch(() => '');
  const line = text.split('\n').find((l) => pattern.test(l));
  return line ? Number(line.split(' ').pop()) : undefined;
}

for (const target of helmsUnderTest()) {
  describe(`reconcile with ${target.label}`, () => {
    it('follows a git branch as the single leader of two replicas: changes, drift, backoff, prune, takeover, SIGTERM', async () => {
      const namespace = uniqueNamespace(`reconcile-${target.label}`);
      const stack = `gitops-${namespace}`;
      const lease = `helmcycle-${namespace}`;
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-reconcile-'));
      const bare = join(dir, 'stack.git');
      const work = join(dir, 'work');
      cleanup.push(() => target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }));
      cleanup.push(() => target.kube.deleteObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'default', name: lease }));
      for (const name of [stack, `other-${namespace}`]) cleanup.push(() => target.kube.deleteObject({ apiVersion: 'v1', kind: 'Secret', namespace: INVENTORY_NAMESPACE, name: inventoryName(name) }));

      // The repository: a branch with the stack, as a team keeps it.
      const git = (...args: string[]) => run('git', ['-C', work, ...args]);
      await run('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', bare]);
      await run('git', ['init', '--quiet', '--initial-branch', 'main', work]);
      await git('config', 'user.email', 'ci@example.com');
      await git('config', 'user.name', 'ci');
      const defaults = { namespace, createNamespace: true, timeoutSeconds: 60 };
      const web = (message: string) => ({ name: 'web', chart: 'web', repository: env.repo, version: '1.0.0', set: { message, replicaCount: 1 } });
      const api = { name: 'api', chart: 'web', repository: env.repo, version: '1.0.0', set: { replicaCount: 0 } };
      const commit = async (charts: object[], message: string) => {
        await writeFile(join(work, 'helmcycle.yaml'), stringify({ name: stack, defaults, charts }));
        await git('add', 'helmcycle.yaml');
        await git('commit', '--quiet', '-m', message);
        await git('push', '--quiet', bare, 'HEAD:main');
      };
      await commit([web('one'), api], 'first');

      // Another stack's release, and one installed by hand, in the same namespace.
      const otherFile = join(await mkdtemp(join(tmpdir(), 'helmcycle-reconcile-other-')), 'helmcycle.yaml');
      await writeFile(otherFile, stringify({ name: `other-${namespace}`, defaults, charts: [{ name: 'cache', chart: WEB, set: { replicaCount: 0 } }] }));
      const theirs = await runCli(target, otherFile, '--allow-path', dirname(WEB), 'apply');
      assert.equal(theirs.code, 0, theirs.stderr + theirs.stdout);
      await run(target.binary, ['install', 'by-hand', WEB, '--namespace', namespace, '--set', 'replicaCount=0', '--wait', '--timeout', '60s']);

      const base = Math.floor(20_000 + Math.random() * 20_000);
      const args = ['--source', bare, '--ref', 'main', '--interval', '2s', '--prune', '--lease-name', lease, '--lease-duration', '4s', '--grace', '60s', '--max-backoff', '8s'];
      const a = startReplica(target, args, base, join(dir, 'cache-a'));
      const b = startReplica(target, args, base + 1, join(dir, 'cache-b'));
      const message = async () => (await configMapData(target.kube, namespace, 'web-web').catch(() => ({} as Record<string, string>))).message;
      const status = async (release: string) => (await target.helm.status({ release, namespace }))?.status;

      await eventually('the first commit applied', async () => ((await message()) === 'one' ? true : undefined), 60_000);
      const holds = (r: Replica) => /holds lease/.test(r.output());
      const [leader, follower] = holds(a) ? [a, b] : [b, a];
      assert.ok(holds(leader) && !holds(follower), `exactly one leader:\nA: ${a.output()}\nB: ${b.output()}`);
      const followerReady = await fetch(`http://127.0.0.1:${follower.port}/readyz`).then((r) => r.status, (e: Error) => `${e.message}: ${follower.output()}`);
      assert.equal(followerReady, 200, 'a follower is ready');
      await eventually('the leader ready', async () => ((await fetch(`http://127.0.0.1:${leader.port}/readyz`)).status === 200 ? true : undefined));

      // A commit that changes a value is applied within the interval (and a run).
      const committed = Date.now();
      await commit([web('two'), api], 'two');
      await eventually('the commit applied', async () => ((await message()) === 'two' ? true : undefined), 20_000);
      const commitToApplied = Date.now() - committed;

      // kubectl scale is put back, and the watch sees it.
      await run('kubectl', ['scale', 'deployment/web-web', '--replicas', '3', '--namespace', namespace]);
      await eventually('the scale put back', async () => {
        const deployment = await target.kube.getObject({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'web-web' });
        return (deployment?.spec as { replicas?: number } | undefined)?.replicas === 1 ? true : undefined;
      }, 20_000);
      await eventually('the hand edit seen by the watch', async () => (new RegExp(`Deployment/${namespace}/web-web changed by hand`).test(leader.output()) ? true : undefined), 10_000);
      await eventually('drift repaired in the metrics', async () => ((await metric(leader, /^helmcycle_drift_repaired_total\{chart="web"\}/)) ?? 0) >= 1 ? true : undefined);

      // A chart that fails (its version does not exist) is retried with backoff; the others keep running.
      await commit([web('two'), api, { name: 'broken', chart: 'web', repository: env.repo, version: '9.9.9' }], 'broken');
      await eventually('the broken chart failed twice', async () => ((await metric(leader, /^helmcycle_chart_consecutive_failures\{chart="broken"\}/)) ?? 0) >= 2 ? true : undefined, 40_000);
      assert.ok(((await metric(leader, /^helmcycle_chart_failures_total\{chart="broken",class=/)) ?? 0) >= 2);
      const failedEvents = await eventually('ChartFailed Events on the inventory', async () => {
        const events = (await target.kube.listEvents(INVENTORY_NAMESPACE)).filter((e) => e.object === `Secret/${inventoryName(stack)}` && e.reason === 'ChartFailed');
        return events.length ? events : undefined;
      });
      assert.match(failedEvents[0]!.message, /chart broken \[/);
      // Backoff: fewer attempts of the broken chart than runs of web in the same time.
      const brokenRuns = (await metric(leader, /^helmcycle_chart_runs_total\{chart="broken",outcome="failed"\}/)) ?? 0;
      const webRuns = (await metric(leader, /^helmcycle_chart_runs_total\{chart="web",outcome="succeeded"\}/)) ?? 0;
      assert.ok(brokenRuns < webRuns, `backoff: broken tried ${brokenRuns} times, web ${webRuns}`);

      // Removed from the stack, api is pruned; the others' releases stay.
      await commit([web('two')], 'drop api and broken');
      await eventually('api pruned', async () => ((await status('api')) === undefined ? true : undefined), 30_000);
      assert.equal(await status('by-hand'), 'deployed');
      assert.equal(await status('cache'), 'deployed');
      assert.doesNotMatch(follower.output(), /run at revision/, `the follower never applied:\n${follower.output()}`);

      // kill -9 of the leader: the follower takes over within the lease time and applies.
      leader.child.kill('SIGKILL');
      await leader.exited;
      const killed = Date.now();
      await eventually('the follower leads', async () => (holds(follower) ? true : undefined), 20_000);
      const takeoverMs = Date.now() - killed;
      await commit([web('three')], 'three');
      await eventually('applied by the new leader', async () => ((await message()) === 'three' ? true : undefined), 30_000);

      // SIGTERM during an upgrade: the run in flight finishes, the release is deployed, exit 0.
      const before = follower.output().length;
      await commit([web('four')], 'four');
      await eventually('the upgrade started', async () => (/reading .* at /.test(follower.output().slice(before)) ? true : undefined), 20_000);
      follower.child.kill('SIGTERM');
      assert.equal(await follower.exited, 0, follower.output());
      assert.equal(await status('web'), 'deployed');
      assert.equal(await message(), 'four');
      const record = await target.kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace: INVENTORY_NAMESPACE, name: inventoryName(stack) });
      assert.match(record?.metadata.annotations?.['helmcycle.dev/reconcile-status'] ?? '', /"web":\{"status":"succeeded"/);
      const shown = await runCli(target, join(work, 'helmcycle.yaml'), 'status');
      assert.match(shown.stdout, /reconcile: last run .* at revision [0-9a-f]{12}: ok\n  web: succeeded, last success /, shown.stdout + shown.stderr);
      console.log(`${target.label}: commit to applied ${commitToApplied} ms; takeover after kill -9 ${takeoverMs} ms`);
    });

    it("runs with the flags and the RBAC of its own chart (deploy/chart/helmcycle, narrowed to one namespace), its stack from the chart's ConfigMap", async () => {
      const system = uniqueNamespace(`rc-system-${target.label}`);
      const apps = uniqueNamespace(`rc-apps-${target.label}`);
      const release = `rc-${system.slice(-6)}`;
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-reconcile-chart-'));
      const appStack = `apps-${apps}`;
      cleanup.push(() => target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: system }));
      cleanup.push(() => target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: apps }));
      cleanup.push(() => run(target.binary, ['uninstall', release, '--namespace', system]));
      cleanup.push(() => target.kube.deleteObject({ apiVersion: 'v1', kind: 'Secret', namespace: INVENTORY_NAMESPACE, name: inventoryName(appStack) }));
      await target.kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: apps } });

      // The platform team installs helmcycle with helmcycle: RBAC narrowed to the apps namespace.
      const stackYaml = stringify({ name: appStack, defaults: { namespace: apps, timeoutSeconds: 60 }, charts: [{ name: 'web', chart: 'web', repository: env.repo, version: '1.0.0', set: { replicaCount: 0 } }] });
      const platform = join(dir, 'platform.yaml');
      const chartDir = resolve('deploy/chart/helmcycle');
      await writeFile(platform, stringify({ name: `platform-${system}`, charts: [{ name: release, chart: chartDir, namespace: system, createNamespace: true, timeoutSeconds: 120, values: [{ replicaCount: 1, rbac: { namespaces: [apps] }, source: { configMap: { stack: stackYaml } }, reconcile: { interval: '2s', leaseDuration: '4s' } }] }] }));
      cleanup.push(() => target.kube.deleteObject({ apiVersion: 'v1', kind: 'Secret', namespace: INVENTORY_NAMESPACE, name: inventoryName(`platform-${system}`) }));
      const installed = await runCli(target, platform, '--allow-path', dirname(chartDir), 'apply');
      assert.equal(installed.code, 0, installed.stderr + installed.stdout);

      // What the pod would run: the Deployment's args, its ConfigMap as the stack folder, its ServiceAccount's token.
      const fullname = `${release}-helmcycle`;
      const deployment = await target.kube.getObject({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: system, name: fullname });
      const container = (deployment?.spec as { template: { spec: { containers: { args: string[] }[]; serviceAccountName: string } } }).template.spec;
      const stackFolder = join(dir, 'stack');
      await mkdir(stackFolder);
      await writeFile(join(stackFolder, 'helmcycle.yaml'), (await configMapData(target.kube, system, `${fullname}-stack`))['helmcycle.yaml']!);
      const admin = new KubeConfig();
      admin.loadFromDefault();
      const token = (await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({ name: container.serviceAccountName, namespace: system, body: { spec: { audiences: [], expirationSeconds: 3_600 } } })).status?.token;
      const cluster = admin.getCurrentCluster()!;
      const asChart = new KubeConfig();
      asChart.loadFromOptions({ clusters: [cluster], users: [{ name: 'sa', token: token! }], contexts: [{ name: 'sa', cluster: cluster.name, user: 'sa' }], currentContext: 'sa' });
      const kubeconfig = join(dir, 'kubeconfig');
      await writeFile(kubeconfig, asChart.exportConfig(), { mode: 0o600 });

      const port = Math.floor(40_000 + Math.random() * 10_000);
      const args = container.containers[0]!.args.slice(1).map((arg) => arg.replace(/^--source=.*/, `--source=${stackFolder}`).replace(/^--listen=.*/, `--listen=127.0.0.1:${port}`).replace(/^--cache-dir=.*/, `--cache-dir=${join(dir, 'cache')}`));
      assert.ok(args.includes('--prune') && args.some((a) => a.startsWith('--lease-namespace=')), args.join(' '));
      const replica = startReplica(target, ['--kubeconfig', kubeconfig, ...args], port, join(dir, 'cache'));
      await eventually('applied as the chart\'s ServiceAccount', async () => (/ok \(1 succeeded/.test(replica.output()) ? true : undefined), 60_000);
      assert.equal((await target.helm.status({ release: 'web', namespace: apps }))?.status, 'deployed');
      assert.doesNotMatch(replica.output(), /forbidden|could not be written/i, replica.output());
      replica.child.kill('SIGTERM');
      assert.equal(await replica.exited, 0, replica.output());
    });
  });
}
