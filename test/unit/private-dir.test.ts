import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runningChildren, stopChildren, trackChild } from '../../src/helm/children.js';
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
