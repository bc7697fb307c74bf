// A YAML stack, fuzzed through the real CLI: generated hostile strings (line breaks of every kind, --flags
// such as --post-renderer=./evil.sh and -f, quotes, ${}, backticks, $(touch MARKER), NUL, __proto__,
// U+2028/U+2029, ../../etc/passwd, absolute paths) go into every string field of a stack, one field per
// case, from a fixed seed. Each stack runs `list` and `template` (which needs no cluster) with a stand-in
// helm that records its argv. Each run must exit 0 or 2 without a stack trace; every helm argv must keep
// helmcycle's shape (command words, only helmcycle's flags, `--`, positionals); nothing but that helm may
// run (the marker file that the payloads and ./evil.sh would write never appears); and no file may appear
// outside the stack's folder (the temporary folder and the stack folder's parent read the same after).
import assert from 'node:assert/strict';
import { access, chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { seededRandom } from '../support/seeded-random.js';
import { OUR_FLAGS } from '../support/helm-flags.js';

const SEED = 2024;
/** Generated hostile strings per field, besides FIXED_PER_FIELD of the named payloads; each runs `list` and `template`. */
const PER_FIELD = 2;
const FIXED_PER_FIELD = 3;

const exists = (path: string) => access(path).then(() => true, () => false);

const random = seededRandom;

/** The words helm commands start with (`show chart`, `dependency build`, ...). */
const COMMAND_WORDS = new Set(['version', 'template', 'show', 'chart', 'pull', 'dependency', 'build', 'update', 'repo', 'add', 'registry', 'login', 'get', 'values', 'manifest', 'status', 'history', 'list']);

/** A fixed state per run: the fuzz root holds the stack folder, a private TMPDIR and the marker path. */
let root = '';
let privateTmp = '';
let marker = '';

function pieces(): string[] {
  return [
    '\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\u0000', '\t', ' ',
    '--post-renderer=./evil.sh', '--post-renderer', './evil.sh', '-f', '--', '--kubeconfig=/tmp/other', '--wait', '-',
    "'", '"', '`', '${HOME}', '${{ x }}', `$(touch ${marker})`, `\`touch ${marker}\``, `;touch ${marker}`, '\\',
    '__proto__', 'constructor', '__proto__.polluted', '../../etc/passwd', '/etc/passwd', '../', join(root, 'outside.yaml'),
    '{{ .Values.x }}', '# ', ': ', '- ', '&a', '*a', '!!binary', '---', '[', '{', ',', '=', 'a=b,c=d', 'name=x',
  ];
}

/** The named payloads, whole: each field gets FIXED_PER_FIELD of them in turn, so every one meets many fields. */
function fixedPayloads(): string[] {
  return [
    '--post-renderer=./evil.sh', '-f', `$(touch ${marker})`, `\`touch ${marker}\``, '${HOME}', 'a\nb: c', 'a\rb', 'a\u0000b',
    '__proto__', 'a\u2028b', 'a\u2029b', '../../etc/passwd', '/etc/passwd', `"'quoted'"`, './evil.sh',
  ];
}

function hostileString(next: () => number, list: string[]): string {
  const count = 1 + Math.floor(next() * 3);
  return Array.from({ length: count }, () => list[Math.floor(next() * list.length)]!).join(next() < 0.3 ? ' ' : '');
}

type Stack = Record<string, any>;

/** A stack with every string field in use; valid as written (the base case must exit 0). */
function baseStack(): Stack {
  return {
    name: 'fuzz',
    environments: { prod: { defaults: { description: 'prod' }, charts: { web: { namespace: 'apps' } } } },
    targets: [{ name: 'one', kubeconfig: 'kube.yaml', kubeContext: 'ctx', labels: { region: 'eu' } }],
    defaults: { description: 'default' },
    charts: [
      {
        name: 'web', chart: './charts/web', namespace: 'apps', description: 'the web',
        values: { a: { b: 'c' } }, valuesFiles: ['values.yaml'], yamlFilesContent: [{ name: 'inline', content: 'k: v\n' }],
        set: { 'image.tag': 'v1' }, setString: { 'image.repo': 'r' }, setJson: { obj: '{"a":1}' }, setSensitive: { 'db.password': 'sensitive-1' },
        labels: { team: 'core' }, tests: { filter: ['name=smoke'] }, crds: { path: 'crds' }, podSelector: 'app=web',
        adopt: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm' }],
      },
      {
        name: 'db', chart: 'db', repository: 'https://charts.example.invalid', version: '1.0.0', namespace: 'data',
        repositoryAuth: { username: 'user', password: 'repo-pass-1', caFile: 'ca.pem', certFile: 'cert.pem', keyFile: 'key.pem' },
        needs: ['web'],
      },
    ],
  };
}

const web = (s: Stack) => s.charts[0];
const db = (s: Stack) => s.charts[1];
/** Where a case puts its hostile string `h`. */
const FIELDS: Record<string, (s: Stack, h: string) => void> = {
  'stack name': (s, h) => { s.name = h; },
  'chart name': (s, h) => { web(s).name = h; db(s).needs = [h]; },
  'release name only': (s, h) => { db(s).name = h; },
  namespace: (s, h) => { web(s).namespace = h; },
  chart: (s, h) => { web(s).chart = h; },
  'chart in a repository': (s, h) => { db(s).chart = h; },
  version: (s, h) => { db(s).version = h; },
  repository: (s, h) => { db(s).repository = h; },
  description: (s, h) => { web(s).description = h; },
  'defaults description': (s, h) => { s.defaults.description = h; },
  'values file path': (s, h) => { web(s).valuesFiles = [h, 'values.yaml']; },
  'values key': (s, h) => { web(s).values = { [h]: 'x' }; },
  'values value': (s, h) => { web(s).values = { a: h }; },
  'yamlFilesContent name': (s, h) => { web(s).yamlFilesContent = [{ name: h, content: 'k: v\n' }]; },
  'yamlFilesContent content': (s, h) => { web(s).yamlFilesContent = [{ name: 'inline', content: h }]; },
  'set key': (s, h) => { web(s).set = { [h]: 'v' }; },
  'set value': (s, h) => { web(s).set = { a: h }; },
  'setString key': (s, h) => { web(s).setString = { [h]: 'v' }; },
  'setString value': (s, h) => { web(s).setString = { a: h }; },
  'setJson key': (s, h) => { web(s).setJson = { [h]: 1 }; },
  'setSensitive key': (s, h) => { web(s).setSensitive = { [h]: 'sensitive-1' }; },
  'label key': (s, h) => { web(s).labels = { [h]: 'v' }; },
  'label value': (s, h) => { web(s).labels = { team: h }; },
  'tests filter': (s, h) => { web(s).tests = { filter: [h] }; },
  'environment name': (s, h) => { s.environments = { [h]: s.environments.prod }; },
  'environment chart key': (s, h) => { s.environments.prod.charts = { [h]: { description: 'x' } }; },
  'environment override': (s, h) => { s.environments.prod.charts.web = { description: h, chart: h }; },
  'needs entry': (s, h) => { db(s).needs = [h]; },
  'crds path': (s, h) => { web(s).crds = { path: h }; },
  'podSelector': (s, h) => { web(s).podSelector = h; },
  'adopt name': (s, h) => { web(s).adopt = [{ apiVersion: h, kind: h, name: h }]; },
  'repositoryAuth username': (s, h) => { db(s).repositoryAuth.username = h; },
  'repositoryAuth files': (s, h) => { Object.assign(db(s).repositoryAuth, { caFile: h, certFile: h, keyFile: h }); },
  'target kubeconfig': (s, h) => { s.targets[0].kubeconfig = h; },
  'target kubeContext': (s, h) => { s.targets[0].kubeContext = h; },
  'target name and labels': (s, h) => { Object.assign(s.targets[0], { name: h, labels: { [h]: h } }); },
};

/** The argv of each helm run, from the log the stand-in helm appends to (argc, then each argument, NUL-ended). */
function parseLog(text: string): string[][] {
  const parts = text.split('\u0000');
  const runs: string[][] = [];
  let i = 0;
  while (i < parts.length - 1) {
    const count = Number(parts[i]);
    assert.ok(Number.isInteger(count), `a helm log record starts with its argc: ${JSON.stringify(parts[i])}`);
    runs.push(parts.slice(i + 1, i + 1 + count));
    i += 1 + count;
  }
  return runs;
}

/** helmcycle's shape: command words, then only helmcycle's flags, then `--`, then at most two positionals. */
export function assertArgvShape(args: readonly string[], hostile: string, label: string): void {
  const shown = `${label}: ${JSON.stringify(args)}`;
  // The version probe is one fixed argv, with no data in it.
  if (args[0] === 'version') {
    assert.deepEqual(args, ['version', '--template', '{{.Version}}'], shown);
    return;
  }
  let i = 0;
  while (i < args.length && !args[i]!.startsWith('-')) {
    assert.ok(COMMAND_WORDS.has(args[i]!), `${JSON.stringify(args[i])} is not a helm command word: ${shown}`);
    i += 1;
  }
  assert.ok(i >= 1, `no command word: ${shown}`);
  const end = args.indexOf('--', i);
  const flags = args.slice(i, end < 0 ? args.length : end);
  for (const element of flags) {
    const name = /^--([a-z][a-z-]*)(=|$)/s.exec(element)?.[1];
    assert.ok(name !== undefined && OUR_FLAGS.has(name), `${JSON.stringify(element)} is not one of helmcycle's flags: ${shown}`);
    assert.notEqual(element, hostile, `the hostile string is an element of its own before --: ${shown}`);
  }
  assert.ok(end >= 0, `no end-of-flags marker: ${shown}`);
  assert.ok(args.length - end - 1 <= 2, `more positionals than helmcycle gives: ${shown}`);
}

async function run(dir: string, args: string[]): Promise<{ code: number; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd: dir });
  return { code, stderr: `${stderr}\n${stdout}` };
}

