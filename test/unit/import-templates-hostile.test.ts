// A helmfile with templates, bases and sub-helmfiles is still untrusted data: a path out of its folder
// (a base, a sub-helmfile, an environment values file, readFile, a symbolic link) is refused with exit 2
// naming the file and the field, `exec` never runs, and a value a template renders stays a value, never a
// helm flag. Nothing is written when the import refuses.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd });
  return { code, stdout, stderr };
}

/** A folder `app` holding the helmfile (and `files`), next to a file outside it that must never be read. */
async function project(helmfile: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-hostile-'));
  await writeFile(join(dir, 'outside.yaml'), 'releases:\n  - name: stolen\n    chart: ./stolen\nsecret: outside-the-folder\n');
  await mkdir(join(dir, 'app'));
  await writeFile(join(dir, 'app', 'helmfile.yaml'), helmfile);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'app', name), text);
  return join(dir, 'app');
}

async function refused(app: string, message: RegExp): Promise<void> {
  const out = await run(['import', 'helmfile.yaml'], app);
  assert.equal(out.code, 2, out.stderr);
  assert.match(out.stderr, message);
  assert.doesNotMatch(out.stderr + out.stdout, /outside-the-folder|stolen/);
  await assert.rejects(readFile(join(app, 'helmcycle.yaml')), { code: 'ENOENT' });
}

