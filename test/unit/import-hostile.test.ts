// helmcycle import of a hostile helmfile: its text stays data in the file the import writes. A TypeScript
// stack is loaded as `helmcycle list` loads it, and the marker file its payload would write must not
// appear; a YAML stack is parsed back and must hold no field the helmfile smuggled in. Values helm would
// read as flags are refused, and so are alias bombs and needs cycles, with short messages naming the file.
import assert from 'node:assert/strict';
import { access, chmod, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseDocument, stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { convertHelmfile } from '../../src/import/convert.js';
import { emitTypeScript } from '../../src/import/emit.js';
import { isInputError } from '../../src/errors.js';
import { loadStack } from '../../src/stack/load.js';

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd });
  return { code, stdout, stderr };
}

const exists = (path: string) => access(path).then(() => true, () => false);

/** A fresh folder holding `helmfile.yaml` (written by the yaml package, so any string is exact), the chart ./web and a marker path. */
async function folder(document: string | Record<string, unknown> | ((marker: string) => unknown)): Promise<{ dir: string; marker: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-hostile-'));
  const marker = join(dir, 'PWNED');
  const data = typeof document === 'function' ? document(marker) : document;
  await writeFile(join(dir, 'helmfile.yaml'), typeof data === 'string' ? data : stringify(data));
  await mkdir(join(dir, 'web'));
  await writeFile(join(dir, 'web', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
  return { dir, marker };
}

/** JavaScript that creates the marker file when it runs (an ES module config has no `require`). */
const payload = (marker: string) => `process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`;

/** Imports with --ts, then runs `helmcycle list` on the written config, as a user would next. */
async function importTsAndList(dir: string): Promise<{ list: { code: number; stdout: string; stderr: string }; file: string }> {
  const imported = await run(['import', 'helmfile.yaml', '--ts'], dir);
  assert.equal(imported.code, 0, imported.stderr);
  const file = join(dir, 'helmcycle.config.ts');
  // 'helmcycle/config' resolves only where helmcycle is installed; here the source stands in for it.
  await writeFile(file, (await readFile(file, 'utf8')).replace("'helmcycle/config'", JSON.stringify(resolve('src/config.ts'))));
  return { list: await run(['-c', file, 'list'], dir), file };
}

describe('import --ts: helmfile text never runs', () => {
  for (const [what, breaker] of [['a newline', '\n'], ['a carriage return', '\r'], ['U+2028', '\u2028'], ['U+2029', '\u2029']] as const) {
    it(`a release key holding ${what} stays inside the not-converted comment`, async () => {
      const { dir, marker } = await folder((m) => ({ releases: [{ name: 'web', chart: './web', [`x${breaker}${payload(m)}//`]: 1 }] }));
      const { list } = await importTsAndList(dir);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /web/);
      assert.equal(await exists(marker), false, 'the helmfile key ran as code');
    });
  }

  it('a needs entry holding a newline stays inside the comment', async () => {
    const { dir, marker } = await folder((m) => ({ releases: [{ name: 'web', chart: './web', needs: [`kube-system/dns\n${payload(m)}//`] }] }));
    const { list } = await importTsAndList(dir);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(await exists(marker), false, 'the needs entry ran as code');
  });

  it('a value that starts with the old environment marker is a string, not process.env code', async () => {
    const { dir, marker } = await folder((m) => ({ releases: [{ name: 'web', chart: './web', values: [{ msg: `\u0000helmcycle-env:HOME + String(${payload(m)})` }] }] }));
    const { list, file } = await importTsAndList(dir);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(await exists(marker), false, 'the value ran as code');
    const stack = await loadStack(file);
    assert.deepEqual((stack.charts[0]!.definition as { values: unknown }).values, [{ msg: `\u0000helmcycle-env:HOME + String(${payload(marker)})` }]);
  });

  it('writes environment references only for identifiers it built itself', () => {
    const result = convertHelmfile({
      document: {
        repositories: [{ name: 'private', url: 'https://charts.example.invalid', username: '{{ requiredEnv "REPO_USER" }}', password: '{{ requiredEnv "REPO_PASSWORD" }}' }],
        releases: [{ name: 'web', chart: 'private/web', values: [{ user: '\u0000helmcycle-env:REPO_USER' }] }],
      },
      file: 'helmfile.yaml',
      path: (p) => p,
    });
    const text = emitTypeScript(result, 'helmfile.yaml');
    assert.deepEqual(text.match(/process\.env\.\w+!?/g), ['process.env.REPO_USER!', 'process.env.REPO_PASSWORD!']);
    assert.match(text, /user: "\\u0000helmcycle-env:REPO_USER"/);
  });
});

describe('import to YAML: helmfile text never becomes a field', () => {
  it('a needs entry holding newlines injects no field into the stack', async () => {
    const { dir } = await folder({ releases: [{ name: 'web', chart: './web', needs: ['other\nignoreDrift: true\nname: evil\ncharts: []'] }] });
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 0, out.stderr);
    const text = await readFile(join(dir, 'helmcycle.yaml'), 'utf8');
    const doc = parseDocument(text);
    assert.deepEqual(doc.errors, []);
    assert.deepEqual(doc.toJS(), { defaults: { createNamespace: true }, charts: [{ name: 'web', chart: './web' }] });
    assert.equal(text.split('\n').filter((line) => !line.startsWith('#')).some((line) => /ignoreDrift|evil/.test(line)), false);
  });

  it('keys and values with newlines, quotes and comment marks come back exactly', async () => {
    const hostile = { 'a\nignoreDrift: true': "x' #\n- y", 'b: c\r\nd': '${HOME}`id`\u2028' };
    const { dir } = await folder({ releases: [{ name: 'web', chart: './web', values: [hostile], labels: { tier: 'a-b.c' } }] });
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(parse(await readFile(join(dir, 'helmcycle.yaml'), 'utf8')), { defaults: { createNamespace: true }, charts: [{ name: 'web', chart: './web', values: [hostile], labels: { tier: 'a-b.c' } }] });
  });

  it('a label value helm could never store (a newline in it) is refused, naming the helmfile and the field; nothing is written', async () => {
    const { dir } = await folder({ releases: [{ name: 'web', chart: './web', labels: { tier: 'a\nignoreDrift: true' } }] });
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /helmfile\.yaml/);
    assert.match(out.stderr, /labels\.tier/);
    await assert.rejects(readFile(join(dir, 'helmcycle.yaml'), 'utf8'), { code: 'ENOENT' });
  });
});

