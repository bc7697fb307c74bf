// SOPS values files opened in memory: fixtures made by the real sops binary (v3.13) with a test-only age
// key committed beside them (test/fixtures/sops/README.md). YAML and JSON decrypt to exactly what was
// encrypted; a changed, moved or removed value fails naming the file; a wrong or missing key, and a file
// encrypted only to key types helmcycle does not open, fail clearly; no value reaches an error, the
// rendered output, a plan or helm's argv.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Encrypter, generateHybridIdentity, identityToRecipient } from 'age-encryption';
import { main } from '../../src/cli/main.js';
import { ageDecrypt, parseAgeIdentities } from '../../src/secrets/sops/age-decrypt.js';
import { loadAgeIdentities } from '../../src/secrets/sops/age-identities.js';
import { decryptSopsText, SopsDecryptError } from '../../src/secrets/sops/sops-file.js';
import { resolveStackSecrets } from '../../src/stack/resolve-secrets.js';
import { maskerForSpecs } from '../../src/secrets/sensitive.js';
import { resolveStack } from '../../src/stack/load.js';
import { planChart } from '../../src/stack/plan.js';
import { formatPlan, formatPlanJson } from '../../src/cli/format.js';
import { FakeHelm, FakeKube } from './fakes.js';

const FIXTURES = resolve('test/fixtures/sops');
const PASSWORD = 'Sentinel-Sops-9d41';
const TOKEN = 'tok-alice-7731';
const EXPECTED = {
  db: { password: PASSWORD, port: 5432, host: 'db.internal' },
  tls: { enabled: true, ratio: 0.75 },
  users: [{ name: 'alice', token: TOKEN }],
  note_unencrypted: 'visible',
};

const fixture = (name: string) => readFile(join(FIXTURES, name), 'utf8');
const readFileSyncText = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
async function keys(name = 'age-key.txt') {
  return { identities: parseAgeIdentities(await fixture(name)), identitySource: `SOPS_AGE_KEY_FILE=${name}` };
}

async function failure(fn: () => Promise<unknown>): Promise<SopsDecryptError> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof SopsDecryptError, String(error));
    return error;
  }
  assert.fail('expected a SopsDecryptError');
}

