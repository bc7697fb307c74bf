// The CLI conventions that need helm and the cluster, with Helm 3 and Helm 4: --debug shows each helm
// command masked and timed; `template | head -1` ends quietly; destroy without a terminal needs --yes.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { fixtures, helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const WEB = resolve(fixtures.web);
const BIN = resolve('bin/helmcycle.mjs');
const SECRET = 'debug-line-secret-2718';

const created: { target: HelmUnderTest; namespace: string }[] = [];
after(async () => {
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
});

async function stackFile(namespace: string, charts: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-conv-e2e-'));
  const file = join(dir, 'helmcycle.yaml');
  // No pods: the workloads are not what is tested here.
  const chart = (i: number) => ({ name: `web${i}`, chart: WEB, set: { replicaCount: 0 }, setSensitive: { 'config.token': SECRET } });
  await writeFile(file, stringify({ defaults: { namespace, createNamespace: true, timeoutSeconds: 60 }, charts: Array.from({ length: charts }, (_, i) => chart(i)) }));
  return file;
}

for (const target of helmsUnderTest()) {
  describe(`CLI conventions with ${target.label}`, () => {
    const run = (file: string, ...args: string[]) => execa('node', [BIN, '-c', file, '--helm', target.binary, ...args], { reject: false, env: { ...process.env, CI: 'true' } });

    it('--debug prints each helm command with its duration, the sensitive value masked', async () => {
      const namespace = uniqueNamespace(`debug-${target.label}`);
      created.push({ target, namespace });
      const file = await stackFile(namespace, 1);
      // A cache folder of its own: helm's version is not known yet, so it is asked (and shown).
      const cache = await mkdtemp(join(tmpdir(), 'helmcycle-debug-cache-'));
      const applied = await execa('node', [BIN, '-c', file, '--helm', target.binary, '--debug', 'apply'], { reject: false, env: { ...process.env, CI: 'true', XDG_CACHE_HOME: cache } });
      assert.equal(applied.exitCode, 0, applied.stderr + applied.stdout);
      const lines = applied.stderr.split('\n').filter((l) => l.startsWith('helmcycle debug: '));
      // Flags first, then `--` and the positionals (release, chart): helm/argv-shape.ts.
      assert.ok(lines.some((l) => l.includes(`${target.binary} upgrade --install `) && l.includes(' -- web0 ') && / \(\d+ ms, exit 0\)$/.test(l)), applied.stderr);
      assert.ok(lines.some((l) => / version '?--template/.test(l)), 'helm version is shown too');
      assert.doesNotMatch(applied.stderr + applied.stdout, new RegExp(SECRET));
      const quiet = await run(file, 'apply');
      assert.doesNotMatch(quiet.stderr, /helmcycle debug:/, 'no debug lines without --debug');
    });

    it('template | head -1 ends with exit 0 and no EPIPE; destroy without --yes refuses and changes nothing', async () => {
      const namespace = uniqueNamespace(`pipe-${target.label}`);
      created.push({ target, namespace });
      const file = await stackFile(namespace, 6);
      const piped = await execa('bash', ['-c', 'node "$@" | head -1; echo "exit ${PIPESTATUS[0]}"', 'sh', BIN, '-c', file, '--helm', target.binary, 'template'], { reject: false, env: { ...process.env, CI: 'true' } });
      assert.deepEqual(piped.stdout.split('\n'), ['# chart: web0', 'exit 0'], piped.stderr);
      assert.doesNotMatch(piped.stderr, /EPIPE|Error/);

      const one = await stackFile(namespace, 1);
      assert.equal((await run(one, 'apply')).exitCode, 0);
      const refused = await run(one, 'destroy');
      assert.equal(refused.exitCode, 2, refused.stderr);
      assert.match(refused.stderr, /destroy asks for confirmation, and there is no terminal to ask on/);
      assert.equal((await target.helm.status({ release: 'web0', namespace }))?.status, 'deployed', 'nothing was destroyed');
      const confirmed = await run(one, 'destroy', '--yes');
      assert.equal(confirmed.exitCode, 0, confirmed.stderr);
      assert.equal(await target.helm.status({ release: 'web0', namespace }), undefined);
    });
  });
}
