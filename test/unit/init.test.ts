// `helmcycle init` and `--version`, in-process against temporary folders: what each format writes, that
// what it writes loads and resolves as plan would load it, and that it never overwrites a file. The e2e
// test (test/e2e/package.test.ts) does the same from the packed npm package against the cluster.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { releaseNameFor } from '../../src/cli/init-scaffold.js';
import { loadStack } from '../../src/stack/load.js';

async function folder(packageJson?: object): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-init-'));
  if (packageJson) await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson));
  return dir;
}

async function cli(dir: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd: dir });
  return { code, stdout, stderr };
}

const chartArgs = ['--chart', 'web', '--repo', 'http://127.0.0.1:8879', '--chart-version', '1.0.0'];

describe('helmcycle init', () => {
  const cases = [
    { format: 'ts', file: 'helmcycle.config.ts', pkg: {}, expect: /^import \{ defineStack \} from 'helmcycle\/config';$/m },
    { format: 'mts', file: 'helmcycle.config.mts', pkg: {}, expect: /^export default defineStack\(\{$/m },
    { format: 'js', file: 'helmcycle.config.js', pkg: {}, expect: /^const \{ defineStack \} = require\('helmcycle\/config'\);$/m },
    { format: 'js', file: 'helmcycle.config.js', pkg: { type: 'module' }, expect: /^import \{ defineStack \} from 'helmcycle\/config';$/m },
    { format: 'yaml', file: 'helmcycle.yaml', pkg: {}, expect: /^# yaml-language-server: \$schema=\S+\/schema\/helmcycle\.schema\.json$/m },
  ];
  for (const c of cases) {
    it(`--format ${c.format}${c.pkg.type ? ` (package type ${c.pkg.type})` : ''} writes ${c.file}${c.format === 'yaml' ? ', which loads as the stack it says' : ''}`, async () => {
      const dir = await folder(c.pkg);
      const result = await cli(dir, ['init', '--format', c.format, ...chartArgs]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `wrote ${c.file}: release web in namespace web, chart web from http://127.0.0.1:8879\nnext: npx helmcycle plan\n`);
      const text = await readFile(join(dir, c.file), 'utf8');
      assert.match(text, c.expect);
      if (c.format !== 'yaml') return; // a TS or JS config imports 'helmcycle/config', which only the e2e test's installed package resolves
      const stack = await loadStack(undefined, { cwd: dir });
      assert.deepEqual(stack.charts.map((ch) => [ch.name, ch.definition.namespace, ch.definition.chart, ch.definition.repository, ch.definition.version, ch.definition.createNamespace]), [
        ['web', 'web', 'web', 'http://127.0.0.1:8879', '1.0.0', true],
      ]);
    });
  }

  it('without --chart writes the podinfo example and says it is one', async () => {
    const dir = await folder({});
    const result = await cli(dir, ['init']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^wrote helmcycle\.config\.ts: release podinfo in namespace podinfo, chart podinfo from https:\/\/stefanprodan\.github\.io\/podinfo \(an example/);
    assert.match(await readFile(join(dir, 'helmcycle.config.ts'), 'utf8'), /podinfo is an example chart/);
  });

  it('never overwrites: an existing file is exit 2, left as it was', async () => {
    const dir = await folder({});
    await writeFile(join(dir, 'helmcycle.config.ts'), '// mine\n');
    const result = await cli(dir, ['init', ...chartArgs]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /helmcycle\.config\.ts already exists; init never overwrites a file/);
    assert.equal(await readFile(join(dir, 'helmcycle.config.ts'), 'utf8'), '// mine\n');
  });

  it('refuses a second stack file plan could pick instead of the first', async () => {
    const dir = await folder({});
    await writeFile(join(dir, 'helmcycle.yaml'), 'charts: []\n');
    const result = await cli(dir, ['init', ...chartArgs]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /helmcycle\.yaml already holds this folder's stack/);
    await assert.rejects(readFile(join(dir, 'helmcycle.config.ts')), { code: 'ENOENT' });
  });

  it('-c FILE writes that file, in the format its name says, anchoring a local chart at its folder', async () => {
    const dir = await folder({ type: 'module' });
    const result = await cli(dir, ['-c', 'missing/stack.cjs', 'init', '--chart', './charts/web']);
    assert.equal(result.code, 2, 'the folder does not exist');
    assert.match(result.stderr, /cannot write missing\/stack\.cjs/);
    await mkdir(join(dir, 'deploy'));
    const ok = await cli(dir, ['-c', 'deploy/stack.cjs', 'init', '--chart', './charts/web']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.split('\n')[1], 'next: npx helmcycle -c deploy/stack.cjs plan');
    const text = await readFile(join(dir, 'deploy/stack.cjs'), 'utf8');
    assert.match(text, /^const \{ defineStack \} = require\('helmcycle\/config'\);$/m, 'a .cjs file is CommonJS whatever the package type');
    assert.match(text, /chart: '\.\.\/charts\/web',/);
  });

  it('bad options are exit 2 naming the option, and nothing is written', async () => {
    const dir = await folder({});
    for (const [args, message] of [
      [['init', '--format', 'toml'], /unknown format 'toml'/],
      [['init', '--repo', 'http://x'], /--repo and --chart-version need --chart/],
      [['init', '--chart', 'web', '--namespace', 'Bad_NS'], /namespace: a namespace is lowercase letters/],
      [['-c', 'stack.yaml', 'init', '--format', 'ts'], /stack\.yaml is not a ts file/],
    ] as const) {
      const result = await cli(dir, [...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    }
    await assert.rejects(readFile(join(dir, 'helmcycle.config.ts')), { code: 'ENOENT' });
  });

  it('names a release after its chart', () => {
    assert.equal(releaseNameFor('oci://registry.example/charts/web-api'), 'web-api');
    assert.equal(releaseNameFor('./charts/Web_App/'), 'web-app');
    assert.equal(releaseNameFor('dist/web-1.2.3.tgz'), 'web');
    assert.equal(releaseNameFor('ingress-nginx'), 'ingress-nginx');
  });
});

describe('helmcycle --version', () => {
  it("prints the version of helmcycle's package.json", async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await cli(await folder(), ['--version']);
    assert.deepEqual(result, { code: 0, stdout: `${version}\n`, stderr: '' });
  });
});
