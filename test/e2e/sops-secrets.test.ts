// A chart installed with a SOPS values file (made by the real sops, test/fixtures/sops/) and a ref+k8s
// reference to a Secret of the cluster, with the real helmcycle command and Helm 3 and Helm 4: the
// rendered ConfigMap and Secret hold the decrypted and referenced values; no output, helm argv or
// temporary file holds them; the release digest is keyed (the namespace's digest key exists), stable
// across runs (unchanged) and changes when the referenced Secret does (upgraded, read at run time).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { DIGEST_KEY_SECRET } from '../../src/lifecycle/digest-key.js';
import { helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const BIN = resolve('bin/helmcycle.mjs');
const TOKEN_CLIENT = resolve('test/fixtures/charts/token-client');
const SOPS_FILE = resolve('test/fixtures/sops/token-client.sops.yaml');
const AGE_KEY = resolve('test/fixtures/sops/age-key.txt');
/** The token the SOPS file holds (test/fixtures/sops/make-fixtures.sh). */
const TOKEN = 'Sentinel-Sops-9d41';

const forms = (value: string) => [value, value.toLowerCase(), Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64').slice(2, -2), Buffer.from(value).toString('hex')];

/** Every process's argv seen while a command runs (sampled from /proc every 50 ms). */
function sampleArgv(): { argv: string[]; stop: () => void } {
  const argv: string[] = [];
  const seen = new Set<string>();
  const tick = () => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const line = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
        if (!seen.has(line)) (seen.add(line), argv.push(line));
      } catch {
        // exited
      }
    }
  };
  const timer = setInterval(tick, 50);
  tick();
  return { argv, stop: () => clearInterval(timer) };
}

async function filesUnder(dir: string, since: number): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) out.push(...(await filesUnder(path, since)));
    else if (info?.isFile() && info.mtimeMs >= since && info.size < 4_000_000) out.push({ path, text: await readFile(path, 'latin1') });
  }
  return out;
}

