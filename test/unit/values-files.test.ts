import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
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
  it('writes private files in precedence order and removes them', async () => {
    const written = await writeValuesFiles({
      values: [{ a: 1 }, { a: 2 }],
      valuesFiles: ['relative.yaml'],
      yamlFilesContent: [{ name: 'inline', content: 'b: 3\n' }],
      setSensitive: { 'db.password': 'sup3r' },
      setJson: {}, set: {}, setString: {},
    }, '/work/dir');
    try {
      assert.equal(written.files.length, 5);
      assert.equal(written.files[2], '/work/dir/relative.yaml', 'user files are passed through, resolved');
      assert.deepEqual(parse(await readFile(written.files[1]!, 'utf8')), { a: 2 });
      assert.equal(await readFile(written.files[3]!, 'utf8'), 'b: 3\n');
      const sensitive = written.files[4]!;
      assert.match(sensitive, /sensitive\.yaml$/, 'the sensitive file comes last, so it wins over other files');
      assert.deepEqual(parse(await readFile(sensitive, 'utf8')), { db: { password: 'sup3r' } });
      assert.equal((await stat(sensitive)).mode & 0o777, 0o600);
      assert.equal((await stat(written.dir)).mode & 0o777, 0o700);
    } finally {
      await written.dispose();
    }
    await assert.rejects(stat(written.dir), { code: 'ENOENT' });
  });
});
