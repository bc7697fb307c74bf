import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runningChildren, stopChildren, trackChild } from '../../src/helm/children.js';
import { currentProcessSpace } from '../../src/host/process-space.js';
import { createPrivateDir, processStartTime, removeHeldDirsSync, sweepAbandonedDirs } from '../../src/secrets/private-dir.js';

const root = mkdtempSync(join(tmpdir(), 'private-dir-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A child process that ignores SIGTERM when asked to, and its exit as a promise. */
function sleeper(ignoreTerm = false) {
  const child = spawn(process.execPath, ['-e', `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''} setInterval(() => {}, 1000); console.log('up')`], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const up = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return { child, exited, up };
}

async function deadPid(): Promise<number> {
  const { child, exited } = sleeper();
  child.kill('SIGKILL');
  await exited;
  return child.pid!;
}

/** Sets a folder's times back by `ms`, as if it had been made that long ago. */
function aged(path: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  utimesSync(path, then, then);
}

describe('private folders', () => {
  it('are 0700, named after their owner, and removed on dispose', async () => {
    const dir = await createPrivateDir('values', root);
    assert.match(dir.path, new RegExp(`helmcycle-${process.pid}-values-\\w{6}$`));
    assert.equal(statSync(dir.path).mode & 0o777, 0o700);
    await dir.dispose();
    assert.equal(existsSync(dir.path), false);
  });

  it('left by a process that is gone are swept; those of a live process stay', async () => {
    const dead = join(root, `helmcycle-${await deadPid()}-auth-abc123`);
    mkdirSync(dead, { mode: 0o700 });
    writeFileSync(join(dead, 'repositories.yaml'), 'password: x\n', { mode: 0o600 });
    aged(dead, 2 * 60_000); // no owner file, past the grace its owner has to write one
    const { child, exited, up } = sleeper();
    await up;
    const live = join(root, `helmcycle-${child.pid}-values-def456`);
    mkdirSync(live);
    writeFileSync(join(live, 'owner'), JSON.stringify({ pid: child.pid, startTime: processStartTime(child.pid!) }));
    // The pid is alive, but the process is not the one that made the folder (its start time differs).
    const reused = join(root, `helmcycle-${child.pid}-values-ghi789`);
    mkdirSync(reused);
    writeFileSync(join(reused, 'owner'), JSON.stringify({ pid: child.pid, startTime: '1' }));
    const unrelated = join(root, 'helmcycle-notours');
    mkdirSync(unrelated);
    try {
      const removed = sweepAbandonedDirs(root).sort();
      assert.deepEqual(removed, [dead, reused].sort());
      assert.equal(existsSync(live), true);
      assert.equal(existsSync(unrelated), true, 'only folders named as helmcycle names its own');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    assert.deepEqual(sweepAbandonedDirs(root), [live], 'once its owner is gone, it goes too');
  });

  it('record their process space, and one made in another pid namespace is not judged by its pid', async () => {
    const dir = await createPrivateDir('values', root);
    try {
      const owner = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(join(dir.path, 'owner'), 'utf8'))) as { space?: string };
      assert.equal(owner.space, currentProcessSpace());
    } finally {
      await dir.dispose();
    }
    // Another container sharing /tmp: its pid is dead *here*, but its run may be alive there.
    const pid = await deadPid();
    const foreign = join(root, `helmcycle-${pid}-values-for123`);
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'owner'), JSON.stringify({ pid, startTime: '42', space: 'another-boot/pid:[1]' }));
    const foreignOld = join(root, `helmcycle-${pid}-values-for456`);
    mkdirSync(foreignOld);
    writeFileSync(join(foreignOld, 'owner'), JSON.stringify({ pid, startTime: '42', space: 'another-boot/pid:[1]' }));
    aged(foreignOld, 25 * 60 * 60_000);
    // Made a moment ago by a process that has not written its owner file yet.
    const unclaimed = join(root, `helmcycle-${pid}-auth-new789`);
    mkdirSync(unclaimed);
    assert.deepEqual(sweepAbandonedDirs(root), [foreignOld], 'only the foreign folder older than any run goes');
    assert.equal(existsSync(foreign), true);
    assert.equal(existsSync(unclaimed), true);
    rmSync(foreign, { recursive: true });
    rmSync(unclaimed, { recursive: true });
  });

  it('are removed at once by a forced exit', async () => {
    const dir = await createPrivateDir('auth', root);
    removeHeldDirsSync();
    assert.equal(existsSync(dir.path), false);
  });
});

describe('stopping helm children', () => {
  it('sends SIGTERM, then SIGKILL to a child that does not stop', async () => {
    const polite = sleeper();
    const stubborn = sleeper(true);
    await Promise.all([polite.up, stubborn.up]);
    for (const s of [polite, stubborn]) trackChild({ pid: s.child.pid, kill: (signal) => s.child.kill(signal), exited: s.exited });
    assert.equal(runningChildren(), 2);
    await stopChildren(300);
    assert.equal(await polite.exited, 'SIGTERM');
    assert.equal(await stubborn.exited, 'SIGKILL');
    assert.equal(runningChildren(), 0);
  });
});