/** Writes the stack's folder: the stack, its charts and files, ./evil.sh and the stand-in helm. */
async function writeStackFolder(dir: string, stack: Stack): Promise<{ helm: string; log: string }> {
  await mkdir(join(dir, 'charts', 'web', 'templates'), { recursive: true });
  await mkdir(join(dir, 'crds'), { recursive: true });
  await writeFile(join(dir, 'charts', 'web', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
  await writeFile(join(dir, 'values.yaml'), 'a: 1\n');
  for (const file of ['kube.yaml', 'ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(dir, file), '');
  // The payload of `--post-renderer=./evil.sh`: were it ever run, the marker would exist.
  await writeFile(join(dir, 'evil.sh'), `#!/bin/sh\ntouch '${marker}'\ncat\n`);
  await chmod(join(dir, 'evil.sh'), 0o755);
  const log = join(dir, '.helm-argv.log');
  const helm = join(dir, '.fake-helm');
  await writeFile(helm, [
    '#!/bin/sh',
    `printf '%s\\0' "$#" "$@" >> '${log}'`,
    'case "$1" in version) echo v3.17.2; exit 0;; esac',
    'cat >/dev/null',
    'case "$1" in template) printf \'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: x\\n\';; esac',
    'exit 0',
    '',
  ].join('\n'));
  await chmod(helm, 0o755);
  await writeFile(join(dir, 'helmcycle.yaml'), stringify(stack));
  return { helm, log };
}

/** Runs one stack through list and template and checks every effect; returns the helm runs seen. */
async function check(label: string, stack: Stack, hostile: string, extra: string[] = []): Promise<number> {
  const dir = join(root, 'stack');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  const { helm, log } = await writeStackFolder(dir, stack);
  const parentBefore = (await readdir(root)).sort();
  let runs = 0;
  for (const command of ['list', 'template']) {
    const tmpBefore = (await readdir(privateTmp)).sort();
    const { code, stderr } = await run(dir, ['--helm', helm, ...extra, command]);
    const where = `${label} ${command} ${JSON.stringify(hostile)}`;
    assert.ok(code === 0 || code === 2, `${where}: exit ${code}\n${stderr}`);
    assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+\)?\n/, `${where}: a stack trace\n${stderr}`);
    assert.deepEqual((await readdir(privateTmp)).sort(), tmpBefore, `${where}: the temporary folder changed`);
    assert.equal(await exists(marker), false, `${where}: the marker exists: something but helm ran`);
    assert.equal(await exists(join(dir, 'MARKER')), false, `${where}: a relative marker exists`);
    const argvs = (await exists(log)) ? parseLog(await readFile(log, 'utf8')) : [];
    for (const args of argvs) assertArgvShape(args, hostile, where);
    runs += argvs.length;
    if (process.env.STACK_FUZZ_SHOW) console.log(where, code, JSON.stringify(argvs));
    await rm(log, { force: true });
  }
  assert.deepEqual((await readdir(root)).sort(), parentBefore, `${label}: something new beside the stack folder`);
  return runs;
}

describe('a YAML stack fuzzed through list and template', () => {
  const savedTmp = process.env.TMPDIR;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'helmcycle-stack-fuzz-'));
    privateTmp = join(root, 'tmp');
    await mkdir(privateTmp);
    marker = join(root, 'MARKER');
    // helmcycle's and helm's temporary files go to a folder of the test's own, which nothing else on the
    // machine writes to, so "no new entry" is exact.
    process.env.TMPDIR = privateTmp;
  });
  after(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await rm(root, { recursive: true, force: true });
  });

  it('the argv check itself refuses a data flag, a hostile element before --, a missing -- and extra positionals', () => {
    const bad: string[][] = [
      ['template', '--post-renderer=./evil.sh', '--', 'web', './web'],
      ['template', '-f', '--', 'web', './web'],
      ['template', '--namespace=apps', '--wait', '--', 'web', './web'],
      ['template', '--namespace=apps', 'web', './web'],
      ['template', '--', 'web', './web', '--post-renderer=./evil.sh'],
      ['evil', '--', 'web'],
      ['version', '--template', '{{ .Env }}'],
    ];
    for (const args of bad) assert.throws(() => assertArgvShape(args, '--wait', 'self-check'), assert.AssertionError, JSON.stringify(args));
    assertArgvShape(['template', '--namespace=apps', '--description=--wait', '--', '--wait', './web'], '--wait', 'self-check');
  });

  it('the base stack renders with helm (exit 0), so the checks see helm runs', async () => {
    const runs = await check('base', baseStack(), '\u0000never');
    assert.ok(runs >= 3, `helm ran ${runs} times`);
  });

  it('every field, with hostile strings from a fixed seed: exit 0 or 2, helm argv of a fixed shape, no process, no file', async () => {
    const next = random(SEED);
    const list = pieces();
    const fixed = fixedPayloads();
    let cases = 0;
    let helmRuns = 0;
    let turn = 0;
    for (const [field, place] of Object.entries(FIELDS)) {
      const hostiles = [
        ...Array.from({ length: FIXED_PER_FIELD }, () => fixed[turn++ % fixed.length]!),
        ...Array.from({ length: PER_FIELD }, () => hostileString(next, list)),
      ];
      for (const hostile of hostiles) {
        const stack = baseStack();
        place(stack, hostile);
        const extra = field.startsWith('environment') ? ['--env', field === 'environment name' ? hostile : 'prod'] : [];
        helmRuns += await check(`case ${cases} (${field})`, stack, hostile, extra);
        cases += 1;
      }
    }
    assert.equal(cases, Object.keys(FIELDS).length * (PER_FIELD + FIXED_PER_FIELD));
    assert.ok(helmRuns > 0);
  });
});