describe('import: paths out of the helmfile folder are refused', () => {
  it('a base', async () => refused(await project('bases:\n  - ../outside.yaml\n---\nreleases:\n  - name: web\n    chart: ./web\n'), /helmfile\.yaml: names a file outside the helmfile's folder[\s\S]*bases\[0\]: '\.\.\/outside\.yaml'/));

  it('a sub-helmfile, also through a glob', async () => {
    await refused(await project('helmfiles:\n  - path: ../outside.yaml\n'), /helmfiles\[0\]\.path: '\.\.\/outside\.yaml' is outside/);
    await refused(await project('helmfiles:\n  - path: ../*.yaml\n'), /helmfiles\[0\]\.path: .*outside/);
  });

  it('an environment values file, and an absolute one', async () => {
    await refused(await project('environments:\n  default:\n    values:\n      - ../outside.yaml\n---\nreleases:\n  - name: web\n    chart: ./web\n'), /environments\.default\.values\[0\]: '\.\.\/outside\.yaml' is outside/);
    await refused(await project('values:\n  - /etc/passwd\n---\nreleases:\n  - name: web\n    chart: ./web\n'), /values\[0\]: '\/etc\/passwd' is outside/);
  });

  it('readFile in a template, naming its line', async () => {
    await refused(await project('releases:\n  - name: web\n    chart: ./web\n    values:\n      - config: {{ readFile "../outside.yaml" | quote }}\n'), /readFile at line 5: '\.\.\/outside\.yaml' is outside/);
  });

  it('a symbolic link inside the folder that points out of it', async () => {
    const app = await project('bases:\n  - link.yaml\n---\nreleases:\n  - name: web\n    chart: ./web\n');
    await symlink(join(app, '..', 'outside.yaml'), join(app, 'link.yaml'));
    await refused(app, /through a symbolic link[\s\S]*bases\[0\]/);
  });

  it('bases that include each other', async () => {
    await refused(await project('bases:\n  - a.yaml\n---\nreleases:\n  - name: web\n    chart: ./web\n', { 'a.yaml': 'bases:\n  - helmfile.yaml\n' }), /nest in a loop[\s\S]*helmfile\.yaml → a\.yaml → helmfile\.yaml/);
  });
});

describe('import: what a template renders stays data', () => {
  it('never runs exec: the release it feeds is listed with the line, and no command ran', async () => {
    const marker = join(tmpdir(), `helmcycle-exec-never-${process.pid}`);
    const app = await project(`releases:\n  - name: web\n    chart: ./web\n  - name: api\n    chart: ./api\n    values:\n      - token: {{ exec "touch" (list "${marker}") }}\n`);
    const out = await run(['import', 'helmfile.yaml'], app);
    assert.equal(out.code, 0, out.stderr);
    await assert.rejects(stat(marker), { code: 'ENOENT' });
    assert.match(out.stderr, /not converted: releases\[1\]\.values\[0\]\.token: exec runs a command: import never runs one \(helmfile\.yaml:7\); release 'api' is not in the output/);
    assert.deepEqual(parse(await readFile(join(app, 'helmcycle.yaml'), 'utf8')).charts.map((c: { name: string }) => c.name), ['web']);
  });

  it('a flag-like value a template renders into values stays a value; into a version or a name it is refused', async () => {
    const environments = 'environments:\n  default:\n    values:\n      - flag: "--post-renderer=./evil.sh"\n---\n';
    const app = await project(`${environments}releases:\n  - name: web\n    chart: ./web\n    values:\n      - args: [{{ .Values.flag | quote }}]\n    set:\n      - name: extra\n        value: {{ .Values.flag | quote }}\n`);
    const out = await run(['import', 'helmfile.yaml'], app);
    assert.equal(out.code, 0, out.stderr);
    const chart = parse(await readFile(join(app, 'helmcycle.yaml'), 'utf8')).charts[0];
    assert.deepEqual(chart.values, [{ args: ['--post-renderer=./evil.sh'] }]);
    assert.deepEqual(chart.set, { extra: '--post-renderer=./evil.sh' });
    await refused(await project(`${environments}releases:\n  - name: web\n    chart: ./web\n    version: {{ .Values.flag | quote }}\n`), /version '--post-renderer=\.\/evil\.sh' starts with '-'/);
    await refused(await project(`${environments}releases:\n  - name: {{ .Values.flag | quote }}\n    chart: ./web\n`), /release name '--post-renderer=\.\/evil\.sh' starts with '-'/);
  });

  it('an environment variable in a chart, a namespace or a condition is listed, never read', async () => {
    process.env.HELMCYCLE_HOSTILE_NS = 'leaked-value';
    try {
      const app = await project('releases:\n  - name: web\n    chart: ./web\n    namespace: {{ requiredEnv "HELMCYCLE_HOSTILE_NS" }}\n  - name: api\n    chart: ./api\n    values:\n      - password: {{ requiredEnv "HELMCYCLE_HOSTILE_NS" }}\n');
      const out = await run(['import', 'helmfile.yaml'], app);
      assert.equal(out.code, 0, out.stderr);
      const written = await readFile(join(app, 'helmcycle.yaml'), 'utf8');
      assert.doesNotMatch(written + out.stderr + out.stdout, /leaked-value/);
      assert.match(out.stderr, /releases\[0\]\.namespace: the environment variable HELMCYCLE_HOSTILE_NS \(requiredEnv\)[^\n]*helmfile\.yaml:4[^\n]*release 'web' is not in the output/);
      assert.deepEqual(parse(written).charts, [{ name: 'api', chart: './api', values: [{ password: 'ref+env://HELMCYCLE_HOSTILE_NS' }] }]);
    } finally {
      delete process.env.HELMCYCLE_HOSTILE_NS;
    }
  });

  it('text that looks like an import placeholder is only text, and a long range is cut off and listed', async () => {
    const app = await project('releases:\n  - name: web\n    chart: ./web\n    values:\n      - a: hcimport000000000000n0x\n{{ range 200000 }}{{ end }}\n');
    const out = await run(['import', 'helmfile.yaml'], app);
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /helmfile\.yaml:6: document 1 cannot be rendered[^\n]*more than 100000 range iterations/);
    const plain = await project('releases:\n  - name: web\n    chart: ./web\n    values:\n      - a: hcimport000000000000n0x\n        b: {{ "x" }}\n');
    assert.equal((await run(['import', 'helmfile.yaml'], plain)).code, 0);
    assert.deepEqual(parse(await readFile(join(plain, 'helmcycle.yaml'), 'utf8')).charts[0].values, [{ a: 'hcimport000000000000n0x', b: 'x' }]);
  });
});
