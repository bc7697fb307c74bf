// Files the CLI writes for the user are private whatever was there before (issue 24, item 14): a report
// written over an existing 0644 file ends 0600, whole, and no temporary file is left beside it.
import assert from 'node:assert/strict';
import { chmod, lstat, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writePrivateFile } from '../../src/cli/private-file.js';
import { writeRunReport } from '../../src/cli/run-report.js';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('files written for the user', () => {
  it('--report over an existing world-readable file leaves it 0600 with the new report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-private-'));
    const path = join(dir, 'report.html');
    await writeFile(path, 'an old report');
    await chmod(path, 0o644);
    await writeRunReport(path, [], { argv: ['apply'], clients: undefined, kubeconfig: undefined, mask: (text) => text });
    assert.equal((await modeOf(path)).toString(8), '600');
    assert.match(await readFile(path, 'utf8'), /<html/i);
    assert.deepEqual(await readdir(dir), ['report.html'], 'no temporary file is left');
  });

  it('replaces a symlink rather than writing through it, and cleans up when it cannot write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-private-'));
    const elsewhere = await mkdtemp(join(tmpdir(), 'helmcycle-victim-'));
    await writeFile(join(elsewhere, 'victim'), 'untouched');
    await symlink(join(elsewhere, 'victim'), join(dir, 'plan.json'));
    await writePrivateFile(join(dir, 'plan.json'), '{}');
    assert.equal(await readFile(join(elsewhere, 'victim'), 'utf8'), 'untouched');
    assert.ok((await lstat(join(dir, 'plan.json'))).isFile());
    assert.equal((await modeOf(join(dir, 'plan.json'))).toString(8), '600');
    await assert.rejects(writePrivateFile(join(dir, 'missing', 'x.json'), '{}'), /ENOENT/);
    assert.deepEqual(await readdir(dir), ['plan.json']);
  });
});
