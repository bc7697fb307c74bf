// helmcycle import: helmfile.yaml → stack, per field and per item it cannot convert, the stack loading
// with helmcycle's own loader, and bad input refused (exit 2, nothing written).
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { parseHelmfileYaml } from '../../src/cli/import.js';
import { convertHelmfile, type ImportResult } from '../../src/import/convert.js';
import { loadStack } from '../../src/stack/load.js';
import { selectCharts } from '../../src/stack/select.js';

const FIXTURES = resolve('test/fixtures/helmfile');

async function convertFixture(name: string): Promise<ImportResult> {
  const file = join(FIXTURES, name);
  const document = parseHelmfileYaml(await readFile(file, 'utf8'), file);
  const environmentFiles = { 'values/production.yaml': parse(await readFile(join(FIXTURES, 'values/production.yaml'), 'utf8')) };
  return convertHelmfile({ document, file, path: (p) => `./${p}`, environmentFiles });
}

const chartOf = (result: ImportResult, name: string) => result.stack.charts.find((c) => c.name === name)!;

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd });
  return { code, stdout, stderr };
}

/** A copy of the fixtures in a fresh folder, so written stacks and values files sit together. */
async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-'));
  await cp(FIXTURES, dir, { recursive: true });
  return dir;
}

describe('import: releases', () => {
  it('maps chart repo/name to chart and repository, with version, namespace, values, set, setString, labels and flags', async () => {
    const result = await convertFixture('plain.yaml');
    assert.deepEqual(chartOf(result, 'frontend'), {
      name: 'frontend',
      namespace: 'import-ns',
      chart: 'web',
      repository: 'http://charts.example.invalid',
      version: '1.0.0',
      values: [{ message: 'from-inline', config: { tier: 'frontend' } }],
      valuesFiles: ['./values/frontend.yaml'],
      set: { replicaCount: 2 },
      setString: { 'config.build': '0042' },
      labels: { tier: 'app' },
    });
    assert.deepEqual(chartOf(result, 'metrics'), {
      name: 'metrics',
      namespace: 'import-ns',
      chart: 'monitor-stack',
      repository: 'http://charts.example.invalid',
      version: '1.0.0',
      atomic: true,
      timeoutSeconds: 180,
      labels: { tier: 'infra' },
    });
    assert.deepEqual(result.notConverted, []);
  });

  it('turns helmDefaults into stack defaults, creating namespaces as helmfile does', async () => {
    const result = await convertFixture('plain.yaml');
    assert.deepEqual(result.stack.defaults, { createNamespace: true, wait: true, timeoutSeconds: 120, atomic: false });
  });

  it('maps needs (ns/name and name) to chart names and installed: false to a destroy', async () => {
    const result = await convertFixture('environments.yaml');
    assert.deepEqual(chartOf(result, 'api').needs, ['database']);
    assert.deepEqual(chartOf(result, 'legacy').needs, ['api']);
    assert.equal(chartOf(result, 'legacy').action, 'destroy');
    assert.equal(chartOf(result, 'api').action, undefined);
  });

  it('makes an oci: true repository an oci:// chart and keeps credentials as environment variables only', async () => {
    const result = await convertFixture('unconvertible.yaml');
    assert.equal(chartOf(result, 'gateway').chart, 'oci://registry.example.invalid/charts/web');
    assert.equal(chartOf(result, 'gateway').repository, undefined);
    assert.deepEqual(result.credentials, [
      { chart: 'gateway', username: { literal: 'deployer' }, passwordEnv: 'HELMFILE_REPO_PRIVATE_PASSWORD' },
      { chart: 'secrets-store', username: { env: 'VAULT_REPO_USER' }, passwordEnv: 'VAULT_REPO_PASSWORD' },
    ]);
  });

  it('resolves plain .Values references per environment: the default one in the chart, the others as overrides', async () => {
    const result = await convertFixture('environments.yaml');
    const api = chartOf(result, 'api');
    assert.deepEqual(api.values, [{ message: 'hello-default', config: { environment: 'default' } }]);
    assert.deepEqual(api.set, { replicaCount: 1 });
    assert.deepEqual(result.stack.environments, {
      production: { charts: { api: { values: [{ message: 'hello-production', config: { environment: 'production' } }], set: { replicaCount: 3 } } } },
    });
  });
});

