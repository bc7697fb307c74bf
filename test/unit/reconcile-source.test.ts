// reconcile's sources: --path stays inside the source (.., absolute, a symlink out are refused), a
// folder's revision moves when a file changes, a git repository (the real git binary, a local repo) is
// followed by branch and tag with its commit as the revision, and a URL or ref git would read as an
// option is refused before git runs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { stackOrigin } from '../../src/stack/stack-origin.js';
import { UsageError } from '../../src/errors.js';
import { GitSource, checkGitArguments, isGitSource, redactUrl } from '../../src/reconcile/git-source.js';
import { FolderSource, stackFileIn } from '../../src/reconcile/source.js';

const run = promisify(execFile);

describe('reconcile source', () => {
  it('refuses a --path that leaves the source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rc-src-'));
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'src', 'helmcycle.yaml'), 'charts: []\n');
    await writeFile(join(dir, 'secret.yaml'), 'x\n');
    await symlink(join(dir, 'secret.yaml'), join(dir, 'src', 'link.yaml'));
    assert.equal(await stackFileIn(join(dir, 'src'), undefined), join(dir, 'src', 'helmcycle.yaml'));
    await assert.rejects(stackFileIn(join(dir, 'src'), '../secret.yaml'), (e) => e instanceof UsageError && /outside the source/.test(e.message));
    await assert.rejects(stackFileIn(join(dir, 'src'), join(dir, 'secret.yaml')), UsageError);
    await assert.rejects(stackFileIn(join(dir, 'src'), 'link.yaml'), (e) => e instanceof UsageError && /link to outside/.test(e.message));
    await assert.rejects(stackFileIn(join(dir, 'src'), 'missing.yaml'), /no such file/);
  });

  it('a folder source revision moves when a file changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rc-folder-'));
    await writeFile(join(dir, 'helmcycle.yaml'), 'charts: []\n');
    const source = new FolderSource(dir, undefined);
    const first = await source.sync();
    assert.equal((await source.sync()).revision, first.revision);
    await writeFile(join(dir, 'values.yaml'), 'a: 1\n');
    assert.notEqual((await source.sync()).revision, first.revision);
  });

  it('follows a branch and a tag of a git repository', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rc-git-'));
    const repo = join(dir, 'repo');
    const git = (...args: string[]) => run('git', ['-C', repo, ...args]);
    await run('git', ['init', '--quiet', '--initial-branch', 'main', repo]);
    await git('config', 'user.email', 't@example.com');
    await git('config', 'user.name', 't');
    await mkdir(join(repo, 'deploy'));
    await writeFile(join(repo, 'deploy', 'stack.yaml'), 'charts: []\n');
    await git('add', '.');
    await git('commit', '--quiet', '-m', 'one');
    await git('tag', 'v1');
    const one = (await git('rev-parse', 'HEAD')).stdout.trim();
    const source = new GitSource({ url: repo, ref: 'main', path: 'deploy/stack.yaml', cacheDir: join(dir, 'cache') });
    const first = await source.sync();
    assert.equal(first.revision, one);
    assert.match(first.file, /deploy\/stack\.yaml$/);
    await writeFile(join(repo, 'deploy', 'stack.yaml'), 'charts: [] # two\n');
    await git('commit', '--quiet', '-am', 'two');
    const second = await source.sync();
    assert.notEqual(second.revision, one);
    const tagged = new GitSource({ url: repo, ref: 'v1', path: 'deploy/stack.yaml', cacheDir: join(dir, 'cache') });
    assert.equal((await tagged.sync()).revision, one);
    await assert.rejects(new GitSource({ url: repo, ref: 'nope', cacheDir: join(dir, 'cache') }).sync(), (e: Error) => /failed/.test(e.message));
    assert.equal(isGitSource(join(repo, '.git')), true);
    assert.equal(isGitSource(join(repo, 'deploy')), false);
  });

  it("gives every replica's checkout of one repository the same stack identity (a takeover prunes from the old leader's inventory)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-src-'));
    const repo = join(dir, 'repo');
    await mkdir(join(repo, 'deploy'), { recursive: true });
    await writeFile(join(repo, 'deploy', 'stack.yaml'), 'charts: []\n');
    const git = (...args: string[]) => run('git', ['-C', repo, ...args]);
    await git('init', '--quiet', '-b', 'main');
    await git('config', 'user.email', 't@example.com');
    await git('config', 'user.name', 't');
    await git('add', '.');
    await git('commit', '--quiet', '-m', 'one');
    const replica = async (name: string) => (await new GitSource({ url: repo, ref: 'main', path: 'deploy/stack.yaml', cacheDir: join(dir, name) }).sync()).file;
    const [one, two] = [await stackOrigin(await replica('cache-a')), await stackOrigin(await replica('cache-b'))];
    assert.ok(one.identity?.startsWith('git:'), `identity ${one.identity}`);
    assert.equal(one.identity, two.identity);
    assert.equal(one.file, 'deploy/stack.yaml');
  });

  it('refuses a URL or ref git would read as an option, and hides credentials', () => {
    assert.throws(() => checkGitArguments('--upload-pack=touch /tmp/x', undefined), UsageError);
    assert.throws(() => checkGitArguments('https://example.com/r.git', '--output=/tmp/x'), UsageError);
    assert.throws(() => checkGitArguments('https://example.com/r.git', 'main:refs/heads/x'), UsageError);
    assert.doesNotThrow(() => checkGitArguments('https://example.com/r.git', 'release/1.2'));
    assert.equal(redactUrl('https://user:token@example.com/r.git'), 'https://***@example.com/r.git');
    assert.equal(new GitSource({ url: 'https://user:token@example.com/r.git', cacheDir: '/nonexistent' }).describe, 'https://***@example.com/r.git');
  });
});
