// A sentinel secret through every output path, with the real helmcycle command (bin/helmcycle.mjs) and
// Helm 3 and 4: a sensitive value and a private repository's password, rendered into a ConfigMap (as
// text and inside a base64 basic-auth header) and a Secret, through plan (text and JSON), apply (JSON
// events, --report), a failing apply whose chart echoes the value in its error, and status, with
// --debug lines. Sentinels of every shape: single-line, a multi-line PEM-like key re-indented into a
// ConfigMap by nindent (and base64 into a Secret), and a value sensitive in one chart that another
// chart's values file holds (each chart's output masked with every chart's secrets). While helm runs,
// every process's argv and environment is sampled. Afterwards no output, report, argv, environment or
// temporary file may hold a value in any common form, nor the namespace's digest key. A transform that
// throws with the values in its message fails `template` with no value shown. And a helmcycle killed
// with SIGKILL mid-upgrade leaves private folders that the next run removes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { env, eventually, helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const BIN = resolve('bin/helmcycle.mjs');
const TOKEN_CLIENT = resolve('test/fixtures/charts/token-client');

/**
 * Every form of a value a leak would take, computed here independently of helmcycle's masker: as is,
 * lower and upper case, JSON-escaped, URL-encoded, hex, and base64 (standard and URL-safe) of each case,
 * both alone and as the characters it shows inside a longer base64 text at each of the 3 byte offsets;
 * and the value's first 12 characters alone.
 */
function leakForms(value: string): string[] {
  const forms = new Set([value, value.toLowerCase(), value.toUpperCase(), JSON.stringify(value).slice(1, -1), encodeURIComponent(value), Buffer.from(value).toString('hex')]);
  for (const cased of [value, value.toLowerCase(), value.toUpperCase()]) {
    forms.add(Buffer.from(cased).toString('base64'));
    forms.add(Buffer.from(cased).toString('base64url'));
    for (const offset of [0, 1, 2]) {
      const encoded = Buffer.from('\0'.repeat(offset) + cased).toString('base64');
      // Leave out the characters that mix in the neighbouring bytes: 2 at each edge covers every offset.
      forms.add(encoded.slice(Math.ceil((offset * 8) / 6) + 1, Math.floor(((offset + cased.length) * 8) / 6) - 1));
    }
  }
  // Its random head alone, in any case: catches what no form above foresaw (an HTML escape, a cut line).
  const head = value.slice(0, 12);
  for (const cased of [head, head.toLowerCase(), head.toUpperCase()]) forms.add(cased);
  return [...forms].filter((f) => f.length >= 6);
}

function findLeaks(where: string, text: string, secrets: Record<string, string[]>): string[] {
  const found: string[] = [];
  for (const [name, forms] of Object.entries(secrets)) {
    for (const form of forms) if (text.includes(form)) found.push(`${where}: ${name} as ${JSON.stringify(form)}`);
  }
  return found;
}

/** The process tree under `root`, from /proc (pid → parent pid). */
function descendantsOf(root: number): Set<number> {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) if (!tree.has(pid) && tree.has(ppid)) (tree.add(pid), (grew = true));
  }
  return tree;
}

/** Samples every process's argv and environment while a command runs. */
class ProcessSampler {
  readonly samples: { pid: number; argv: string; environ: string; ours: boolean }[] = [];
  private readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  start(root: () => number | undefined): void {
    const tick = () => {
      const rootPid = root();
      const ours = rootPid ? descendantsOf(rootPid) : new Set<number>();
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
          const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
          const key = `${entry} ${argv}`;
          if (this.seen.has(key)) continue;
          this.seen.add(key);
          const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').replace(/\0/g, '\n');
          this.samples.push({ pid: Number(entry), argv, environ, ours: ours.has(Number(entry)) });
        } catch {
          // exited, or not readable
        }
      }
    };
    this.timer = setInterval(tick, 50);
    tick();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Every file under a folder, with its text (files over 4 MB, or last changed before `since`, skipped). */