describe('import: what it cannot convert', () => {
  const expected: [string, RegExp][] = [
    ['bases', /defaults and environments/],
    ['missingFileHandler', /refuses a missing values file/],
    ['helmDefaults.kubeContext', /--kube-context .*fleet targets/],
    ['helmDefaults.verify', /verify: true and keyring: on each repository or OCI chart/],
    ['environments.default.secrets', /setSensitive/],
    ['environments.default.values[0]', /environment, or a function in a TypeScript stack/],
    ['releases[0].hooks', /preExec .*postExec/],
    ['releases[0].values[0]', /\.gotmpl|valuesFiles/],
    ['releases[0].set[0].value', /function in a TypeScript stack/],
    ['repositories[private].password', /HELMFILE_REPO_PRIVATE_PASSWORD/],
    ['releases[1].wiat', /unknown key 'wiat'|by hand/],
  ];
  for (const [field, instead] of expected) {
    it(`lists ${field} with what replaces it`, async () => {
      const result = await convertFixture('unconvertible.yaml');
      const item = result.notConverted.find((i) => i.field === field);
      assert.ok(item, `${field} listed (listed: ${result.notConverted.map((i) => i.field).join(', ')})`);
      assert.match(`${item.what} ${item.instead}`, instead);
    });
  }

  it('lists a need on no release of the helmfile, and a second release of the same name, instead of dropping them', () => {
    const result = convertHelmfile({
      document: {
        releases: [
          { name: 'web', namespace: 'a', chart: './web', needs: ['kube-system/dns', 'a/web-db'] },
          { name: 'web-db', namespace: 'a', chart: './db' },
          { name: 'web', namespace: 'b', chart: './web' },
        ],
      },
      file: 'helmfile.yaml',
      path: (p) => p,
    });
    assert.deepEqual(result.stack.charts.map((c) => [c.name, c.namespace, c.needs]), [['web', 'a', ['web-db']], ['web-db', 'a', undefined]]);
    assert.match(result.notConverted.find((i) => i.field === 'releases[0].needs[0]')!.what, /kube-system\/dns/);
    assert.match(result.notConverted.find((i) => i.field === 'releases[2]')!.what, /second release named 'web'/);
  });

  it('resolves a templated installed per environment: a destroy where the environment turns it off', () => {
    const result = convertHelmfile({
      document: {
        environments: { default: { values: [{ cache: true }] }, lean: { values: [{ cache: false }] } },
        releases: [{ name: 'cache', chart: './web', installed: '{{ .Values.cache }}' }],
      },
      file: 'helmfile.yaml',
      path: (p) => p,
    });
    assert.equal(result.stack.charts[0]!.action, undefined);
    assert.deepEqual(result.stack.environments, { lean: { charts: { cache: { action: 'destroy' } } } });
  });

  it('lists a values file that an environment replaces, since helmcycle adds an environment\'s files', () => {
    const result = convertHelmfile({
      document: { environments: { default: null, prod: null }, releases: [{ name: 'web', chart: './web', values: ['values/{{ .Environment.Name }}.yaml'] }] },
      file: 'helmfile.yaml',
      path: (p) => p,
    });
    assert.deepEqual(result.stack.charts[0]!.valuesFiles, ['values/default.yaml']);
    assert.deepEqual(result.stack.environments, { prod: { charts: { web: { valuesFiles: ['values/prod.yaml'] } } } });
    assert.match(result.notConverted.find((i) => i.field === 'releases[0].values')!.what, /values\/default\.yaml .*replaced/);
  });

  it('lists nothing twice and nothing it did not find', async () => {
    const result = await convertFixture('unconvertible.yaml');
    assert.deepEqual(result.notConverted.map((i) => i.field).sort(), expected.map(([f]) => f).sort());
  });
});