for (const target of helmsUnderTest() as HelmUnderTest[]) {
  describe(`SOPS values and ref+k8s with ${target.label}`, () => {
    const namespaces: string[] = [];
    const folders: string[] = [];
    after(async () => {
      for (const name of namespaces) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name });
      for (const folder of folders) await rm(folder, { recursive: true, force: true });
    });

    it('installs with the decrypted and referenced values, which appear in no output, argv or file, under a keyed digest', async () => {
      const namespace = uniqueNamespace(`sops-${target.label}`);
      namespaces.push(namespace);
      const root = await mkdtemp(join(tmpdir(), 'helmcycle-sops-e2e-'));
      folders.push(root);
      const started = Date.now();
      const user = `usr-${randomBytes(5).toString('hex')}`;
      const nextUser = `usr-${randomBytes(5).toString('hex')}`;
      await target.kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      const upstream = (value: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'upstream', namespace }, data: { user: Buffer.from(value).toString('base64') } });
      await target.kube.createObject(upstream(user));
      const file = join(root, 'helmcycle.yaml');
      await writeFile(file, stringify({
        name: 'sops',
        charts: [{
          name: 'client', namespace, chart: TOKEN_CLIENT, timeoutSeconds: 120,
          secretValuesFiles: [SOPS_FILE],
          values: { api: { user: `ref+k8s://v1/Secret/${namespace}/upstream/user` } },
        }],
      }));
      const outputs: string[] = [];
      const sampler = sampleArgv();
      const run = async (args: string[]) => {
        const running: ResultPromise = execa(process.execPath, [BIN, '-c', file, '--helm', target.binary, ...args], { env: { ...process.env, SOPS_AGE_KEY_FILE: AGE_KEY, TMPDIR: root }, reject: false });
        const result = await running;
        outputs.push(String(result.stdout), String(result.stderr));
        assert.equal(result.exitCode, 0, String(result.stderr));
        return String(result.stdout).trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; chart?: string; outcome?: string });
      };
      const outcome = (lines: { type: string; outcome?: string }[]) => lines.find((e) => e.type === 'chart-finished')?.outcome;
      try {
        await run(['--debug', 'plan']);
        assert.equal(outcome(await run(['--debug', '-o', 'json', 'apply'])), 'installed');
        const configMap = await target.kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'client-client' });
        const clientYaml = String((configMap?.data as Record<string, string> | undefined)?.['client.yaml']);
        assert.match(clientYaml, new RegExp(`token: "${TOKEN}"`));
        assert.match(clientYaml, new RegExp(`user: ${user}`));
        const secret = await target.kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace, name: 'client-token' });
        assert.equal(Buffer.from(String((secret?.data as Record<string, string>).token), 'base64').toString(), TOKEN);
        // A keyed digest: the namespace's key was made, and the same inputs give the same digest.
        assert.ok(await target.kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace, name: DIGEST_KEY_SECRET }), 'the digest is keyed');
        assert.equal(outcome(await run(['-o', 'json', 'apply'])), 'unchanged');
        // The referenced Secret changes: read at run time, the release is upgraded.
        await target.kube.replaceObject({ ...upstream(nextUser), metadata: { ...upstream(nextUser).metadata, resourceVersion: (await target.kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace, name: 'upstream' }))!.metadata.resourceVersion } });
        assert.equal(outcome(await run(['-o', 'json', 'apply'])), 'upgraded');
        const after = await target.kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'client-client' });
        assert.match(String((after?.data as Record<string, string>)['client.yaml']), new RegExp(`user: ${nextUser}`));
      } finally {
        sampler.stop();
      }
      const leaks: string[] = [];
      const look = (where: string, text: string) => {
        for (const [name, value] of [['token', TOKEN], ['user', user], ['next user', nextUser]] as const) for (const form of forms(value)) if (text.includes(form)) leaks.push(`${where}: ${name} as ${form}`);
      };
      outputs.forEach((text, i) => look(`output ${i}`, text));
      sampler.argv.forEach((argv) => look('argv', argv));
      assert.ok(sampler.argv.some((a) => a.includes('--values=-')), 'helm read values from stdin');
      for (const { path, text } of await filesUnder(root, started)) if (path !== file) look(path, text);
      assert.deepEqual(leaks, []);
    });

    it('runs a helmfile imported with its secrets: and ref+ values as the helmfile would deploy it', async () => {
      const namespace = uniqueNamespace(`sops-import-${target.label}`);
      namespaces.push(namespace);
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-sops-import-e2e-'));
      folders.push(dir);
      const user = `usr-${randomBytes(5).toString('hex')}`;
      const endpoint = `https://api-${randomBytes(4).toString('hex')}.example.invalid`;
      await target.kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      await target.kube.createObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'upstream', namespace }, data: { user: Buffer.from(user).toString('base64') } });
      await cp(TOKEN_CLIENT, join(dir, 'token-client'), { recursive: true });
      await mkdir(join(dir, 'secrets'));
      await cp(SOPS_FILE, join(dir, 'secrets', 'token.sops.yaml'));
      await writeFile(join(dir, 'helmfile.yaml'), stringify({
        releases: [{
          name: 'imported', namespace, chart: './token-client',
          secrets: ['secrets/token.sops.yaml'],
          values: [{ api: { user: `ref+k8s://v1/Secret/${namespace}/upstream/user` } }],
          set: [{ name: 'api.endpoint', value: 'ref+env://IMPORTED_ENDPOINT' }],
        }],
      }));
      const cli = (args: string[]) => execa(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, SOPS_AGE_KEY_FILE: AGE_KEY, IMPORTED_ENDPOINT: endpoint, TMPDIR: dir }, reject: false });
      const imported = await cli(['import', 'helmfile.yaml']);
      assert.equal(imported.exitCode, 0, String(imported.stderr));
      const stack = await readFile(join(dir, 'helmcycle.yaml'), 'utf8');
      assert.match(stack, /secretValuesFiles:\n\s+- "?\.\/secrets\/token\.sops\.yaml"?/);
      assert.match(stack, /setSensitive:\n\s+api\.endpoint: "?ref\+env:\/\/IMPORTED_ENDPOINT"?/);
      const sampler = sampleArgv();
      let applied;
      try {
        applied = await cli(['-c', 'helmcycle.yaml', '--helm', target.binary, 'apply']);
      } finally {
        sampler.stop();
      }
      assert.equal(applied.exitCode, 0, String(applied.stderr));
      const clientYaml = String(((await target.kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'imported-client' }))?.data as Record<string, string>)['client.yaml']);
      assert.match(clientYaml, new RegExp(`token: "${TOKEN}"`));
      assert.match(clientYaml, new RegExp(`user: ${user}`));
      assert.ok(clientYaml.includes(`endpoint: ${endpoint}`));
      const shown = `${String(applied.stdout)}\n${String(applied.stderr)}\n${sampler.argv.join('\n')}`;
      for (const value of [TOKEN, user, endpoint]) assert.ok(!shown.includes(value), `${value} shown`);
    });
  });
}