describe('import: keys that reach a prototype and values with no plain form', () => {
  it('lists __proto__, constructor and prototype keys of values instead of dropping them silently', async () => {
    const { dir } = await folder('releases:\n  - name: web\n    chart: ./web\n    values:\n      - keep: 1\n        __proto__: {polluted: 1}\n        nested: {constructor: {x: 1}, prototype: 2, ok: 3}\n');
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 0, out.stderr);
    for (const field of ['releases[0].values[0].__proto__', 'releases[0].values[0].nested.constructor', 'releases[0].values[0].nested.prototype']) {
      assert.ok(out.stderr.includes(`not converted: ${field}: the key`), `${field} on stderr:\n${out.stderr}`);
    }
    assert.deepEqual(parse(await readFile(join(dir, 'helmcycle.yaml'), 'utf8')).charts[0].values, [{ keep: 1, nested: { ok: 3 } }]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('lists a set path through __proto__ (escaped or not) and a __proto__ key of environment values', async () => {
    const { dir } = await folder('environments:\n  default:\n    values:\n      - {__proto__: {x: 1}, tag: v1}\nreleases:\n  - name: web\n    chart: ./web\n    set:\n      - {name: "__proto__.polluted", value: 1}\n      - {name: "a.\\\\__proto__.b", value: 2}\n      - {name: image.tag, value: "{{ .Values.tag }}"}\n');
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /not converted: releases\[0\]\.set\[0\]\.name: the path '__proto__\.polluted'/);
    assert.match(out.stderr, /not converted: releases\[0\]\.set\[1\]\.name: the path 'a\.\\__proto__\.b'/);
    assert.match(out.stderr, /not converted: environments\.default\.values\[0\]\.__proto__: the key '__proto__'/);
    assert.deepEqual(parse(await readFile(join(dir, 'helmcycle.yaml'), 'utf8')).charts[0].set, { 'image.tag': 'v1' });
  });

  it('lists a circular alias and tagged values (!!set, !!binary, !!timestamp) instead of overflowing or mangling them', async () => {
    const { dir } = await folder('releases:\n  - name: web\n    chart: ./web\n    values:\n      - loop: &x [1, *x]\n        set: !!set {a: null}\n        blob: !!binary aGk=\n        when: !!timestamp 2001-12-14\n        plain: yes\n');
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 0, out.stderr);
    for (const field of ['releases[0].values[0].loop[1]', 'releases[0].values[0].set', 'releases[0].values[0].blob', 'releases[0].values[0].when']) {
      assert.ok(out.stderr.includes(`not converted: ${field}:`), `${field} on stderr:\n${out.stderr}`);
    }
    assert.deepEqual(parse(await readFile(join(dir, 'helmcycle.yaml'), 'utf8')).charts[0].values, [{ loop: [1], plain: 'yes' }]);
  });
});

