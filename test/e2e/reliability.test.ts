// Reliability: what a second run at the same time, or a run killed at any moment, must never do. Each
// test drives the real CLI binary (bin/helmcycle.mjs) in its own process against the local cluster.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { configMapData, env, fixtures, helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';
import { seededRandom } from '../support/seeded-random.js';
import { pauseApiServer } from './api-server-process.js';

const WEB = resolve(fixtures.web);
const BIN = resolve('bin/helmcycle.mjs');

async function writeStack(dir: string, name: string, stack: object): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, stringify(stack));
  return file;
}

function helmcycle(target: HelmUnderTest, file: string, ...args: string[]): ResultPromise<{ reject: false; all: true; env: Record<string, string> }> {
  return execa('node', [BIN, '-c', file, '--helm', target.binary, '--output', 'json', ...args], { reject: false, all: true, env: { CI: 'true' } });
}

/** The lifecycle messages of a run's JSON events. */
function messages(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { type: string; message?: string; chart?: string })
    .filter((event) => event.type === 'message')
    .map((event) => `${event.chart}: ${event.message}`);
}

const seeded = seededRandom;

const SEED = Number(process.env.HELMCYCLE_RELIABILITY_SEED ?? 20261201);
const KILL_ROUNDS = Number(process.env.HELMCYCLE_KILL_ROUNDS ?? 3);
const PAUSE_ROUNDS = Number(process.env.HELMCYCLE_PAUSE_ROUNDS ?? 1);

async function password(target: HelmUnderTest, namespace: string): Promise<string | undefined> {
  const secret = await target.kube.getObject({ apiVersion: 'v1', kind: 'Secret', name: 'credentials-credentials', namespace });
  return (secret?.data as Record<string, string> | undefined)?.password;
}

