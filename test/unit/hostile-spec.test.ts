// What a YAML stack can never validly hold is refused when it is loaded: exit 2, with the file, the chart
// and the field named, before helm or the cluster is touched. A value that would be a helm flag if it
// ever stood alone on the argv (issue 24, item 1), a sensitive value that cannot be masked (item 10), and
// a --set path whose backslash hides `__proto__` from a check that reads paths another way (item 15).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { parseSetPath } from '../../src/config/set-path.js';
import { unmaskableReason } from '../../src/config/sensitive-value.js';

/** `helmcycle -c <stack> list` on a YAML stack written from `stack`: the exit code and what it printed. */
async function list(stack: unknown, files: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-hostile-'));
  const file = join(dir, 'helmcycle.yaml');
  // The chart folder exists, so nothing but the check under test can refuse the stack.
  await mkdir(join(dir, 'web'));
  await writeFile(join(dir, 'web', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
  // Files the stack names exist too (a values file called `-f`), so it is the value that is refused.
  for (const name of files) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), 'a: 1\n');
  }
  await writeFile(file, typeof stack === 'string' ? stack : stringify(stack));
  let out = '';
  const code = await main(['-c', file, 'list'], { stdout: (t) => (out += t), stderr: (t) => (out += t), interactive: false, cwd: dir });
  return { code, out, file };
}

const chart = (fields: Record<string, unknown>) => ({ charts: [{ name: 'web', chart: './web', ...fields }] });

describe('a stack value that would be a helm flag is refused at load', () => {
  const cases: [what: string, stack: unknown, field: string, files?: string[]][] = [
    ['a chart that starts with -', { charts: [{ name: 'web', chart: '--post-renderer=./evil.sh' }] }, 'chart'],
    ['a version that starts with -', chart({ chart: 'web', repository: 'https://charts.example', version: '--devel' }), 'version'],
    ['a values file that starts with -', chart({ valuesFiles: ['-f'] }), 'valuesFiles[0]', ['-f']],
    ['a namespace that is no DNS label', chart({ namespace: '--kube-context=other' }), 'namespace'],
    ['a release name that starts with -', { charts: [{ name: '-web', chart: './web' }] }, 'name'],
    ['a test filter that starts with -', chart({ tests: { filter: ['--logs'] } }), 'tests.filter[0]'],
    ['a test filter with a quote', chart({ tests: { filter: ['name=a"b'] } }), 'tests.filter[0]'],
    ['a label value with a comma', chart({ labels: { team: 'a,helmcycle.dev/digest=0' } }), 'labels.team'],
    ['a label key that is no label', chart({ labels: { 'a=b': 'x' } }), 'labels.a=b'],
    ['a NUL in a --set-string value', chart({ setString: { a: 'x\u0000y' } }), 'setString.a'],
  ];
  for (const [what, stack, field, files] of cases) {
    it(what, async () => {
      const { code, out, file } = await list(stack, files);
      assert.equal(code, 2, out);
      assert.ok(out.includes(file), `the file is named: ${out}`);
      assert.ok(out.includes(`chart '${(stack as { charts: { name: string }[] }).charts[0]!.name}'`), `the chart is named: ${out}`);
      assert.ok(out.includes(`- ${field}: `), `the field ${field} is named: ${out}`);
    });
  }

  it('in the defaults too, named as the defaults\' field', async () => {
    const { code, out, file } = await list({ defaults: { valuesFiles: ['--post-renderer=./evil.sh'] }, charts: [{ name: 'web', chart: './web' }] }, ['--post-renderer=./evil.sh']);
    assert.equal(code, 2, out);
    assert.ok(out.includes(file) && out.includes('- defaults.valuesFiles[0]: '), out);
  });

  it('keeps what is valid: a multi-line description, labels with a prefix, an empty label value', async () => {
    const { code, out } = await list(chart({ description: 'two\nlines --and a dash', labels: { 'helmcycle.dev/tier': 'app', empty: '' } }));
    assert.equal(code, 0, out);
  });
});

describe('a sensitive value that cannot be masked is refused at load (item 10)', () => {
  const cases: [what: string, value: unknown][] = [
    ['true', true],
    ['the string true', 'True'],
    ['false', false],
    ['null as a string', 'null'],
    ['1', 1],
    ['three characters', 'Zq9'],
    ['three characters in white space', '  Zq9  '],
  ];
  for (const [what, value] of cases) {
    it(`setSensitive ${what}`, async () => {
      const { code, out, file } = await list(chart({ setSensitive: { 'db.password': value } }));
      assert.equal(code, 2, out);
      assert.ok(out.includes(file) && out.includes("chart 'web'") && out.includes('- setSensitive.db.password: a sensitive value'), out);
      if (value === 'Zq9') assert.ok(!out.includes('Zq9'), 'the value itself is never printed');
    });
  }

  it('a repository password, and a setSensitive of an environment', async () => {
    const password = await list(chart({ chart: 'web', repository: 'https://charts.example', repositoryAuth: { username: 'u', password: 'pw' } }));
    assert.equal(password.code, 2, password.out);
    assert.ok(password.out.includes('- repositoryAuth.password: a sensitive value'), password.out);
    const env = await list({ environments: { prod: { charts: { web: { setSensitive: { token: 'abc' } } } } }, charts: [{ name: 'web', chart: './web' }] });
    assert.equal(env.code, 2, env.out);
    assert.ok(env.out.includes('- environments.prod.charts.web.setSensitive.token: a sensitive value'), env.out);
  });

  it('keeps a real secret: four characters or more, numbers included', async () => {
    const { code, out } = await list(chart({ setSensitive: { a: 'good-secret', b: 123456, c: 'abcd' } }));
    assert.equal(code, 0, out);
    assert.equal(unmaskableReason('abcd'), undefined);
  });
});

describe('--set paths are read by one parser at load and at deploy (item 15)', () => {
  it('refuses \\__proto__.x at load, exit 2, naming the field', async () => {
    for (const field of ['set', 'setString', 'setJson', 'setSensitive']) {
      const { code, out, file } = await list(chart({ [field]: { '\\__proto__.x': 'polluted' } }));
      assert.equal(code, 2, out);
      assert.ok(out.includes(file) && out.includes(`${field}["\\__proto__.x"]`) && /prototype/.test(out), out);
    }
    assert.equal(Object.hasOwn(Object.prototype, 'x'), false);
  });

  it('reads an escape the way helm does: the backslash makes the next character literal, whatever it is', () => {
    assert.deepEqual(parseSetPath('a\\.b.c'), ['a.b', 'c']);
    assert.deepEqual(parseSetPath('\\_x.y'), ['_x', 'y']);
    for (const key of ['\\__proto__.x', 'a.\\constructor.x', 'a[0].\\p\\r\\ototype']) assert.throws(() => parseSetPath(key), /prototype/, key);
    assert.throws(() => parseSetPath('a[-1]'), /invalid list index/);
    assert.throws(() => parseSetPath('a[1e3]'), /invalid list index/);
  });
});