describe('import: values helm would read as flags are refused', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a chart that is a flag', { name: 'web', chart: '--post-renderer=./evil.sh' }, /releases\[0\]\.chart: release 'web': the chart '--post-renderer=\.\/evil\.sh' starts with '-'/],
    ['a version that is a flag', { name: 'web', chart: './web', version: '--devel' }, /releases\[0\]\.version: release 'web': the version '--devel' starts with '-'/],
    ['a repository URL that is a flag', { name: 'web', chart: 'evil/web' }, /releases\[0\]\.chart: release 'web': the repository URL '--kubeconfig=\/tmp\/k' starts with '-'/],
    ['a namespace that is a flag', { name: 'web', chart: './web', namespace: '--kube-context=prod' }, /releases\[0\]\.namespace: release 'web': the namespace '--kube-context=prod' is not a DNS-1123 label/],
    ['a namespace that is no DNS label', { name: 'web', chart: './web', namespace: 'Team_A' }, /releases\[0\]\.namespace: release 'web': the namespace 'Team_A' is not a DNS-1123 label/],
    ['a release name that is a flag', { name: '--dry-run', chart: './web' }, /releases\[0\]\.name: release '--dry-run': the release name '--dry-run' starts with '-'/],
  ];
  for (const [what, release, message] of cases) {
    it(`refuses ${what} with exit 2, naming the helmfile, the release and the field, writing nothing`, async () => {
      const { dir } = await folder({ repositories: [{ name: 'evil', url: '--kubeconfig=/tmp/k' }], releases: [release] });
      const out = await run(['import', 'helmfile.yaml'], dir);
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr, /helmfile\.yaml: holds 1 value\(s\) helm would misread or refuse/);
      assert.match(out.stderr, message);
      assert.equal(await exists(join(dir, 'helmcycle.yaml')), false);
    });
  }

  it('refuses a values file path and an environment\'s namespace helm would misread', () => {
    const refused = (document: unknown) => {
      try {
        convertHelmfile({ document, file: 'helmfile.yaml', path: (p) => p });
      } catch (error) {
        assert.ok(isInputError(error));
        return (error as Error).message;
      }
      assert.fail('not refused');
    };
    assert.match(refused({ releases: [{ name: 'web', chart: './web', values: ['--set-file=x=/etc/passwd'] }] }), /releases\[0\]\.values: release 'web': the values file '--set-file=x=\/etc\/passwd' starts with '-'/);
    assert.match(refused({ environments: { default: { values: [{ ns: 'web' }] }, prod: { values: [{ ns: '-n' }] } }, releases: [{ name: 'web', chart: './web', namespace: '{{ .Values.ns }}' }] }), /releases\[0\]\.namespace: release 'web' in environment 'prod': the namespace '-n' is not a DNS-1123 label/);
  });
});

