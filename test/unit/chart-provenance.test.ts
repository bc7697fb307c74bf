// Chart provenance (verify: true with a keyring): the .prov file, an OpenPGP clearsigned message in the
// shape `helm package --sign` writes (the chart's metadata, a `...` line, then `files:` with the archive's
// sha256), signed by a key made here. Verified in process; a wrong key, a changed archive, a .prov that
// does not list the archive or is not signed at all fail naming the chart. The pull hands on the archive
// only once checked (behind the helm process seam), and the spec refuses keyring/verify alone and a
// keyring outside a YAML stack's folder.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createCleartextMessage, generateKey, readKey, readPrivateKey, sign } from 'openpgp';
import { chartSpecSchema } from '../../src/config/chart-spec.js';
import { ChartProvenanceError, verifyProvenance } from '../../src/helm/chart-provenance.js';
import { pullVerified } from '../../src/helm/verified-pull.js';
import { loadStack } from '../../src/stack/load.js';

const ARCHIVE_NAME = 'web-1.0.0.tgz';
const archive = randomBytes(2048);
const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

let signer: { publicArmored: string; publicBinary: Uint8Array; privateArmored: string };
let stranger: { publicArmored: string };

async function key(name: string) {
  const made = await generateKey({ type: 'ecc', userIDs: [{ name, email: `${name}@example.invalid` }], format: 'armored' });
  return { publicArmored: made.publicKey, publicBinary: (await readKey({ armoredKey: made.publicKey })).write(), privateArmored: made.privateKey };
}

/** A .prov as helm writes it: Chart.yaml, `...`, the files with their sha256, clearsigned. */
async function prov(files: Record<string, string>, privateArmored = signer.privateArmored): Promise<string> {
  const text = `apiVersion: v2\ndescription: A small web app\nname: web\nversion: 1.0.0\n\n...\nfiles:\n${Object.entries(files).map(([f, d]) => `  ${f}: ${d}`).join('\n')}\n`;
  return sign({ message: await createCleartextMessage({ text }), signingKeys: await readPrivateKey({ armoredKey: privateArmored }) });
}

const input = async (over: Partial<Parameters<typeof verifyProvenance>[0]> = {}) => ({
  reference: 'oci://registry.example.invalid/charts/web 1.0.0',
  archiveName: ARCHIVE_NAME,
  archive,
  prov: await prov({ [ARCHIVE_NAME]: sha(archive) }),
  keyring: Buffer.from(signer.publicArmored),
  ...over,
});

async function rejected(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ChartProvenanceError, String(error));
    assert.equal(error.code, 'CHART_PROVENANCE_FAILED');
    assert.match(error.message, /^chart oci:\/\/registry\.example\.invalid\/charts\/web 1\.0\.0: provenance not verified: /);
    assert.match(error.message, pattern);
    return true;
  });
}

before(async () => {
  signer = await key('chart-signer');
  stranger = await key('someone-else');
});

describe('chart provenance', () => {
  it('accepts an archive whose .prov is signed by a key of the keyring, armored or binary', async () => {
    await verifyProvenance(await input());
    await verifyProvenance(await input({ keyring: signer.publicBinary }));
    await verifyProvenance(await input({ keyring: Buffer.from(`${stranger.publicArmored}\n${signer.publicArmored}`) }));
  });

  it('refuses a signature by a key outside the keyring', async () => {
    await rejected(verifyProvenance(await input({ keyring: Buffer.from(stranger.publicArmored) })), /signature is not valid for any key of the keyring/);
  });

  it('refuses an archive changed after signing, naming both digests', async () => {
    const changed = Buffer.from(archive);
    changed[10] = changed[10]! ^ 1;
    await rejected(verifyProvenance(await input({ archive: changed })), new RegExp(`archive's digest is ${sha(changed)}, the signed \\.prov says ${sha(archive)}`));
  });

  it('refuses a .prov whose signed text was edited, one that lists another file, and one that is not clearsigned', async () => {
    const good = await prov({ [ARCHIVE_NAME]: sha(archive) });
    const edited = good.replace(sha(archive), sha(Buffer.from('other')));
    await rejected(verifyProvenance(await input({ prov: edited, archive: Buffer.from('other') })), /signature is not valid/);
    await rejected(verifyProvenance(await input({ prov: await prov({ 'web-2.0.0.tgz': sha(archive) }) })), /lists no web-1\.0\.0\.tgz/);
    await rejected(verifyProvenance(await input({ prov: `files:\n  ${ARCHIVE_NAME}: ${sha(archive)}\n` })), /not an OpenPGP clearsigned message/);
    await rejected(verifyProvenance(await input({ keyring: Buffer.from('not a key') })), /keyring holds no OpenPGP public key/);
  });
});

