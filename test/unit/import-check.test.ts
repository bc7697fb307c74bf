// import --check: the imported stack against helmfile's own rendering, with helmfile behind its seam
// (a fake here; test/e2e/import-deploy.test.ts compares a real deployment against helmfile's recorded
// output). Releases, namespaces, chart versions, digests and rendered objects are compared per
// environment; a difference, a failing helmfile or no helmfile at all is exit 1, said plainly.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { runImport } from '../../src/cli/import.js';
import { runCommandLine } from '../../src/cli/main.js';
import { compareManifests, compareReleases, helmfileReleases, stackReleases } from '../../src/import/check-compare.js';
import { checkImport, withoutCharts, type HelmfileProcess } from '../../src/import/check.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** A fake helmfile: answers list and template per environment, records each argv. */
function fakeHelmfile(answers: Record<string, { list: unknown[]; template: string; fail?: string }>, present = true): HelmfileProcess & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    locate: async () => (present ? '/fake/bin/helmfile' : undefined),
    run: async (_binary, args) => {
      calls.push([...args]);
      const env = args.find((a) => a.startsWith('--environment='))!.slice('--environment='.length);
      const answer = answers[env]!;
      if (answer.fail) return { exitCode: 1, stdout: '', stderr: answer.fail };
      return args.includes('list') ? { exitCode: 0, stdout: JSON.stringify(answer.list), stderr: '' } : { exitCode: 0, stdout: answer.template, stderr: '' };
    },
  };
}

const configMap = (name: string, message: string) => `---\n# Source: web/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  message: ${JSON.stringify(message)}\n`;
const listed = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'shop', enabled: true, installed: true, labels: '', chart: 'local/web', version: '1.0.0', ...extra });

describe('import --check: comparing', () => {
  it('lists releases only on one side, and namespace, chart, version and digest differences', () => {
    const theirs = helmfileReleases(JSON.stringify([listed('api', { namespace: 'shop-prod' }), listed('worker', { chart: 'registry/worker', version: `2.0.0@${DIGEST}` }), listed('gone'), listed('off', { installed: false })]));
    const ours = stackReleases([
      { name: 'api', definition: { chart: 'web', repository: 'http://x', version: '1.0.0', namespace: 'shop' } },
      { name: 'worker', definition: { chart: 'oci://r.example/charts/worker', version: '2.0.0', namespace: 'shop' } },
      { name: 'extra', definition: { chart: './charts/web', namespace: 'shop' } },
      { name: 'off', definition: { chart: 'web', version: '1.0.0', namespace: 'shop', action: 'destroy' } },
    ]);
    const what = compareReleases('production', theirs, ours).map((d) => d.what);
    assert.deepEqual(what.sort(), [
      "release 'api': namespace shop-prod in helmfile, shop in the stack",
      "release 'extra': the stack deploys it, helmfile does not",
      "release 'gone': helmfile deploys it, the stack does not",
      `release 'worker': digest ${DIGEST} in helmfile, (none) in the stack`,
    ].sort());
  });

  it('lists objects only on one side and the first field where one differs', () => {
    const what = compareManifests('default', configMap('a', 'hello') + configMap('b', 'x'), configMap('a', 'hullo') + configMap('c', 'x')).map((d) => d.what);
    assert.deepEqual(what, ['ConfigMap -/a: differs at data.message', 'ConfigMap -/b: helmfile renders it, the stack does not', 'ConfigMap -/c: the stack renders it, helmfile does not']);
    assert.deepEqual(compareManifests('default', configMap('a', 'same'), `# chart: a\n${configMap('a', 'same')}`), []);
  });

  it("drops the charts a stack destroys from helmcycle's template output", () => {
    const rendered = `# chart: api\n${configMap('api', 'x')}---\n# chart: legacy\n${configMap('legacy', 'y')}---\n`;
    assert.deepEqual(compareManifests('default', configMap('api', 'x'), withoutCharts(rendered, new Set(['legacy']))), []);
  });
});

