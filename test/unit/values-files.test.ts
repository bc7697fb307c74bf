import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { nestSetValues, parseSetKey, writeValuesFiles } from '../../src/helm/values-files.js';

describe('set keys', () => {
  it('splits dotted keys, list indices and escaped dots', () => {
    assert.deepEqual(parseSetKey('a.b[1].c'), ['a', 'b', 1, 'c']);
    assert.deepEqual(parseSetKey('annotations.cert-manager\\.io/issuer'), ['annotations', 'cert-manager.io/issuer']);
    assert.throws(() => parseSetKey('a[x]'), /invalid list index/);
  });

  it('nests pairs into one values object', () => {
    // Through JSON: the nested maps have no prototype (see safe-keys.test.ts), deepEqual compares them too.
    assert.deepEqual(JSON.parse(JSON.stringify(nestSetValues({ 'db.password': 'p', 'db.port': 5432, 'users[0].name': 'x' }))), {
      db: { password: 'p', port: 5432 },
      users: [{ name: 'x' }],
    });
  });
});

describe('writeValuesFiles', () => {
  it('writes private files in precedence order, hands the sensitive values over stdin, and removes the files', async () => {
    const written = await writeValuesFiles({
      values: [{ a: 1 }, { a: 2 }],
      valuesFiles: ['relative.yaml'],
      yamlFilesContent: [{ name: 'inline', content: 'b: 3\n' }],
      setSensitive: { 'db.password': 'sup3r' },
      setJson: {}, set: {}, setString: {},
    }, '/work/dir');
    const dir = written.dir!;
    try {
      assert.equal(written.files.length, 5);
      assert.equal(written.files[2], '/work/dir/relative.yaml', 'user files are passed through, resolved');
      assert.deepEqual(parse(await readFile(written.files[1]!, 'utf8')), { a: 2 });
      assert.equal(await readFile(written.files[3]!, 'utf8'), 'b: 3\n');
      assert.equal(written.files[4], '-', 'the sensitive values come last (from stdin), so they win over other files');
      assert.deepEqual(parse(written.stdin!), { db: { password: 'sup3r' } });
      for (const name of await readdir(dir)) {
        assert.doesNotMatch(await readFile(join(dir, name), 'utf8'), /sup3r/, `${name} holds no sensitive value`);
      }
      assert.equal((await stat(written.files[0]!)).mode & 0o777, 0o600);
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      assert.match(basename(dir), new RegExp(`^helmcycle-${process.pid}-values-`), 'the folder names its owner process');
    } finally {
      await written.dispose();
    }
    await assert.rejects(stat(dir), { code: 'ENOENT' });
  });

  it('writes no folder at all when only sensitive values and user files are given', async () => {
    const written = await writeValuesFiles({ values: [], valuesFiles: ['a.yaml'], yamlFilesContent: [], setSensitive: { token: 'abcd1234' }, setJson: {}, set: {}, setString: {} }, '/w');
    assert.equal(written.dir, undefined);
    assert.deepEqual(written.files, ['/w/a.yaml', '-']);
    await written.dispose();
  });
});