async function filesUnder(dir: string, skip: (path: string) => boolean = () => false, since = 0): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (skip(path)) continue;
    try {
      const info = await stat(path);
      if (info.isDirectory()) out.push(...(await filesUnder(path, skip, since)));
      else if (info.isFile() && info.size < 4_000_000 && info.mtimeMs >= since) out.push({ path, text: await readFile(path, 'latin1') });
    } catch {
      // gone, or not readable
    }
  }
  return out;
}

/** A PEM-like private key of random lines (64 base64 characters each, as PEM has them). */
function pemSentinel(): { pem: string; lines: string[] } {
  const lines = [randomBytes(48), randomBytes(48), randomBytes(48), randomBytes(21)].map((bytes) => bytes.toString('base64'));
  return { pem: ['-----BEGIN PRIVATE KEY-----', ...lines, '-----END PRIVATE KEY-----', ''].join('\n'), lines };
}

const [helm3, helm4] = helmsUnderTest() as [HelmUnderTest, HelmUnderTest];

for (const target of [helm3, helm4]) {
  describe(`secrets stay secret with ${target.label}`, () => {
    const namespaces: string[] = [];
    const workspaces: string[] = [];
    after(async () => {
      for (const namespace of namespaces) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
      // Stack files hold the repository password: gone whatever the tests' outcome.
      for (const root of workspaces) await rm(root, { recursive: true, force: true });
    });

    async function workspace() {
      const root = await mkdtemp(join(tmpdir(), 'helmcycle-secrets-e2e-'));
      workspaces.push(root);
      const dirs = { root, tmp: join(root, 'tmp'), stack: join(root, 'stack'), out: join(root, 'out') };
      for (const dir of [dirs.tmp, dirs.stack, dirs.out]) await mkdir(dir, { mode: 0o700 });
      return dirs;
    }

    /** The environment helmcycle runs with: its own TMPDIR, and not the test's copy of the repository password. */
    function cliEnv(tmp: string): Record<string, string> {
      const { HELMCYCLE_CHART_REPO_PASSWORD: _password, ...rest } = process.env as Record<string, string>;
      return { ...rest, TMPDIR: tmp, CI: '1' };
    }

    function helmcycle(tmp: string, file: string, args: string[]): ResultPromise {
      return execa(process.execPath, [BIN, '-c', file, '--helm', target.binary, ...args], { env: cliEnv(tmp), extendEnv: false, reject: false, all: false });
    }

    it('never shows the sensitive value or the repository password, in any form, anywhere', async () => {
      const namespace = uniqueNamespace(`secrets-${target.label}`);
      namespaces.push(namespace);
      const started = Date.now();
      const dirs = await workspace();
      // Quote and backslash: helm's %q and JSON both escape them.
      const first = `Sntl${randomBytes(4).toString('hex')}-Tok"en\\x`;
      const second = `Sntl${randomBytes(4).toString('hex')}-Next"ok\\y`;
      // Sensitive in `client` only; `web`'s values file holds it too (rendered into web's ConfigMap).
      const crossChart = `Sntl${randomBytes(4).toString('hex')}-Db<p&w>`;
      const { pem, lines: pemLines } = pemSentinel();
      const secrets: Record<string, string[]> = {
        first: leakForms(first), second: leakForms(second), password: leakForms(env.repoPassword), crossChart: leakForms(crossChart),
        ...Object.fromEntries(pemLines.map((line, i) => [`pem line ${i + 1}`, leakForms(line)])),
      };
      const file = join(dirs.stack, 'helmcycle.yaml');
      // The PEM in web's values too: rendered `| quote`, a one-line string with \n escapes.
      await writeFile(join(dirs.stack, 'web-values.yaml'), stringify({ message: crossChart, config: { tlsKey: pem } }), { mode: 0o600 });
      const writeStack = (token: string, requirePrefix = '') =>
        writeFile(file, stringify({
          name: 'secrets',
          defaults: { namespace, createNamespace: true, timeoutSeconds: 120 },
          charts: [
            { name: 'client', chart: TOKEN_CLIENT, values: { api: { user: 'svc-e2e' } }, setSensitive: { 'auth.token': token, 'tls.key': pem, 'db.password': crossChart }, set: { 'auth.requirePrefix': requirePrefix } },
            {
              name: 'web', chart: 'web', repository: env.privateRepo, repositoryAuth: { username: env.repoUser, password: env.repoPassword },
              valuesFiles: ['web-values.yaml'], setSensitive: { 'config.token': token }, needs: ['client'],
            },
          ],
        }), { mode: 0o600 });

      const outputs: { what: string; text: string }[] = [];
      const sampler = new ProcessSampler();
      let running: ResultPromise | undefined;
      sampler.start(() => running?.pid);
      const step = async (what: string, args: string[], expectedCode: number) => {
        if (process.env.SECRETS_E2E_TRACE) console.error(`[${new Date().toISOString()}] ${target.label}: ${what}`);
        running = helmcycle(dirs.tmp, file, args);
        const result = await running;
        outputs.push({ what: `${what} stdout`, text: String(result.stdout) }, { what: `${what} stderr`, text: String(result.stderr) });
        assert.equal(result.exitCode, expectedCode, `${what}: ${result.stderr}`);
        return result;
      };
      try {
        await writeStack(first);
        await step('plan', ['--debug', 'plan'], 0);
        const planJson = await step('plan json', ['-o', 'json', 'plan'], 0);
        assert.match(String(planJson.stdout), /"type":"plan"/);
        const applied = await step('apply', ['--debug', '-o', 'json', '--report', join(dirs.out, 'apply.html'), 'apply'], 0);
        // The debug lines show helm's argv, the digest label on it included: checked below with the rest.
        assert.match(String(applied.stderr), /helmcycle debug: .*upgrade.*helmcycle\.dev\/digest=[0-9a-f]{40}/);
        await step('status', ['status'], 0);
        // A changed value: the diff of an upgrade shows a change, not the old or the new value.
        await writeStack(second);
        const diff = await step('plan after a change', ['plan'], 0);
        assert.match(String(diff.stdout), /sensitive value, changed|secret value of token, changed/);
        await step('plan json after a change', ['-o', 'json', 'plan'], 0);
        // The chart refuses the value and echoes it in its error (as given, lower-cased, base64).
        await writeStack(second, 'never-');
        const failed = await step('failing apply', ['--report', join(dirs.out, 'failed.html'), 'apply'], 1);
        assert.match(String(failed.stderr), /auth\.token must start with/);
        await step('failing apply json', ['--debug', '-o', 'json', 'apply'], 1);
        await step('status after the failure', ['-o', 'json', 'status'], 0);
      } finally {
        sampler.stop();
      }
      // The sampler saw helm itself at work, so the argv and environment checks below check something.
      assert.ok(sampler.samples.some((s) => s.ours && s.argv.includes(target.binary) && /\b(upgrade|template)\b/.test(s.argv)), 'helm processes were sampled');

      // The key of the release digests' HMAC (made by the first apply) is as secret as the values.
      const digestKey = await target.kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace, name: 'helmcycle-digest-key' });
      const keyBase64 = String((digestKey?.data as Record<string, string> | undefined)?.key ?? '');
      assert.equal(Buffer.from(keyBase64, 'base64').length, 32, 'the namespace has a digest key');
      secrets.digestKey = [keyBase64, Buffer.from(keyBase64, 'base64').toString('hex'), keyBase64.slice(0, 16)];

      // What only this test knows (the repository password is in the cluster's environment, which other processes share).
      const { password: _password, ...ownSecrets } = secrets;
      const leaks: string[] = [];
      for (const output of outputs) leaks.push(...findLeaks(output.what, output.text, secrets));
      for (const report of ['apply.html', 'failed.html']) leaks.push(...findLeaks(report, await readFile(join(dirs.out, report), 'utf8'), secrets));
      for (const sample of sampler.samples) {
        leaks.push(...findLeaks(`argv of ${sample.pid} (${sample.argv.slice(0, 60)})`, sample.argv, secrets));
        // Other processes (this test, other tests) were started with the cluster's env, password included.
        const environSecrets = sample.ours ? secrets : ownSecrets;
        leaks.push(...findLeaks(`environ of ${sample.pid} (${sample.argv.slice(0, 60)})`, sample.environ, environSecrets));
      }
      for (const entry of await filesUnder(dirs.tmp)) leaks.push(...findLeaks(entry.path, entry.text, secrets));
      // The machine's temporary folder too (files written since the test started), but for this test's own stack file.
      for (const entry of await filesUnder(tmpdir(), (path) => path === dirs.stack, started)) leaks.push(...findLeaks(entry.path, entry.text, ownSecrets));
      assert.deepEqual(leaks, []);
      assert.deepEqual((await readdir(dirs.tmp)).filter((name) => name.startsWith('helmcycle-')), [], 'no private folder left behind');
      // And the value really was deployed: the masking hid it, it did not drop it.
      const configMap = await target.kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'client-client' });
      assert.ok(String((configMap?.data as Record<string, string>)['client.yaml']).includes(JSON.stringify(first)));
      assert.ok(String((configMap?.data as Record<string, string>)['tls.yaml']).includes(`\n  ${pemLines[1]}\n`), 'the key, re-indented (under the block scalar\'s own indentation)');
      const webConfigMap = await target.kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'web-web' });
      assert.equal((webConfigMap?.data as Record<string, string>).message, crossChart);
      await rm(dirs.root, { recursive: true, force: true });
    });

    it("a transform that throws with the values in its message fails template, and shows none of them", async () => {
      const dirs = await workspace();
      const token = `Sntl${randomBytes(4).toString('hex')}-Xf"orm\\z`;
      const { pem, lines } = pemSentinel();
      const file = join(dirs.stack, 'helmcycle.config.ts');
      // The values from the environment, as a TypeScript stack is meant to take them; the transform
      // quotes the rendered ConfigMap, which holds the token and the key re-indented.
      await writeFile(file, `export default {
  name: 'transform-secrets',
  charts: [{
    name: 'client', namespace: 'default', chart: ${JSON.stringify(TOKEN_CLIENT)},
    setSensitive: { 'auth.token': process.env.E2E_TOKEN, 'tls.key': process.env.E2E_KEY },
    transform(manifests) {
      const configMap = manifests.find((o) => o.kind === 'ConfigMap');
      throw new Error('cannot handle ' + JSON.stringify(configMap.data));
    },
  }],
};
`, { mode: 0o600 });
      const result = await execa(process.execPath, [BIN, '-c', file, '--helm', target.binary, '--debug', 'template'], { env: { ...cliEnv(dirs.tmp), E2E_TOKEN: token, E2E_KEY: pem }, extendEnv: false, reject: false });
      const output = `${String(result.stdout)}\n${String(result.stderr)}`;
      assert.notEqual(result.exitCode, 0, output);
      assert.match(output, /transform threw: cannot handle/);
      const secrets = { token: leakForms(token), ...Object.fromEntries(lines.map((line, i) => [`pem line ${i + 1}`, leakForms(line)])) };
      const leaks = findLeaks('template', output, secrets);
      for (const entry of await filesUnder(dirs.tmp)) leaks.push(...findLeaks(entry.path, entry.text, secrets));
      assert.deepEqual(leaks, []);
      // What tsx compiled (the stack file among it) is this user's alone.
      const tsxCache = (await readdir(dirs.tmp)).filter((name) => name.startsWith('tsx-'));
      assert.ok(tsxCache.length > 0, 'tsx cached in the run\'s temporary folder');
      for (const name of tsxCache) assert.equal((await stat(join(dirs.tmp, name))).mode & 0o077, 0, `${name} is private`);
      await rm(dirs.root, { recursive: true, force: true });
    });

    /** A stack whose upgrade keeps helm waiting (pods that never become ready), with values and credentials on files. */
    async function slowStack(dirs: { stack: string }, namespace: string): Promise<string> {
      const file = join(dirs.stack, 'helmcycle.yaml');
      await writeFile(file, stringify({
        name: 'slow',
        defaults: { namespace, createNamespace: true, timeoutSeconds: 300 },
        charts: [{
          name: 'web', chart: 'web', repository: env.privateRepo, repositoryAuth: { username: env.repoUser, password: env.repoPassword },
          values: { fakeBehavior: 'never-ready' }, setSensitive: { 'config.token': `Sntl${randomBytes(4).toString('hex')}` },
        }],
      }), { mode: 0o600 });
      return file;
    }

    async function upgradingHelm(apply: ResultPromise): Promise<number> {
      return eventually('helm upgrading', async () => {
        for (const pid of descendantsOf(apply.pid!)) {
          try {
            if (/\bupgrade\b.*--install/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '))) return pid;
          } catch {
            // exited
          }
        }
        return undefined;
      }, 120_000);
    }

    const privateFolders = async (tmp: string) => (await readdir(tmp)).filter((name) => name.startsWith('helmcycle-')).sort();
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };

    it('a second Ctrl-C stops helm and removes the private folders before exiting 130', async () => {
      const namespace = uniqueNamespace(`secrets-int-${target.label}`);
      namespaces.push(namespace);
      const dirs = await workspace();
      const apply = helmcycle(dirs.tmp, await slowStack(dirs, namespace), ['apply']);
      const helmPid = await upgradingHelm(apply);
      assert.ok((await privateFolders(dirs.tmp)).length >= 2, 'values and credentials folders in use');
      // A helm slow to stop: stopped, it cannot act on the first Ctrl-C's SIGTERM, so the run is still
      // waiting for it when the second Ctrl-C comes (and SIGKILL ends even a stopped process).
      process.kill(helmPid, 'SIGSTOP');
      let result;
      let helmLeftRunning = true;
      try {
        process.kill(apply.pid!, 'SIGINT');
        await new Promise((r) => setTimeout(r, 1500));
        process.kill(apply.pid!, 'SIGINT');
        result = await apply;
        helmLeftRunning = alive(helmPid);
      } finally {
        if (alive(helmPid)) process.kill(helmPid, 'SIGKILL');
      }
      assert.equal(result.exitCode, 130, `signal ${result.signal}: ${String(result.stderr)}`);
      assert.equal(helmLeftRunning, false, 'helm was stopped, not orphaned');
      assert.deepEqual(await privateFolders(dirs.tmp), []);
      assert.match(String(result.stderr), /again: stopping helm and exiting/, 'the second Ctrl-C was the one that ended the run');
      await rm(dirs.root, { recursive: true, force: true });
    });

    it('removes on the next run what a helmcycle killed with SIGKILL mid-upgrade left', async () => {
      const namespace = uniqueNamespace(`secrets-kill-${target.label}`);
      namespaces.push(namespace);
      const dirs = await workspace();
      const file = await slowStack(dirs, namespace);
      const apply = helmcycle(dirs.tmp, file, ['apply']);
      const helmPid = await upgradingHelm(apply);
      const left = await privateFolders(dirs.tmp);
      // The chart was pulled once into the run's charts folder (the credentials' folder is gone by then:
      // only the pull used it); the values folder is in use by the upgrade.
      assert.ok(left.some((name) => name.includes('-charts-')) && left.some((name) => name.includes('-values-')), `private folders in use: ${left.join(', ')}`);
      process.kill(apply.pid!, 'SIGKILL');
      await apply;
      process.kill(helmPid, 'SIGKILL'); // the orphaned helm would otherwise wait out its timeout
      assert.deepEqual(await privateFolders(dirs.tmp), left, 'a SIGKILL leaves them');

      const next = await helmcycle(dirs.tmp, file, ['status']);
      assert.notEqual(next.exitCode, 2, String(next.stderr));
      assert.deepEqual(await privateFolders(dirs.tmp), [], 'the next run removed them');
      await rm(dirs.root, { recursive: true, force: true });
    });
  });
}