describe('import: input built to exhaust it', () => {
  const bomb = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`)].join('\n');

  it('refuses an alias bomb in the helmfile with exit 2, naming the file, in a few lines', async () => {
    const { dir } = await folder(`bomb:\n${bomb.replace(/^/gm, '  ')}\nreleases:\n  - name: web\n    chart: ./web\n`);
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /^helmcycle: helmfile\.yaml: cannot be imported: its aliases expand too far/);
    assert.ok(out.stderr.length < 1000, `${out.stderr.length} characters`);
  });

  it('refuses an alias bomb in an environment values file with exit 2, naming that file', async () => {
    const { dir } = await folder('environments:\n  default:\n    values: [values/bomb.yaml]\nreleases:\n  - name: web\n    chart: ./web\n');
    await mkdir(join(dir, 'values'));
    await writeFile(join(dir, 'values', 'bomb.yaml'), `${bomb}\n`);
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /^helmcycle: values\/bomb\.yaml: cannot be imported: its aliases expand too far/);
    assert.ok(out.stderr.length < 1000, `${out.stderr.length} characters`);
  });

  it('imports a needs chain 6,000 releases deep without overflowing the stack', async () => {
    const releases = Array.from({ length: 6000 }, (_, i) => `  - {name: r${i}, chart: ./web${i < 5999 ? `, needs: [r${i + 1}]` : ''}}\n`);
    const { dir } = await folder(`releases:\n${releases.join('')}`);
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 0, out.stderr);
    const charts = parse(await readFile(join(dir, 'helmcycle.yaml'), 'utf8')).charts as { name: string; needs?: string[] }[];
    assert.equal(charts.length, 6000);
    assert.deepEqual(charts[0]!.needs, ['r1']);
  });

  it('refuses a cycle of 2,000 releases in one short message', async () => {
    const releases = Array.from({ length: 2000 }, (_, i) => `  - {name: release-with-a-long-name-${i}, chart: ./web, needs: [release-with-a-long-name-${(i + 1) % 2000}]}\n`);
    const { dir } = await folder(`releases:\n${releases.join('')}`);
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /^helmcycle: helmfile\.yaml: the releases' needs form a cycle of 2000 release\(s\): release-with-a-long-name-0 → .* → … \(1992 more\) → release-with-a-long-name-0/);
    assert.ok(out.stderr.length < 1000, `${out.stderr.length} characters`);
    assert.equal(await exists(join(dir, 'helmcycle.yaml')), false);
  });

  it('cuts a not-converted line of a 100,000-character key to a few hundred characters', async () => {
    const { dir } = await folder({ releases: [{ name: 'web', chart: './web', ['k'.repeat(100_000)]: 1, needs: ['n'.repeat(100_000)] }] });
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 2);
    for (const line of lines) assert.ok(line.length < 1500, `${line.length} characters`);
  });

  it('shows at most 50 not-converted items on stderr, all of them in the file', async () => {
    const release = Object.fromEntries([['name', 'web'], ['chart', './web'], ...Array.from({ length: 300 }, (_, i) => [`unknown${i}`, i])]);
    const { dir } = await folder({ releases: [release] });
    const out = await run(['import', 'helmfile.yaml'], dir);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stderr.split('\n').filter((line) => line.startsWith('not converted: releases[0].')).length, 50);
    assert.match(out.stderr, /… and 250 more item\(s\), all listed in helmcycle\.yaml/);
    assert.equal((await readFile(join(dir, 'helmcycle.yaml'), 'utf8')).split('\n').filter((line) => line.startsWith('#   - releases[0].unknown')).length, 300);
  });

  it('writes the stack no more readable than the helmfile (its inline values may be secrets), replacing an older file whole', async () => {
    const { dir } = await folder({ releases: [{ name: 'web', chart: './web', set: [{ name: 'password', value: 'hunter2' }] }] });
    await chmod(join(dir, 'helmfile.yaml'), 0o600);
    await writeFile(join(dir, 'helmcycle.yaml'), 'old\n', { mode: 0o666 });
    await chmod(join(dir, 'helmcycle.yaml'), 0o666);
    const out = await run(['import', 'helmfile.yaml', '--force'], dir);
    assert.equal(out.code, 0, out.stderr);
    assert.equal((await stat(join(dir, 'helmcycle.yaml'))).mode & 0o777, 0o600);
    await chmod(join(dir, 'helmfile.yaml'), 0o664);
    assert.equal((await run(['import', 'helmfile.yaml', '--force', '--out', 'second.yaml'], dir)).code, 0);
    assert.equal((await stat(join(dir, 'second.yaml'))).mode & 0o777, 0o644, 'never wider than 0644');
  });
});