describe('SOPS files', () => {
  it('decrypts a YAML file made by sops to exactly what was encrypted (types, lists, an unencrypted_suffix key)', async () => {
    assert.deepEqual(await decryptSopsText(await fixture('values.sops.yaml'), 'values.sops.yaml', await keys()), EXPECTED);
  });

  it('decrypts a JSON file made by sops', async () => {
    assert.deepEqual(await decryptSopsText(await fixture('values.sops.json'), 'values.sops.json', await keys()), EXPECTED);
  });

  it('decrypts a file made with --encrypted-regex and --mac-only-encrypted', async () => {
    assert.deepEqual(await decryptSopsText(await fixture('partial.sops.yaml'), 'partial.sops.yaml', await keys()), { db: { password: PASSWORD, host: 'db.internal' }, replicas: 3 });
  });

  it('refuses a changed value (key given), a value moved to another key, and a value removed (the MAC), naming the file', async () => {
    const text = await fixture('values.sops.yaml');
    const key = await keys();
    const flipped = text.replace(/(password: ENC\[AES256_GCM,data:)(.)/, (_m, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`);
    assert.match((await failure(() => decryptSopsText(flipped, 'api.sops.yaml', key))).message, /api\.sops\.yaml: the value at db\.password does not decrypt/);
    // The password's sealed value put under `host`: AES-GCM's additional data is the key path.
    const password = /password: (ENC\[[^\]]+\])/.exec(text)![1]!;
    const moved = text.replace(/host: ENC\[[^\]]+\]/, `host: ${password}`);
    assert.match((await failure(() => decryptSopsText(moved, 'api.sops.yaml', key))).message, /db\.host does not decrypt/);
    // A whole entry removed: every value left opens, the MAC does not match.
    const removed = text.replace(/\n\s*port: ENC\[[^\]]+\]/, '');
    assert.notEqual(removed, text);
    const error = await failure(() => decryptSopsText(removed, 'api.sops.yaml', key));
    assert.match(error.message, /api\.sops\.yaml: fails SOPS's integrity check/);
    for (const message of [error.message, String(error.stack)]) assert.ok(!message.includes(PASSWORD) && !message.includes(TOKEN));
  });

  it('fails clearly with a wrong key, and with none, naming the file, where keys were looked for and the recipients', async () => {
    const text = await fixture('values.sops.yaml');
    const other = parseAgeIdentities(await fixture('other-age-key.txt'));
    const recipient = /recipient: (age1\w+)/.exec(text)![1]!;
    const wrong = await failure(() => decryptSopsText(text, 'api.sops.yaml', { identities: other, identitySource: 'looked in SOPS_AGE_KEY_FILE=other.txt' }));
    assert.match(wrong.message, /^api\.sops\.yaml: none of the age keys found \(looked in SOPS_AGE_KEY_FILE=other\.txt\) opens it; it is encrypted to age1/);
    assert.ok(wrong.message.includes(recipient));
    const none = await failure(() => decryptSopsText(text, 'api.sops.yaml', { identities: [], identitySource: 'looked in /home/x/.config/sops/age/keys.txt' }));
    assert.match(none.message, /api\.sops\.yaml: needs an age key and none was found .*SOPS_AGE_KEY_FILE/);
  });

  it('names the key types of a file encrypted only to ones helmcycle does not open (PGP)', async () => {
    const error = await failure(() => decryptSopsText(readFileSyncText('pgp-only.sops.yaml'), 'pgp-only.sops.yaml', { identities: [], identitySource: '' }));
    assert.match(error.message, /^pgp-only\.sops\.yaml: is encrypted only to PGP keys; helmcycle opens SOPS files with age keys only/);
  });

  it('refuses a file that is not SOPS-encrypted, and one of several documents', async () => {
    assert.match((await failure(() => decryptSopsText('a: 1\n', 'plain.yaml', { identities: [], identitySource: '' }))).message, /plain\.yaml: is not a SOPS-encrypted file/);
    assert.match((await failure(() => decryptSopsText('a: 1\n---\nb: 2\n', 'two.yaml', { identities: [], identitySource: '' }))).message, /exactly one YAML or JSON document/);
  });
});

describe('age files made by the age binary', () => {
  it('opens an armored one and a binary one of two 64 KiB chunks', async () => {
    const { identities } = await keys();
    assert.equal((await ageDecrypt(await fixture('short.age'), identities)).toString(), 'helmcycle age fixture\n');
    const expected = Array.from({ length: 2000 }, (_, i) => `line ${String(i).padStart(5, '0')} of the two-chunk age fixture\n`).join('');
    assert.equal((await ageDecrypt(readFileSync(join(FIXTURES, 'two-chunks.age')), identities)).toString(), expected);
  });

  it('refuses a changed payload, a changed header and a wrong key', async () => {
    const { identities } = await keys();
    const file = readFileSync(join(FIXTURES, 'two-chunks.age'));
    const payload = Buffer.from(file);
    payload[payload.length - 100]! ^= 1;
    await assert.rejects(ageDecrypt(payload, identities), /does not open: invalid tag/);
    const header = Buffer.from(file);
    const at = header.indexOf('\n--- ') - 1;
    header[at] = header[at] === 0x41 ? 0x42 : 0x41;
    await assert.rejects(ageDecrypt(header, identities), /does not open|opens it/);
    const other = parseAgeIdentities(await fixture('other-age-key.txt'));
    await assert.rejects(ageDecrypt(file, other), /none of the age identities given opens it/);
  });
  it("opens a file sealed to an age 1.3 post-quantum hybrid identity (AGE-SECRET-KEY-PQ-1...)", async () => {
    const identity = await generateHybridIdentity();
    const encrypter = new Encrypter();
    encrypter.addRecipient(await identityToRecipient(identity));
    const sealed = await encrypter.encrypt('sealed to a hybrid key');
    const identities = parseAgeIdentities(`# created: in this test\n${identity}\n`);
    assert.equal(identities.length, 1);
    assert.equal((await ageDecrypt(Buffer.from(sealed), identities)).toString(), 'sealed to a hybrid key');
  });
});

describe('age keys, where sops looks for them', () => {
  it('reads SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and the XDG keys file, and says where it looked without key material', async () => {
    const home = await mkdtemp(join(tmpdir(), 'helmcycle-age-'));
    try {
      const key = await fixture('age-key.txt');
      const other = await fixture('other-age-key.txt');
      await cp(join(FIXTURES, 'other-age-key.txt'), join(home, '.config', 'sops', 'age', 'keys.txt'), { recursive: true });
      const set = await loadAgeIdentities({ SOPS_AGE_KEY: key, SOPS_AGE_KEY_FILE: join(home, 'missing.txt') }, home);
      assert.equal(set.identities.length, 2);
      assert.match(set.source, /SOPS_AGE_KEY, SOPS_AGE_KEY_FILE=.*missing\.txt \(no such file\), .*\.config\/sops\/age\/keys\.txt/);
      assert.ok(!set.source.includes('AGE-SECRET-KEY') && !set.source.includes(other.trim().split('\n').at(-1)!));
      const xdg = await loadAgeIdentities({ XDG_CONFIG_HOME: join(home, 'nowhere') }, home);
      assert.equal(xdg.identities.length, 0);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

/** A stack folder with the fixture files, a local chart, and a fake helm that renders what it reads on stdin. */
async function stackWithFakeHelm(): Promise<{ dir: string; helm: string; argvLog: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-sops-cli-'));
  await cp(FIXTURES, join(dir, 'secrets'), { recursive: true });
  await cp(resolve('test/fixtures/charts/settings'), join(dir, 'charts', 'api'), { recursive: true });
  await writeFile(join(dir, 'helmcycle.yaml'), JSON.stringify({ name: 'sops', charts: [{ name: 'api', chart: './charts/api', namespace: 'apps', secretValuesFiles: ['secrets/values.sops.yaml'] }] }));
  const argvLog = join(dir, 'argv.log');
  const helm = join(dir, 'fake-helm');
  // template: prints a ConfigMap whose data is what helm was given on stdin (as a chart would render it).
  await writeFile(helm, [
    '#!/bin/sh',
    `printf '%s\\n' "$*" >> '${argvLog}'`,
    'case "$1" in version) echo v3.17.0; exit 0;; esac',
    "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: api\\ndata:\\n  values.yaml: |\\n'",
    "sed 's/^/    /'",
    '',
  ].join('\n'));
  await chmod(helm, 0o755);
  return { dir, helm, argvLog };
}

describe('a stack with a SOPS file, through the CLI', () => {
  it('template: helm reads the decrypted values on stdin; the output shows them masked; argv never holds them', async () => {
    const { dir, helm, argvLog } = await stackWithFakeHelm();
    const before = process.env.SOPS_AGE_KEY_FILE;
    process.env.SOPS_AGE_KEY_FILE = join(FIXTURES, 'age-key.txt');
    try {
      let out = '';
      const code = await main(['--helm', helm, 'template'], { stdout: (t) => (out += t), stderr: (t) => (out += t), interactive: false, cwd: dir });
      assert.equal(code, 0, out);
      assert.match(out, /password: \*\*\*/);
      // A boolean cannot be masked without blanking every `true` of the output; it still went on stdin only.
      assert.match(out, /enabled: true/);
      assert.ok(!out.includes(PASSWORD) && !out.includes(TOKEN), out);
      const argv = await readFile(argvLog, 'utf8');
      assert.match(argv, /--values=- /);
      assert.ok(!argv.includes(PASSWORD) && !argv.includes(TOKEN));
    } finally {
      if (before === undefined) delete process.env.SOPS_AGE_KEY_FILE;
      else process.env.SOPS_AGE_KEY_FILE = before;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without the key: exit 2, the chart, field and file named, nothing run', async () => {
    const { dir, helm, argvLog } = await stackWithFakeHelm();
    const saved = { file: process.env.SOPS_AGE_KEY_FILE, key: process.env.SOPS_AGE_KEY, xdg: process.env.XDG_CONFIG_HOME };
    process.env.SOPS_AGE_KEY_FILE = join(FIXTURES, 'other-age-key.txt');
    delete process.env.SOPS_AGE_KEY;
    process.env.XDG_CONFIG_HOME = join(dir, 'no-config');
    try {
      let out = '';
      const code = await main(['--helm', helm, 'template'], { stdout: (t) => (out += t), stderr: (t) => (out += t), interactive: false, cwd: dir });
      assert.equal(code, 2, out);
      assert.match(out, /chart 'api'/);
      assert.match(out, /secretValuesFiles\[0\].*values\.sops\.yaml: none of the age keys found/s);
      assert.equal(await readFile(argvLog, 'utf8').catch(() => ''), '', 'helm was not run');
    } finally {
      for (const [name, value] of [['SOPS_AGE_KEY_FILE', saved.file], ['SOPS_AGE_KEY', saved.key], ['XDG_CONFIG_HOME', saved.xdg]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a plan of a chart with a SOPS file', () => {
  it('shows the change, never the value, in text and JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-sops-plan-'));
    try {
      await cp(FIXTURES, join(dir, 'secrets'), { recursive: true });
      const stack = resolveStack({ charts: [{ name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', secretValuesFiles: ['secrets/values.sops.yaml'] }] }, { file: join(dir, 'helmcycle.yaml') });
      const resolved = await resolveStackSecrets(stack, { env: { SOPS_AGE_KEY_FILE: join(FIXTURES, 'age-key.txt') } });
      const chart = resolved.charts[0]!;
      const rendered = (password: string) => ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: web', 'data:', `  url: postgres://app:${password}@db`, `  token: ${TOKEN}`].join('\n');
      const helm = new FakeHelm();
      helm.manifest = rendered(PASSWORD);
      const plan = await planChart(chart, { helm, kube: new FakeKube(), command: 'apply', masker: maskerForSpecs([chart.definition]) });
      const text = formatPlan([plan]) + formatPlanJson([plan]);
      assert.match(text, /ConfigMap\/apps\/web/);
      assert.ok(!text.includes(PASSWORD) && !text.includes(TOKEN), text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
