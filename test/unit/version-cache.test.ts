import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cachedVersion, keyOfBinary, looksLikeHelm, rememberVersion, resolveBinary, userCacheDir } from '../../src/helm/version-cache.js';

const root = mkdtempSync(join(tmpdir(), 'version-cache-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in for a native helm: an ELF header is all the cache looks at. */
const ELF = '\x7fELF\x02\x01\x01';

function executable(path: string, body = `${ELF} v4.1.4`): string {
  writeFileSync(path, body);
  chmodSync(path, 0o755);
  return path;
}

describe('helm version cache', () => {
  it('lives in XDG_CACHE_HOME/helmcycle, else ~/.cache/helmcycle (a relative XDG_CACHE_HOME is ignored)', () => {
    assert.equal(userCacheDir({ XDG_CACHE_HOME: '/x/cache' }), '/x/cache/helmcycle');
    assert.match(userCacheDir({ XDG_CACHE_HOME: 'relative' }), /\/\.cache\/helmcycle$/);
    assert.match(userCacheDir({}), /\/\.cache\/helmcycle$/);
  });

  it('resolves a bare name on PATH and a relative path from the working folder, as a spawn would', async () => {
    const bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    const helm = executable(join(bin, 'helm'));
    writeFileSync(join(bin, 'not-executable'), 'x', { mode: 0o644 });
    assert.equal(await resolveBinary('helm', { path: `/nonexistent:${bin}` }), helm);
    assert.equal(await resolveBinary('./bin/helm', { cwd: root }), helm);
    assert.equal(await resolveBinary('not-executable', { path: bin }), undefined);
    assert.equal(await resolveBinary('missing', { path: bin }), undefined);
  });

  it('gives another key when the binary is replaced, touched, or a link is switched to another file', async () => {
    const a = executable(join(root, 'helm-a'));
    const b = executable(join(root, 'helm-b'));
    // A different file at the same size: the inode tells them apart.
    const link = join(root, 'helm-link');
    symlinkSync(a, link);
    const first = await keyOfBinary(link);
    assert.ok(first);
    assert.equal(await keyOfBinary(link), first, 'the same file: the same key');
    assert.equal(await keyOfBinary(a), first, 'a link and its target are one binary');
    rmSync(link);
    symlinkSync(b, link);
    assert.notEqual(await keyOfBinary(link), first, 'switched link');
    const touched = await keyOfBinary(a);
    utimesSync(a, new Date(), new Date(Date.now() + 5_000));
    assert.notEqual(await keyOfBinary(a), touched, 'touched');
    const before = await keyOfBinary(a);
    rmSync(a);
    executable(a, `${ELF} v3.17.2, another build, another size`);
    assert.notEqual(await keyOfBinary(a), before, 'replaced');
    assert.equal(await keyOfBinary(join(root, 'gone')), undefined);
  });

  it('remembers only a native executable named helm: not a script (a shim, a wrapper) nor a dispatcher it links to', async () => {
    assert.equal(looksLikeHelm('/usr/local/bin/helm', Buffer.from([0x7f, 0x45, 0x4c, 0x46])), true);
    assert.equal(looksLikeHelm('/opt/homebrew/Cellar/helm/3.17.2/bin/helm', Buffer.from([0xcf, 0xfa, 0xed, 0xfe])), true);
    assert.equal(looksLikeHelm('/usr/bin/mise', Buffer.from([0x7f, 0x45, 0x4c, 0x46])), false, 'mise shims link to mise itself');
    assert.equal(looksLikeHelm('/home/u/.asdf/shims/helm', Buffer.from('#!/u')), false);
    const script = executable(join(root, 'helm-wrapper'), '#!/bin/sh\nexec helm "$@"\n');
    assert.equal(await keyOfBinary(script), undefined, 'a script is asked every run');
    const dispatcher = executable(join(root, 'dispatcher'));
    const shim = join(root, 'shims-helm');
    symlinkSync(dispatcher, shim);
    assert.equal(await keyOfBinary(shim), undefined, 'a link to a binary not named helm');
  });

  it('remembers versions in a private file, and reads none from a file others may write', async () => {
    const dir = join(root, 'cache');
    assert.equal(await cachedVersion(dir, 'k1'), undefined);
    await rememberVersion(dir, 'k1', 'v4.1.4');
    await rememberVersion(dir, 'k2', 'v3.17.2');
    await rememberVersion(dir, 'k1', 'v4.1.5');
    assert.equal(await cachedVersion(dir, 'k1'), 'v4.1.5');
    assert.equal(await cachedVersion(dir, 'k2'), 'v3.17.2');
    const file = join(dir, 'helm-versions.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    chmodSync(file, 0o666);
    assert.equal(await cachedVersion(dir, 'k1'), undefined, 'a file open to others is not believed');
    await rememberVersion(dir, 'k3', 'v4.0.0');
    assert.equal(statSync(file).mode & 0o777, 0o600, 'rewritten private');
    writeFileSync(file, '{ not json', { mode: 0o600 });
    assert.equal(await cachedVersion(dir, 'k3'), undefined, 'an unreadable file is a miss');
  });

  it('keeps a bounded number of entries, the newest', async () => {
    const dir = join(root, 'bounded');
    for (let i = 0; i < 40; i++) await rememberVersion(dir, `k${i}`, `v4.0.${i}`);
    assert.equal(await cachedVersion(dir, 'k39'), 'v4.0.39');
    assert.equal(await cachedVersion(dir, 'k0'), undefined);
  });
});