for (const target of helmsUnderTest()) {
  describe(`kill -9 at random moments with ${target.label} (seed ${SEED})`, () => {
    const random = seeded(SEED + (target.label === 'helm3' ? 0 : 1));
    for (let round = 1; round <= KILL_ROUNDS; round++) {
      // Kills land anywhere in a breaking reinstall that keeps a generated Secret: before the backup,
      // between uninstall and install, inside the install, between the install and the restore.
      // The delay counts from the start of exec (not of the process, whose start-up varies with load).
      const delayMs = Math.round(random() * 6_000);
      it(`round ${round}: a reinstall killed ${delayMs} ms into exec converges on the next apply, keeping the password`, async () => {
        const namespace = uniqueNamespace(`kill-${target.label}`);
        const dir = await mkdtemp(join(tmpdir(), 'helmcycle-kill-'));
        const stack = (version: string) => ({
          defaults: { namespace, createNamespace: true, timeoutSeconds: 60 },
          charts: [{
            name: 'credentials', chart: 'credentials', repository: env.repo, version, lastBreakingVersionRequiringRestart: '2.0.0',
            backup: [{ apiVersion: 'v1', kind: 'Secret', name: 'credentials-credentials' }],
          }],
        });
        const v1 = await writeStack(dir, 'v1.yaml', stack('1.0.0'));
        const v2 = await writeStack(dir, 'v2.yaml', stack('2.0.0'));
        assert.equal((await helmcycle(target, v1, 'apply')).exitCode, 0);
        const original = await password(target, namespace);
        assert.ok(original, 'the chart generated a password');

        const killed = helmcycle(target, v2, 'apply');
        await new Promise<void>((resolve) => {
          killed.stdout.on('data', (chunk: Buffer) => {
            if (chunk.toString().includes('"phase":"exec"')) setTimeout(resolve, delayMs);
          });
          void killed.then(() => resolve());
        });
        killed.kill('SIGKILL');
        const partial = await killed;
        const next = await helmcycle(target, v2, 'apply');
        assert.equal(next.exitCode, 0, `after the kill (${partial.all?.split('\n').filter((l) => l.includes('"message"')).slice(-2).join(' / ')}):\n${next.all}`);
        const release = await target.helm.status({ release: 'credentials', namespace });
        assert.deepEqual([release?.status, release?.chartVersion], ['deployed', '2.0.0']);
        assert.equal(await password(target, namespace), original, 'the backed-up password is back');
        const backups = await target.kube.listObjects('v1', 'Secret', namespace);
        assert.deepEqual(backups.filter((s) => s.metadata.name.startsWith('helmcycle-backup-')).map((s) => s.metadata.name), [], 'no backup lingers');
        const again = await helmcycle(target, v2, 'plan');
        assert.equal(again.exitCode, 0);
        assert.match(again.all, /"action":"skip"/, 'a converged plan');
      });
    }
  });

  describe(`an API-server pause with ${target.label}`, () => {
    for (let round = 1; round <= PAUSE_ROUNDS; round++) it(`round ${round}: an upgrade paused 10 s in the API server completes: every release deployed once, none pending, the new values live`, async () => {
      const namespace = uniqueNamespace(`pause-${target.label}`);
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-pause-'));
      const stack = (message: string) => ({
        defaults: { namespace, createNamespace: true, timeoutSeconds: 120 },
        charts: ['a', 'b', 'c'].map((name) => ({ name, chart: WEB, set: { message } })),
      });
      const file = await writeStack(dir, 'stack.yaml', stack('before the pause'));
      assert.equal((await helmcycle(target, file, 'apply')).exitCode, 0);
      await writeStack(dir, 'stack.yaml', stack('after the pause'));
      const run = helmcycle(target, file, 'apply');
      // The pause starts once the first chart is in exec (helm is upgrading) and lasts 10 s, past a
      // lease renewal (every 10 s), with the deploy observer and helm's own wait in flight.
      const paused = new Promise<void>((resolve, reject) => {
        let started = false;
        run.stdout.on('data', (chunk: Buffer) => {
          if (started || !chunk.toString().includes('"phase":"exec"')) return;
          started = true;
          pauseApiServer(10_000).then(resolve, reject);
        });
        void run.then(() => { if (!started) reject(new Error('the run never reached exec')); });
      });
      const [result] = await Promise.all([run, paused]);
      assert.equal(result.exitCode, 0, result.all);
      for (const name of ['a', 'b', 'c']) {
        const releases = await target.helm.history({ release: name, namespace });
        assert.deepEqual(releases.map((r) => r.status), ['superseded', 'deployed'], `${name}: ${JSON.stringify(releases)}`);
        assert.equal((await configMapData(target.kube, namespace, `${name}-web`)).message, 'after the pause');
      }
      const leases = await target.kube.listObjects('coordination.k8s.io/v1', 'Lease', namespace);
      assert.deepEqual(leases.map((l) => l.metadata.name), [], 'every lease was given back');
    });
  });

  describe(`two runs at once with ${target.label}`, () => {
    it('makes one apply wait for the other; nothing is rolled back, and the run that upgraded last has its values live', async () => {
      const namespace = uniqueNamespace(`race-${target.label}`);
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-race-'));
      const stack = (message: string) => ({
        defaults: { namespace, createNamespace: true, timeoutSeconds: 120 },
        charts: ['a', 'b', 'c'].map((name) => ({ name, chart: WEB, set: { message } })),
      });
      const first = await writeStack(dir, 'first.yaml', stack('from the first run'));
      const second = await writeStack(dir, 'second.yaml', stack('from the second run'));
      // Installed once, so both runs upgrade (the case where a pending-upgrade was taken for dead).
      assert.equal((await helmcycle(target, first, 'apply')).exitCode, 0);
      await writeStack(dir, 'first.yaml', stack('from the first run, again'));

      const runA = helmcycle(target, first, 'apply', '--force-upgrade');
      await new Promise((r) => setTimeout(r, 200));
      const runB = helmcycle(target, second, 'apply', '--force-upgrade');
      const [a, b] = await Promise.all([runA, runB]);
      assert.equal(a.exitCode, 0, a.all);
      assert.equal(b.exitCode, 0, b.all);
      const all = [...messages(a.all), ...messages(b.all)];
      assert.ok(all.some((m) => /waiting for the lease of .*held by helmcycle apply/.test(m)), `one run waited:\n${all.join('\n')}`);
      assert.deepEqual(all.filter((m) => /rolling back|stuck in pending|uninstalling it/.test(m)), [], 'nothing was recovered from under a live run');
      const revisionOf = (output: string, name: string) => Number(messages(output).map((m) => new RegExp(`^${name}: upgraded: revision (\\d+)`).exec(m)?.[1]).find(Boolean));
      for (const name of ['a', 'b', 'c']) {
        const releases = await target.helm.history({ release: name, namespace });
        assert.deepEqual(releases.filter((r) => r.status === 'deployed').length, 1, `${name}: one deployed revision`);
        assert.equal(releases.some((r) => r.status.startsWith('pending-') || r.status === 'failed'), false, `${name}: ${JSON.stringify(releases)}`);
        // Both runs upgraded, one after the other: the one that upgraded last is the one whose values are live.
        const [revA, revB] = [revisionOf(a.all, name), revisionOf(b.all, name)];
        assert.ok(revA > 0 && revB > 0 && revA !== revB, `${name}: both runs upgraded (${revA}, ${revB})`);
        const expected = revB > revA ? 'from the second run' : 'from the first run, again';
        assert.equal((await configMapData(target.kube, namespace, `${name}-web`)).message, expected);
      }
    });

    it('two runs of the same new config started together upgrade each release once: the later one decides again once it holds the lease', async () => {
      const namespace = uniqueNamespace(`same-${target.label}`);
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-same-'));
      const stack = (message: string) => ({
        defaults: { namespace, createNamespace: true, timeoutSeconds: 120 },
        charts: ['a', 'b', 'c'].map((name) => ({ name, chart: WEB, set: { message } })),
      });
      const file = await writeStack(dir, 'stack.yaml', stack('installed'));
      assert.equal((await helmcycle(target, file, 'apply')).exitCode, 0);
      await writeStack(dir, 'stack.yaml', stack('the new config'));
      // Both read the releases as deployed with the old config before either holds a lease (a chart
      // with only default steps takes its lease just before it changes something).
      const [a, b] = await Promise.all([helmcycle(target, file, 'apply'), helmcycle(target, file, 'apply')]);
      assert.equal(a.exitCode, 0, a.all);
      assert.equal(b.exitCode, 0, b.all);
      for (const name of ['a', 'b', 'c']) {
        const history = await target.helm.history({ release: name, namespace });
        assert.deepEqual(history.map((r) => r.status), ['superseded', 'deployed'], `${name}: upgraded once, not once per run: ${JSON.stringify(history)}`);
        assert.equal((await configMapData(target.kube, namespace, `${name}-web`)).message, 'the new config');
      }
      const upgrades = [...messages(a.all), ...messages(b.all)].filter((m) => /: upgraded: revision/.test(m));
      assert.equal(upgrades.length, 3, upgrades.join('\n'));
    });

    it('refuses, with exit code 4 and the holder named, when the other run holds the lease past --lock-timeout', async () => {
      const namespace = uniqueNamespace(`locked-${target.label}`);
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-locked-'));
      // The first run holds its lease until the test lets it go: its validate waits on a check that
      // returns once the marker file is gone (at most two minutes).
      const marker = join(dir, 'hold');
      await writeFile(marker, '');
      const slow = join(dir, 'helmcycle.config.mts');
      await writeFile(slow, `import { existsSync } from 'node:fs';
export default { defaults: { namespace: '${namespace}', createNamespace: true }, charts: [{ name: 'web', chart: ${JSON.stringify(WEB)},
  checks: [{ name: 'held', run: async () => { for (let i = 0; i < 600 && existsSync(${JSON.stringify(marker)}); i++) await new Promise((r) => setTimeout(r, 200)); } }] }] };\n`);
      const quick = await writeStack(dir, 'quick.yaml', { defaults: { namespace, createNamespace: true }, charts: [{ name: 'web', chart: WEB, set: { message: 'quick' } }] });
      const holder = helmcycle(target, slow, 'apply');
      // Wait until the first run holds the lease, then try with a short lock timeout.
      for (let i = 0; i < 1200 && !(await target.kube.getObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: 'helmcycle-release-web', namespace })); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      // plan and status name the holder while it holds the lease.
      const planned = await helmcycle(target, quick, 'plan');
      assert.match(planned.all, /"heldBy":"helmcycle apply \(pid \d+ on /, planned.all);
      const status = await execa('node', [BIN, '-c', quick, '--helm', target.binary, 'status'], { reject: false, all: true, env: { CI: 'true' } });
      assert.match(status.all, /web: being changed by helmcycle apply \(pid \d+ on /, status.all);
      const refused = await helmcycle(target, quick, '--lock-timeout', '2s', 'apply');
      assert.equal(refused.exitCode, 4, refused.all);
      assert.match(refused.all, /is being changed by helmcycle apply \(pid \d+ on [^,]+, run [^)]+\) since/);
      await rm(marker);
      assert.equal((await holder).exitCode, 0);
      assert.notEqual((await configMapData(target.kube, namespace, 'web-web')).message, 'quick', 'the refused run changed nothing');
    });
  });
}