describe('import --check: running helmfile', () => {
  const charts = [{ name: 'api', definition: { chart: 'web', version: '1.0.0', namespace: 'shop' } }];
  const envs = [{ helmfileEnvironment: 'default', stackEnvironment: undefined, charts }, { helmfileEnvironment: 'production', stackEnvironment: 'production', charts }];
  const render = async (environment: string | undefined) => ({ code: 0, stdout: `# chart: api\n${configMap('api', environment ?? 'default')}`, stderr: '' });

  it('without helmfile on PATH compares nothing and says so', async () => {
    let rendered = false;
    const result = await checkImport({ file: '/h/helmfile.yaml', dir: '/h' }, envs, { helmfile: fakeHelmfile({}, false), render: async (e) => ((rendered = true), render(e)), mask: (t) => t });
    assert.equal(result.status, 'unavailable');
    assert.equal(rendered, false);
  });

  it('asks helmfile per environment with one --environment= argument each, and finds what differs', async () => {
    const helmfile = fakeHelmfile({
      default: { list: [listed('api')], template: configMap('api', 'default') },
      production: { list: [listed('api', { version: '1.1.0' })], template: configMap('api', 'prod') },
    });
    const result = await checkImport({ file: '/h/helmfile.yaml', dir: '/h', helmBinary: '/bin/helm3' }, envs, { helmfile, render, mask: (t) => t });
    assert.equal(result.status, 'compared');
    assert.deepEqual(result.status === 'compared' && result.differences, [
      { environment: 'production', what: "release 'api': version 1.1.0 in helmfile, 1.0.0 in the stack" },
      { environment: 'production', what: 'ConfigMap -/api: differs at data.message' },
    ]);
    assert.deepEqual(helmfile.calls[0], ['--file=/h/helmfile.yaml', '--environment=default', '--helm-binary=/bin/helm3', 'list', '--output', 'json']);
    assert.deepEqual(helmfile.calls[3], ['--file=/h/helmfile.yaml', '--environment=production', '--helm-binary=/bin/helm3', 'template']);
  });

  it("masks helmfile's failure and rendering with the stack's masker, and refuses a flag-like environment name", async () => {
    const helmfile = fakeHelmfile({ default: { list: [listed('api')], template: '', fail: 'decrypting: token Sentinel-Check-55' } });
    const mask = (t: string) => t.replaceAll('Sentinel-Check-55', '***');
    const failed = await checkImport({ file: '/h/f', dir: '/h' }, envs.slice(0, 1), { helmfile, render, mask });
    assert.equal(failed.status, 'failed');
    assert.ok(failed.status === 'failed' && failed.reason.includes('token ***') && !failed.reason.includes('Sentinel'));
    const odd = await checkImport({ file: '/h/f', dir: '/h' }, [{ ...envs[0]!, helmfileEnvironment: '--kubeconfig=/x' }], { helmfile, render, mask });
    assert.equal(odd.status, 'failed');
  });
});

describe('import --check: the command', () => {
  async function helmfileDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-check-'));
    await writeFile(join(dir, 'helmfile.yaml'), stringify({
      environments: { default: { values: [{ replicas: 1 }] }, production: { values: [{ replicas: 3 }] } },
      repositories: [{ name: 'local', url: 'http://charts.example.invalid' }],
      releases: [{ name: 'api', namespace: 'shop', chart: 'local/web', version: '1.0.0', set: [{ name: 'replicaCount', value: '{{ .Values.replicas }}' }] }],
    }));
    return dir;
  }
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t) } };
  };

  it('writes the stack, and exits 1 saying the check was not done when helmfile is not on PATH', async () => {
    const dir = await helmfileDir();
    let stdout = '';
    let stderr = '';
    const code = await runCommandLine(['import', 'helmfile.yaml', '--check'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd: dir }, { helmfile: fakeHelmfile({}, false) });
    assert.equal(code, 1, stdout + stderr);
    assert.match(stderr, /check: not done: helmfile is not on PATH/);
    assert.match(await readFile(join(dir, 'helmcycle.yaml'), 'utf8'), /name: "?api"?/);
  });

  it("renders each environment of the written stack with template and passes only when helmfile's rendering matches", async () => {
    const dir = await helmfileDir();
    const nested: string[][] = [];
    const template = (env: string | undefined) => `# chart: api\n${configMap('api-web', env === 'production' ? '3' : '1')}`;
    const nestedRun = async (argv: readonly string[], nestedIo: { stdout: (t: string) => void }) => {
      nested.push([...argv]);
      const env = argv.includes('--env') ? argv[argv.indexOf('--env') + 1] : undefined;
      nestedIo.stdout(template(env));
      return 0;
    };
    const same = fakeHelmfile({ default: { list: [listed('api')], template: template(undefined) }, production: { list: [listed('api')], template: template('production') } });
    const ok = io();
    assert.equal(await runImport('helmfile.yaml', { check: true }, dir, ok.io, { helmfile: same, nested: nestedRun as never, globals: { helm: '/bin/helm3' } }), 0, ok.out.stderr);
    assert.match(ok.out.stdout, /check: the stack matches helmfile's rendering in default, production/);
    assert.deepEqual(nested.map((a) => a.slice(-3)), [['--helm', '/bin/helm3', 'template'], ['--env', 'production', 'template']]);

    const other = fakeHelmfile({ default: { list: [listed('api')], template: template(undefined) }, production: { list: [listed('api'), listed('extra')], template: template(undefined) } });
    const bad = io();
    assert.equal(await runImport('helmfile.yaml', { check: true, force: true, output: 'json' }, dir, bad.io, { helmfile: other, nested: nestedRun as never, globals: {} }), 1);
    const report = JSON.parse(bad.out.stdout) as { check: { status: string; differences: { environment: string; what: string }[] } };
    assert.deepEqual(report.check.differences, [
      { environment: 'production', what: "release 'extra': helmfile deploys it, the stack does not" },
      { environment: 'production', what: 'ConfigMap -/api-web: differs at data.message' },
    ]);
  });
});
