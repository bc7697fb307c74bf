// A no-change apply starts no helm process, under Helm 3 and Helm 4: release state comes from helm's
// storage, and helm's version is asked only when a helm command is about to run. Helm's starts are
// counted by a wrapper script that logs its first argument and execs the real binary. A native helm's
// version is remembered across runs (version-cache.ts); touching the file makes it another binary.
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { CliHelmClient } from '../../src/helm/cli-client.js';
import { env, fixtures, helmsUnderTest, uniqueNamespace } from './support.js';

const scratch = await mkdtemp(join(tmpdir(), 'helmcycle-processes-'));
// The version cache of these tests is their own, not the user's (the wrapper script is never cached).
const previousCache = process.env.XDG_CACHE_HOME;
process.env.XDG_CACHE_HOME = join(scratch, 'cache');
after(async () => {
  if (previousCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = previousCache;
  await rm(scratch, { recursive: true, force: true });
});

async function countingHelm(label: string, binary: string) {
  const path = join(scratch, `${label}-helm`);
  const log = join(scratch, `${label}-starts`);
  await writeFile(path, `#!/bin/sh\necho "$1" >> '${log}'\nexec '${binary}' "$@"\n`);
  await chmod(path, 0o755);
  await writeFile(log, '');
  return {
    path,
    starts: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean),
    reset: () => writeFile(log, ''),
  };
}

async function apply(helm: string, file: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(['-c', file, '--helm', helm, '--output', 'json', '--concurrency', '2', 'apply'], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    interactive: false,
  });
  const outcomes = stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; chart?: string; outcome?: string })
    .filter((e) => e.type === 'chart-finished')
    .map((e) => `${e.chart}:${e.outcome}`)
    .sort();
  return { code, stderr, outcomes };
}

for (const target of helmsUnderTest()) {
  describe(`helm processes of a run, ${target.label}`, () => {
    it('a no-change apply starts none', { timeout: 300_000 }, async () => {
      const namespace = uniqueNamespace(`procs-${target.label}`);
      const helm = await countingHelm(target.label, target.binary);
      const file = join(scratch, `${target.label}.yaml`);
      await writeFile(
        file,
        stringify({
          name: 'processes',
          defaults: { namespace, createNamespace: true, timeoutSeconds: 120 },
          charts: [
            { name: 'local', chart: resolve(fixtures.web) },
            { name: 'remote', chart: 'web', repository: env.repo, version: '1.0.0' },
          ],
        }),
      );
      try {
        const first = await apply(helm.path, file);
        assert.equal(first.code, 0, first.stderr);
        assert.deepEqual(first.outcomes, ['local:installed', 'remote:installed']);
        const firstStarts = await helm.starts();
        // One template (the objects the API server validates strictly, in place of helm's client-side
        // OpenAPI check) and one upgrade a release, and the script's version check: the repository chart
        // is downloaded without helm (no `show chart`, no `pull`), the local one read from its folder.
        assert.deepEqual([...firstStarts].sort(), ['template', 'template', 'upgrade', 'upgrade', 'version'], `the first apply starts only the renders and installs: ${firstStarts.join(', ')}`);

        await helm.reset();
        const again = await apply(helm.path, file);
        assert.equal(again.code, 0, again.stderr);
        assert.deepEqual(again.outcomes, ['local:unchanged', 'remote:unchanged']);
        // The counter is a script, and a script (like an asdf shim) may run another helm from one folder
        // to the next, so its version is never cached: the environment check asks it once per run. That
        // one `helm version` is all: no upgrade, status, get or show. A native helm is answered by the
        // version cache (next test), so a no-change apply with it starts no helm process at all.
        assert.deepEqual(await helm.starts(), ['version'], 'a no-change apply starts no helm process but the check of a script helm');
      } finally {
        await execa('kubectl', ['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found'], { reject: false });
      }
    });

    it("a native helm's version comes from the cache on the next run, until the file changes", async () => {
      const real = (await execa(target.binary, ['version', '--template', '{{.Version}}'])).stdout.trim();
      const dir = join(scratch, `native-${target.label}`);
      await mkdir(dir, { recursive: true });
      const binary = join(dir, 'helm');
      await copyFile(target.binary, binary);
      await chmod(binary, 0o755);
      const versionCacheDir = join(dir, 'cache');
      const client = () => new CliHelmClient({ binary, versionCacheDir });
      assert.equal(await client().knownVersion(), undefined, 'nothing known before helm was asked');
      assert.equal((await client().version()).version, real);
      // The entry, altered: only a client that reads the cache instead of asking helm can answer this.
      const cacheFile = join(versionCacheDir, 'helm-versions.json');
      assert.equal((await stat(cacheFile)).mode & 0o777, 0o600);
      const entries = JSON.parse(await readFile(cacheFile, 'utf8')) as { key: string; version: string }[];
      assert.equal(entries.length, 1);
      await writeFile(cacheFile, JSON.stringify([{ ...entries[0], version: 'v3.0.99' }]), { mode: 0o600 });
      assert.equal((await client().version()).version, 'v3.0.99', 'the next run reads the cache');
      assert.equal((await client().knownVersion())?.version, 'v3.0.99');
      const later = new Date(Date.now() + 60_000);
      await utimes(binary, later, later);
      assert.equal((await client().version()).version, real, 'another file (a new mtime): helm is asked again');
    });
  });
}
