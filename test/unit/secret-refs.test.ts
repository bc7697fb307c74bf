// ref+ references in values, resolved at run time into secretValues: gone from `values` (which is written
// to a file and digested in clear), read by helm from stdin only, masked, and making the digest keyed.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseChartSpec } from '../../src/config/parse.js';
import { writeValuesFiles } from '../../src/helm/values-files.js';
import { digestNeedsKey } from '../../src/lifecycle/digest.js';
import { valuesInput } from '../../src/lifecycle/requests.js';
import { resolveStackSecrets } from '../../src/stack/resolve-secrets.js';
import { parseValueRef } from '../../src/secrets/refs/value-ref.js';
import { maskerForSpecs, sensitiveValuesOf } from '../../src/secrets/sensitive.js';
import { loadStack, resolveStack } from '../../src/stack/load.js';
import type { ResolvedStack, StackDefinition } from '../../src/stack/types.js';
import { FakeKube } from './fakes.js';

const TOKEN = 'tok-Sentinel-61c2';

async function folder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'helmcycle-refs-'));
}

function stackIn(dir: string, definition: StackDefinition): ResolvedStack {
  return resolveStack(definition, { file: join(dir, 'helmcycle.yaml') });
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected a failure');
}

describe('ref+ references', () => {
  it('parses vals syntax: scheme, path, query and fragment; a string that only contains ref+ is none', () => {
    assert.deepEqual(parseValueRef('ref+vault://secret/data/db?address=http://v:8200#/password'), { text: 'ref+vault://secret/data/db?address=http://v:8200#/password', scheme: 'vault', path: 'secret/data/db', params: { address: 'http://v:8200' }, fragment: '/password' });
    assert.equal(parseValueRef('postgres://ref+env://X+/db'), undefined);
    assert.equal(parseValueRef(42), undefined);
  });

  it('moves a resolved ref+env value from values into secretValues: the values file helm gets has no secret, stdin has it', async () => {
    const dir = await folder();
    try {
      const stack = stackIn(dir, { charts: [{ name: 'api', chart: './api', values: { db: { host: 'db', token: 'ref+env://API_TOKEN' }, list: ['a', 'ref+env://API_TOKEN'] } }] });
      const resolved = await resolveStackSecrets(stack, { env: { API_TOKEN: TOKEN } });
      const definition = resolved.charts[0]!.definition;
      assert.deepEqual(definition.values, [{ db: { host: 'db' } }]);
      assert.deepEqual(definition.secretValues, [{ db: { token: TOKEN }, list: ['a', TOKEN] }]);
      const spec = parseChartSpec(definition);
      const written = await writeValuesFiles(valuesInput(spec));
      try {
        assert.deepEqual(parse(written.stdin!), { db: { token: TOKEN }, list: ['a', TOKEN] });
        assert.equal(written.files.at(-1), '-');
        for (const file of written.files.filter((f) => f !== '-')) assert.ok(!(await readFile(file, 'utf8')).includes(TOKEN), `${file} holds the secret`);
      } finally {
        await written.dispose();
      }
      assert.ok(sensitiveValuesOf(definition).includes(TOKEN));
      assert.equal(maskerForSpecs([definition]).mask(`token=${TOKEN}`), 'token=***');
      assert.equal(digestNeedsKey({ spec, chartVersion: '1.0.0', valuesFileContents: [], localChartHash: undefined }), true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lays a ref+ value of a values file over the file from stdin, and resolves ref+ setSensitive values', async () => {
    const dir = await folder();
    try {
      await writeFile(join(dir, 'values.yaml'), 'image: web\nauth:\n  token: ref+env://API_TOKEN\n');
      const stack = stackIn(dir, { charts: [{ name: 'api', chart: './api', valuesFiles: ['values.yaml'], setSensitive: { 'other.key': 'ref+env://OTHER' } }] });
      const definition = (await resolveStackSecrets(stack, { env: { API_TOKEN: TOKEN, OTHER: 'other-Secret-77' } })).charts[0]!.definition;
      assert.deepEqual(definition.secretValues, [{ auth: { token: TOKEN }, other: { key: 'other-Secret-77' } }]);
      assert.deepEqual(definition.setSensitive, {});
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads ref+file inside the stack folder (whole, or one key by fragment) and refuses one outside it, symlinks resolved', async () => {
    const dir = await folder();
    const outside = await folder();
    try {
      await writeFile(join(dir, 'token.txt'), TOKEN);
      await writeFile(join(dir, 'creds.yaml'), `db:\n  password: ${TOKEN}\n`);
      await writeFile(join(outside, 'stolen.txt'), 'not-for-the-stack');
      await symlink(join(outside, 'stolen.txt'), join(dir, 'link.txt'));
      const ok = stackIn(dir, { charts: [{ name: 'api', chart: './api', values: { a: 'ref+file://token.txt', b: 'ref+file://creds.yaml#/db/password' } }] });
      assert.deepEqual((await resolveStackSecrets(ok, { env: {} })).charts[0]!.definition.secretValues, [{ a: TOKEN, b: TOKEN }]);
      for (const path of [join(outside, 'stolen.txt'), 'link.txt', '../x']) {
        const bad = stackIn(dir, { charts: [{ name: 'api', chart: './api', values: { a: `ref+file://${path}` } }] });
        const error = await errorOf(resolveStackSecrets(bad, { env: {} }));
        const text = `${error.message} ${JSON.stringify(error)}`;
        assert.match(text, /values\[0\]\.a/);
        assert.match(text, /outside the stack's folder|does not exist/);
        assert.ok(!text.includes('not-for-the-stack'));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('reads ref+k8s from a Secret of the run\'s cluster, and connects only when a stack has one', async () => {
    const dir = await folder();
    try {
      const kube = new FakeKube();
      kube.objects.set('Secret/db/creds', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'db' }, data: { password: Buffer.from(TOKEN).toString('base64') } });
      let connected = 0;
      const connect = async () => (connected++, kube);
      const stack = stackIn(dir, { charts: [{ name: 'api', chart: './api', values: { db: { password: 'ref+k8s://v1/Secret/db/creds/password' } } }] });
      assert.deepEqual((await resolveStackSecrets(stack, { env: {}, kube: connect })).charts[0]!.definition.secretValues, [{ db: { password: TOKEN } }]);
      const missing = stackIn(dir, { charts: [{ name: 'api', chart: './api', values: { db: { password: 'ref+k8s://v1/Secret/db/creds/nokey' } } }] });
      assert.match((await errorOf(resolveStackSecrets(missing, { env: {}, kube: connect }))).message + JSON.stringify(await errorOf(resolveStackSecrets(missing, { env: {}, kube: connect }))), /has no key 'nokey'/);
      const before = connected;
      await resolveStackSecrets(stackIn(dir, { charts: [{ name: 'api', chart: './api', values: { plain: 1 } }] }), { env: {}, kube: connect });
      assert.equal(connected, before, 'no reference: no connection');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses a TypeScript stack\'s resolver for another scheme, and names chart and field for a scheme without one', async () => {
    const dir = await folder();
    try {
      const seen: string[] = [];
      const vault = async (ref: { path: string; fragment: string | undefined }) => (seen.push(`${ref.path}#${ref.fragment}`), TOKEN);
      const stack = { ...stackIn(dir, { charts: [{ name: 'api', chart: './api', values: { token: 'ref+vault://secret/data/api#/token' } }] }), resolvers: { vault } };
      assert.deepEqual((await resolveStackSecrets(stack, { env: {} })).charts[0]!.definition.secretValues, [{ token: TOKEN }]);
      assert.deepEqual(seen, ['secret/data/api#/token']);
      const error = await errorOf(resolveStackSecrets({ ...stack, resolvers: {} }, { env: {} }));
      assert.match(`${error.message} ${JSON.stringify(error)}`, /chart 'api'.*values\[0\]\.token.*ref\+vault:\/\/ has no resolver/s);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("never shows what a failing resolver's error says (it may quote what it read)", async () => {
    const dir = await folder();
    try {
      const leaky = async () => { throw new Error(`cannot parse ${TOKEN}`); };
      const stack = { ...stackIn(dir, { charts: [{ name: 'api', chart: './api', values: { token: 'ref+leaky://x' } }] }), resolvers: { leaky } };
      const error = await errorOf(resolveStackSecrets(stack, { env: {} }));
      assert.ok(!`${error.message} ${JSON.stringify(error)} ${String(error.stack)}`.includes(TOKEN));
      assert.match(JSON.stringify(error), /ref\+leaky:\/\/x could not be resolved/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unset ref+env variable, naming it and the field', async () => {
    const dir = await folder();
    try {
      const stack = stackIn(dir, { charts: [{ name: 'api', chart: './api', values: { token: 'ref+env://NOT_SET_HERE' } }] });
      const error = await errorOf(resolveStackSecrets(stack, { env: {} }));
      assert.match(JSON.stringify(error), /values\[0\]\.token.*NOT_SET_HERE is not set/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('secretValues in the spec', () => {
  it('masks maskable leaves only: a boolean, a number under four digits or a keyword would blank ordinary output', () => {
    assert.deepEqual(sensitiveValuesOf({ secretValues: [{ a: TOKEN, b: true, c: 443, d: 'yes', e: 123456, f: ['list-Secret-1'] }] }), [TOKEN, '123456', 'list-Secret-1']);
  });

  it('goes to helm on stdin, merged in order under setSensitive', async () => {
    const spec = parseChartSpec({ name: 'api', chart: './api', secretValues: [{ a: { x: 'one-1111', y: 'two-2222' } }, { a: { y: 'three-333' } }], setSensitive: { 'a.z': 'four-4444' } });
    const written = await writeValuesFiles(valuesInput(spec));
    try {
      assert.deepEqual(parse(written.stdin!), { a: { x: 'one-1111', y: 'three-333', z: 'four-4444' } });
      assert.equal(written.dir, undefined, 'nothing written to disk');
    } finally {
      await written.dispose();
    }
  });

  it('refuses to run a chart whose SOPS files were not decrypted (no silent deploy without them)', () => {
    const spec = parseChartSpec({ name: 'api', chart: './api', secretValuesFiles: ['/x/secrets.yaml'] });
    assert.throws(() => valuesInput(spec), /secretValuesFiles must be decrypted/);
  });
});


describe('a stack resolved once', () => {
  it('resolves a reference found only in a values file, and a second call changes nothing', async () => {
    const dir = await folder();
    try {
      await writeFile(join(dir, 'values.yaml'), 'auth:\n  token: ref+env://API_TOKEN\n');
      let reads = 0;
      const env = new Proxy({ API_TOKEN: TOKEN } as NodeJS.ProcessEnv, { get: (target, key) => (key === 'API_TOKEN' && reads++, Reflect.get(target, key)) });
      const once = await resolveStackSecrets(stackIn(dir, { charts: [{ name: 'api', chart: './api', valuesFiles: ['values.yaml'] }] }), { env });
      assert.deepEqual(once.charts[0]!.definition.secretValues, [{ auth: { token: TOKEN } }]);
      const twice = await resolveStackSecrets({ ...once }, { env });
      assert.deepEqual(twice.charts[0]!.definition.secretValues, [{ auth: { token: TOKEN } }]);
      assert.equal(reads, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('secretValuesFiles in a YAML stack', () => {
  it('are read from the stack file\'s folder and, like valuesFiles, never from outside it', async () => {
    const dir = await folder();
    try {
      await writeFile(join(dir, 'helmcycle.yaml'), JSON.stringify({ charts: [{ name: 'api', chart: './api', secretValuesFiles: ['/etc/passwd'] }] }));
      await assert.rejects(loadStack(join(dir, 'helmcycle.yaml'), { cwd: dir }), (error: Error & { issues?: { field: string; message: string }[] }) => {
        assert.equal(error.issues?.[0]?.field, 'secretValuesFiles[0]');
        assert.match(error.issues?.[0]?.message ?? '', /\/etc\/passwd is outside/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