describe('import: the command', () => {
  it('writes a YAML stack that helmcycle loads, with the not-converted block, and selects by the imported labels', async () => {
    const dir = await workspace();
    const out = await run(['import', 'environments.yaml'], dir);
    assert.equal(out.code, 0, out.stderr);
    const stack = await loadStack(undefined, { cwd: dir });
    assert.deepEqual(stack.charts.map((c) => c.name), ['database', 'api', 'legacy']);
    assert.deepEqual([...selectCharts(stack.charts.map((c) => ({ name: c.name, labels: (c.definition as { labels: Record<string, string> }).labels })), { selectors: ['tier=app,!legacy'] })], ['api']);
    const production = await loadStack(join(dir, 'helmcycle.yaml'), { environment: 'production' });
    // helmfile renders the whole file as text before reading it as YAML: a quoted template gives a string
    // (helm's --set reads '3' as a number all the same).
    assert.deepEqual((production.charts[1]!.definition as { set: Record<string, unknown> }).set, { replicaCount: '3' });
  });

  it('lists each item on stderr and in a # not converted: block, and never writes the literal password', async () => {
    for (const format of [[], ['--ts']]) {
      const dir = await workspace();
      const out = await run(['import', 'unconvertible.yaml', '--out', format.length ? 'stack.ts' : 'stack.yaml', ...format], dir);
      assert.equal(out.code, 0, out.stderr);
      const written = await readFile(join(dir, format.length ? 'stack.ts' : 'stack.yaml'), 'utf8');
      assert.match(written, /not converted:/);
      for (const field of ['releases[0].hooks', 'helmDefaults.kubeContext', 'releases[1].wiat']) {
        assert.ok(out.stderr.includes(`not converted: ${field}:`), `${field} on stderr`);
        assert.ok(written.includes(`- ${field}:`), `${field} in the file`);
      }
      assert.ok(!written.includes('s3cr3t-literal-password') && !out.stderr.includes('s3cr3t-literal-password') && !out.stdout.includes('s3cr3t-literal-password'));
      if (format.length) assert.match(written, /password: process\.env\.HELMFILE_REPO_PRIVATE_PASSWORD!/);
    }
  });

  it('writes a TypeScript stack (--ts) that helmcycle loads, credentials read from the environment', async () => {
    const dir = await workspace();
    const out = await run(['import', 'unconvertible.yaml', '--ts'], dir);
    assert.equal(out.code, 0, out.stderr);
    const file = join(dir, 'helmcycle.config.ts');
    // 'helmcycle/config' resolves only where helmcycle is installed; here the source stands in for it.
    const source = (await readFile(file, 'utf8')).replace("'helmcycle/config'", JSON.stringify(resolve('src/config.ts')));
    await writeFile(file, source);
    process.env.HELMFILE_REPO_PRIVATE_PASSWORD = 'from-env-1';
    process.env.VAULT_REPO_USER = 'vault-user';
    process.env.VAULT_REPO_PASSWORD = 'from-env-2';
    try {
      const stack = await loadStack(file);
      const auth = (name: string) => (stack.charts.find((c) => c.name === name)!.definition as { repositoryAuth: unknown }).repositoryAuth;
      assert.deepEqual(auth('gateway'), { username: 'deployer', password: 'from-env-1' });
      assert.deepEqual(auth('secrets-store'), { username: 'vault-user', password: 'from-env-2' });
    } finally {
      delete process.env.HELMFILE_REPO_PRIVATE_PASSWORD;
      delete process.env.VAULT_REPO_USER;
      delete process.env.VAULT_REPO_PASSWORD;
    }
  });

  it('refuses to overwrite without --force, and replaces with it', async () => {
    const dir = await workspace();
    await writeFile(join(dir, 'helmcycle.yaml'), 'mine\n');
    const refused = await run(['import', 'plain.yaml'], dir);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /helmcycle\.yaml exists.*--force/s);
    assert.equal(await readFile(join(dir, 'helmcycle.yaml'), 'utf8'), 'mine\n');
    const forced = await run(['import', 'plain.yaml', '--force'], dir);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(await readFile(join(dir, 'helmcycle.yaml'), 'utf8'), /name: frontend/);
  });

  const bad: [string, string, RegExp][] = [
    ['not YAML', 'releases:\n  - name: a\n   chart: [x\n', /broken\.yaml: not valid YAML[\s\S]*line \d+, column \d+/],
    ['a template block on a value no environment sets', '{{ if .Values.on }}\nreleases: []\n{{ end }}\n', /broken\.yaml:1: document 1 cannot be rendered[\s\S]*\.Values\.on is not set/],
    ['not a helmfile (no releases)', 'apiVersion: v1\nkind: ConfigMap\n', /broken\.yaml: not a helmfile[\s\S]*releases/],
    ['a release without a chart', 'releases:\n  - name: web\n', /broken\.yaml: not a helmfile[\s\S]*releases\[0\]\.chart/],
    ['a wrong type', 'releases:\n  - name: web\n    chart: ./web\n    timeout: soon\n', /releases\[0\]\.timeout/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what} with exit 2, naming the file and the field, writing nothing`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-bad-'));
      await writeFile(join(dir, 'broken.yaml'), text);
      const out = await run(['import', 'broken.yaml'], dir);
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr, message);
      await assert.rejects(readFile(join(dir, 'helmcycle.yaml')));
    });
  }
});
