// Issue 24, item 1, with real Helm 3 and Helm 4: a YAML stack is data, and no field of it becomes a helm
// flag. The audit's stack, `chart: "--post-renderer=./evil.sh"`, made `helmcycle template` run ./evil.sh
// under Helm 3. Now the stack is refused when it is loaded (exit 2, file, chart and field named), and even
// a request that skips the checks (the helm client called directly) gives helm the value as a positional
// after `--`, which helm reads as a chart it cannot find. Each case looks for the file evil.sh would make.
import assert from 'node:assert/strict';
import { access, chmod, cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { CliHelmClient } from '../../src/helm/cli-client.js';
import type { ValuesInput } from '../../src/helm/types.js';
import { fixtures, helmsUnderTest, runCli } from './support.js';

const BIN = resolve('bin/helmcycle.mjs');
const noValues: ValuesInput = { values: [], valuesFiles: [], yamlFilesContent: [], setSensitive: {}, setJson: {}, set: {}, setString: {} };

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * A folder as the attacker leaves it: the stack, an executable evil.sh that would create `marker`, and
 * a chart folder named `web` (helm reads the bare name `web` as that folder, so a render would reach the
 * post-renderer as it did in the audit).
 */
async function attackFolder(chart: (dir: string) => string) {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-hostile-e2e-'));
  const marker = join(dir, 'PWNED');
  const evil = join(dir, 'evil.sh');
  await writeFile(evil, `#!/bin/sh\ntouch '${marker}'\ncat\n`);
  await chmod(evil, 0o755);
  await cp(resolve(fixtures.web), join(dir, 'web'), { recursive: true });
  const file = join(dir, 'helmcycle.yaml');
  await writeFile(file, stringify({ charts: [{ name: 'web', chart: chart(dir) }] }));
  return { dir, file, marker, evil };
}

for (const target of helmsUnderTest()) {
  describe(`a stack field never becomes a helm flag, ${target.label}`, () => {
    it('the audit\'s stack: template from its folder exits 2 naming file, chart and field, and evil.sh never runs', async () => {
      const { dir, file, marker } = await attackFolder(() => '--post-renderer=./evil.sh');
      const run = await execa('node', [BIN, '--helm', target.binary, 'template'], { cwd: dir, reject: false, env: { ...process.env, CI: 'true' } });
      assert.equal(run.exitCode, 2, run.stderr + run.stdout);
      assert.match(run.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: chart 'web' has an invalid spec`));
      assert.match(run.stderr, /- chart: a chart reference cannot start with '-'/);
      assert.equal(await exists(marker), false, 'evil.sh ran');
    });

    it('the same with an absolute path, through runCli (in this process)', async () => {
      const { file, marker } = await attackFolder((dir) => `--post-renderer=${join(dir, 'evil.sh')}`);
      const run = await runCli(target, file, 'template');
      assert.equal(run.code, 2, run.stderr + run.stdout);
      assert.match(run.stderr, /chart 'web' has an invalid spec:\n {2}- chart: /);
      assert.equal(await exists(marker), false, 'evil.sh ran');
    });

    it('with the checks skipped, helm gets the value after -- and finds no such chart: evil.sh never runs', async () => {
      const { dir, marker, evil } = await attackFolder(() => 'unused');
      const debug: string[] = [];
      const helm = new CliHelmClient({ binary: target.binary, cwd: dir, versionCacheDir: false, transientRetryBudgetMs: 0, debug: (line) => debug.push(line) });
      for (const chart of ['--post-renderer=./evil.sh', `--post-renderer=${evil}`]) {
        await assert.rejects(helm.template({ release: 'web', namespace: 'default', source: { chart }, values: noValues }));
        assert.equal(await exists(marker), false, `evil.sh ran for chart ${chart}`);
      }
      // What helm was given: every flag before `--`, the release and the hostile chart after it.
      const calls = debug.filter((line) => line.includes(' template '));
      assert.equal(calls.length, 2, debug.join('\n'));
      for (const line of calls) {
        const [flags, positionals] = line.split(' -- ');
        assert.ok(!flags!.includes('post-renderer'), line);
        assert.match(positionals!, /^web '?--post-renderer=/, line);
      }
    });
  });
}
