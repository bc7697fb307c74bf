// A stack file is data: whatever a field holds, helm's argv keeps the shape helmcycle chose. Every value
// lands inside one `--flag=value` element or as a positional after the end-of-flags marker `--`, so no
// value starting with `-`, holding `=`, `,` or a newline becomes a flag (the audit's `chart:
// "--post-renderer=./evil.sh"` ran ./evil.sh). These call the argv builders directly, as if the load-time
// checks had been bypassed.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as argv from '../../src/helm/argv.js';
import { CliHelmClient } from '../../src/helm/cli-client.js';
import type { ChartSource, HelmVersion, UpgradeOptions, ValuesInput } from '../../src/helm/types.js';
import { OUR_FLAGS } from '../support/helm-flags.js';

const helm3: HelmVersion = { version: 'v3.17.2', major: 3, minor: 17, patch: 2 };
const helm4: HelmVersion = { version: 'v4.1.4', major: 4, minor: 1, patch: 4 };
const options: UpgradeOptions = {
  createNamespace: true, atomic: true, wait: true, waitForJobs: false, timeoutSeconds: 300, force: false,
  cleanupOnFail: false, historyMax: 10, skipCrds: false, disableHooks: false, takeOwnership: false, labels: {},
};
const noValues: ValuesInput = { values: [], valuesFiles: [], yamlFilesContent: [], setSensitive: {}, setJson: {}, set: {}, setString: {} };


const HOSTILE = [
  '--post-renderer=./evil.sh',
  '-f',
  '--',
  '--kubeconfig=/tmp/other',
  'a=b,c=d',
  'line\n--post-renderer=./evil.sh',
  'with space --post-renderer ./evil.sh',
];

/**
 * The argv is `words`, then only our flags, then `--`, then exactly `positionals`; and `hostile` appears
 * once, whole: as a positional, or as the value of one `--flag=` element.
 */
function assertShape(args: readonly string[], words: readonly string[], positionals: readonly string[], hostile: string): void {
  const shown = JSON.stringify(args);
  assert.deepEqual(args.slice(0, words.length), [...words], shown);
  const end = args.indexOf('--', words.length);
  assert.ok(end >= 0, `no end-of-flags marker: ${shown}`);
  assert.deepEqual(args.slice(end + 1), [...positionals], `positionals: ${shown}`);
  for (const element of args.slice(words.length, end)) {
    const name = /^--([a-z][a-z-]*)(=|$)/.exec(element)?.[1];
    assert.ok(name !== undefined && OUR_FLAGS.has(name), `${JSON.stringify(element)} is not one of helmcycle's flags: ${shown}`);
  }
  const whole = args.filter((element, index) => (index > end ? element === hostile : element.endsWith(`=${hostile}`) || element.endsWith(`=${hostile}"`)));
  assert.ok(whole.length >= 1, `${JSON.stringify(hostile)} is not one element: ${shown}`);
}

