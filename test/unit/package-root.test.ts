// packageRoot: the folder of the nearest package.json named helmcycle above a module, however deep the
// build put the module (dist/chunks/) and whatever other package.json files lie on the way.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/package-root.js';
import { helmcycleVersion } from '../../src/version.js';

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'helmcycle-root-'));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(root, file, '..'), { recursive: true });
    await writeFile(join(root, file), text);
  }
  return root;
}

describe('packageRoot', () => {
  it('is the checkout for the sources (this module by default)', () => {
    assert.equal(packageRoot(), resolve('.'));
  });

  it('finds the package from a chunk two folders down, by file URL or path', async () => {
    const root = await tree({ 'pkg/package.json': JSON.stringify({ name: 'helmcycle', version: '9.9.9' }) });
    const chunk = join(root, 'pkg', 'dist', 'chunks', 'chunk-ABC.js');
    assert.equal(packageRoot(pathToFileURL(chunk)), join(root, 'pkg'));
    assert.equal(packageRoot(pathToFileURL(chunk).href), join(root, 'pkg'));
    assert.equal(packageRoot(chunk), join(root, 'pkg'));
  });

  it("passes over a package.json that is not helmcycle's, or does not parse", async () => {
    const root = await tree({
      'node_modules/helmcycle/package.json': JSON.stringify({ name: 'helmcycle' }),
      'node_modules/helmcycle/dist/package.json': JSON.stringify({ type: 'module' }),
      'node_modules/helmcycle/dist/cli/package.json': '{ not json',
    });
    assert.equal(packageRoot(join(root, 'node_modules', 'helmcycle', 'dist', 'cli', 'entry.js')), join(root, 'node_modules', 'helmcycle'));
  });

  it('says where it looked when no folder above holds helmcycle', async () => {
    const root = await tree({ 'app/package.json': JSON.stringify({ name: 'my-app' }) });
    assert.throws(() => packageRoot(join(root, 'app', 'index.js')), /no package\.json named helmcycle in any folder above .*app/);
  });

  it("gives --version the checkout's package.json version", async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    assert.equal(helmcycleVersion(), version);
  });
});