describe('pulling a chart to verify', () => {
  const source = (keyring: string) => ({ chart: 'oci://registry.example.invalid/charts/web', version: '1.0.0', plainHttp: true, verify: { keyring } });

  it('pulls the archive with --prov (not unpacked) and hands it on only once verified', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-prov-'));
    const keyring = join(dir, 'keyring.asc');
    await writeFile(keyring, signer.publicArmored);
    const into = join(dir, 'pulled');
    await mkdir(into);
    const seen: string[][] = [];
    const pull = (signedBy: string) => async (argvOf: (access: object) => string[]) => {
      seen.push(argvOf({}));
      await writeFile(join(into, ARCHIVE_NAME), archive);
      await writeFile(join(into, `${ARCHIVE_NAME}.prov`), await prov({ [ARCHIVE_NAME]: sha(archive) }, signedBy));
      return { stderr: '' };
    };
    assert.equal(await pullVerified(pull(signer.privateArmored), source(keyring), into), join(into, ARCHIVE_NAME));
    assert.ok(seen[0]!.includes('--prov') && !seen[0]!.includes('--untar'), seen[0]!.join(' '));
    const other = await key('intruder');
    await rejected(pullVerified(pull(other.privateArmored), source(keyring), into), /not valid for any key/);
  });

  it('fails naming the chart when there is no .prov to verify', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-prov-'));
    await writeFile(join(dir, 'keyring.asc'), signer.publicArmored);
    const into = join(dir, 'pulled');
    await mkdir(into);
    const pull = async () => (await writeFile(join(into, ARCHIVE_NAME), archive), { stderr: '' });
    await rejected(pullVerified(pull, source(join(dir, 'keyring.asc')), into), /has no \.prov file/);
  });
});

describe('verify and keyring in the spec', () => {
  const base = { name: 'web', namespace: 'apps', chart: 'oci://registry.example.invalid/charts/web', version: '1.0.0' };
  const issues = (spec: object) => {
    const parsed = chartSpecSchema.safeParse(spec);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('needs both, and a chart from a registry or repository', () => {
    assert.deepEqual(issues({ ...base, verify: true, keyring: './keys.asc' }), []);
    assert.match(issues({ ...base, verify: true }).join(), /keyring: verify: true needs the keyring/);
    assert.match(issues({ ...base, keyring: './keys.asc' }).join(), /verify: a keyring is read only with verify: true/);
    assert.match(issues({ ...base, chart: './web', version: undefined, verify: true, keyring: './k' }).join(), /only a chart from a repository or an oci:\/\/ registry/);
  });

  it('reads the keyring of a YAML stack only inside its folder', async () => {
    const base = await mkdtemp(join(tmpdir(), 'helmcycle-prov-stack-'));
    const stackDir = join(base, 'stack');
    await mkdir(stackDir);
    await writeFile(join(base, 'outside.asc'), signer.publicArmored);
    await writeFile(join(stackDir, 'keys.asc'), signer.publicArmored);
    const chart = (keyring: string) => `charts: [{ name: web, chart: oci://registry.example.invalid/charts/web, version: 1.0.0, verify: true, keyring: ${keyring} }]\n`;
    await writeFile(join(stackDir, 'helmcycle.yaml'), chart('./keys.asc'));
    const stack = await loadStack(join(stackDir, 'helmcycle.yaml'));
    assert.equal(stack.charts[0]!.definition.keyring, join(stackDir, 'keys.asc'));
    await writeFile(join(stackDir, 'helmcycle.yaml'), chart('../outside.asc'));
    await assert.rejects(loadStack(join(stackDir, 'helmcycle.yaml')), /keyring: .*outside\.asc is outside the stack's folder/);
  });
});

describe('import: helmfile verify and keyring', () => {
  it('become verify and keyring on a registry chart, and are listed where they cannot', async () => {
    const { runCommandLine } = await import('../../src/cli/main.js');
    const { parse } = await import('yaml');
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-prov-import-'));
    await mkdir(join(dir, 'keys'));
    await writeFile(join(dir, 'keys', 'signers.gpg'), signer.publicBinary);
    await writeFile(join(dir, 'helmfile.yaml'), [
      'repositories: [{ name: signed, url: https://charts.example.invalid }]',
      'releases:',
      '  - { name: web, namespace: apps, chart: signed/web, version: 1.0.0, verify: true, keyring: keys/signers.gpg }',
      '  - { name: api, namespace: apps, chart: signed/api, version: 1.0.0, verify: true }',
      '  - { name: local, namespace: apps, chart: ./charts/local, verify: true, keyring: keys/signers.gpg }',
      '',
    ].join('\n'));
    await mkdir(join(dir, 'charts', 'local'), { recursive: true });
    await writeFile(join(dir, 'charts', 'local', 'Chart.yaml'), 'apiVersion: v2\nname: local\nversion: 0.1.0\n');
    let stderr = '';
    const code = await runCommandLine(['import', 'helmfile.yaml'], { stdout: () => {}, stderr: (t) => (stderr += t), interactive: false, cwd: dir });
    assert.equal(code, 0, stderr);
    const written = parse(await readFile(join(dir, 'helmcycle.yaml'), 'utf8')) as { charts: Record<string, unknown>[] };
    const chart = (name: string) => written.charts.find((c) => c.name === name)!;
    assert.deepEqual([chart('web').verify, chart('web').keyring], [true, './keys/signers.gpg']);
    assert.equal(chart('api').verify, undefined);
    assert.equal(chart('local').verify, undefined);
    assert.match(stderr, /releases\[1\]\.verify: verify without a keyring/);
    assert.match(stderr, /releases\[2\]\.verify: verify on a local chart/);
    const loaded = await loadStack(join(dir, 'helmcycle.yaml'));
    assert.equal(loaded.charts.find((c) => c.name === 'web')!.definition.keyring, join(dir, 'keys', 'signers.gpg'));
  });
});