for (const hostile of HOSTILE) {
  describe(`a hostile value ${JSON.stringify(hostile)} stays data`, () => {
    const source: ChartSource = { chart: './web' };
    const ref = { release: 'web', namespace: 'apps' };

    it('as the release and the chart of upgrade and template (positionals after --)', () => {
      for (const version of [helm3, helm4]) {
        const input = { ...ref, release: hostile, source: { chart: hostile }, values: noValues, options };
        assertShape(argv.upgradeArgv(version, input, []), ['upgrade', '--install'], [hostile, hostile], hostile);
        assertShape(argv.upgradeArgv(version, { ...input, dryRun: true }, []), ['upgrade', '--install'], [hostile, hostile], hostile);
      }
      assertShape(argv.templateArgv({ ...ref, release: hostile, source: { chart: hostile }, values: noValues }, []), ['template'], [hostile, hostile], hostile);
      assertShape(argv.showChartArgv({ chart: hostile }), ['show', 'chart'], [hostile], hostile);
      assertShape(argv.pullArgv({ chart: hostile }, '/tmp/d'), ['pull'], [hostile], hostile);
    });

    it('as the namespace, version, repository, description and values files (inside --flag=value)', () => {
      const upgrade = (patch: object, files: string[] = []) =>
        argv.upgradeArgv(helm4, { ...ref, source, values: noValues, options, ...patch }, files);
      assertShape(upgrade({ namespace: hostile }), ['upgrade', '--install'], ['web', './web'], hostile);
      assertShape(upgrade({ source: { chart: 'web', version: hostile } }), ['upgrade', '--install'], ['web', 'web'], hostile);
      assertShape(upgrade({ source: { chart: 'web', repository: hostile } }), ['upgrade', '--install'], ['web', 'web'], hostile);
      assertShape(upgrade({ options: { ...options, description: hostile } }), ['upgrade', '--install'], ['web', './web'], hostile);
      assertShape(upgrade({}, [hostile, '/tmp/ok.yaml']), ['upgrade', '--install'], ['web', './web'], hostile);
      assertShape(argv.templateArgv({ ...ref, namespace: hostile, source: { chart: 'web', version: hostile, repository: hostile }, values: noValues }, [hostile]), ['template'], ['web', 'web'], hostile);
      assertShape(argv.pullArgv({ chart: 'web', repository: hostile }, hostile), ['pull'], ['web'], hostile);
    });

    it('as --set values and label values (one --flag= element each)', () => {
      const values: ValuesInput = { ...noValues, set: { a: hostile }, setString: { b: hostile }, setJson: { c: hostile } };
      const args = argv.upgradeArgv(helm3, { ...ref, source, values, options: { ...options, labels: { team: hostile } } }, []);
      const end = args.indexOf('--');
      assert.deepEqual(args.slice(end), ['--', 'web', './web']);
      assert.equal(args.filter((a) => a.startsWith('--set=')).length, 1);
      assert.equal(args.filter((a) => a.startsWith('--set-string=')).length, 1);
      assert.equal(args.filter((a) => a.startsWith('--set-json=')).length, 1);
      assert.equal(args.filter((a) => a.startsWith('--labels=')).length, 1);
      assert.ok(!args.slice(0, end).some((a) => a.startsWith('--post-renderer') || a.startsWith('--kubeconfig') || a === '-f'), JSON.stringify(args));
    });

    it('as the release of every other command and a test filter', () => {
      const release = { release: hostile, namespace: 'apps' };
      assertShape(argv.uninstallArgv({ ...release, wait: true, timeoutSeconds: 60 }), ['uninstall'], [hostile], hostile);
      for (const version of [helm3, helm4]) assertShape(argv.rollbackArgv(version, { ...release, revision: 3, wait: true, timeoutSeconds: 60 }), ['rollback'], [hostile, '3'], hostile);
      assertShape(argv.testArgv({ ...release, filter: [] }), ['test'], [hostile], hostile);
      assertShape(argv.testArgv({ release: 'web', namespace: 'apps', filter: [hostile] }), ['test'], ['web'], hostile);
      assertShape(argv.statusArgv(release), ['status'], [hostile], hostile);
      assertShape(argv.historyArgv(release), ['history'], [hostile], hostile);
      assertShape(argv.getValuesArgv({ ...release, revision: 2, all: true }), ['get', 'values'], [hostile], hostile);
      assertShape(argv.getManifestArgv(release), ['get', 'manifest'], [hostile], hostile);
      assertShape(argv.getManifestArgv({ release: 'web', namespace: hostile }), ['get', 'manifest'], ['web'], hostile);
      assertShape(argv.dependencyArgv(hostile, 'build', {}), ['dependency', 'build'], [hostile], hostile);
    });
  });
}

describe('the helm client itself', () => {
  it('gives helm the argv as built, with --kubeconfig= and --kube-context= before the end-of-flags marker', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-argv-client-'));
    // A stand-in helm that writes each argument it got on a line of its own (NUL-free by construction).
    const recorded = join(dir, 'argv');
    await writeFile(join(dir, 'helm'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${recorded}'\n`);
    await chmod(join(dir, 'helm'), 0o755);
    const hostile = '--post-renderer=./evil.sh';
    const client = new CliHelmClient({ binary: join(dir, 'helm'), kubeconfig: hostile, kubeContext: '-x', versionCacheDir: false, transientRetryBudgetMs: 0, knownVersion: helm4 });
    await client.uninstall({ release: hostile, namespace: 'apps', wait: false, timeoutSeconds: 5 });
    assert.deepEqual((await readFile(recorded, 'utf8')).split('\n').slice(0, -1), [
      'uninstall', '--namespace=apps', '--timeout=5s', '--ignore-not-found', `--kubeconfig=${hostile}`, '--kube-context=-x', '--', hostile,
    ]);
    await client.getManifest({ release: hostile, namespace: 'apps' });
    assert.deepEqual((await readFile(recorded, 'utf8')).split('\n').slice(0, -1), ['get', 'manifest', '--namespace=apps', `--kubeconfig=${hostile}`, '--kube-context=-x', '--', hostile]);
  });
});
