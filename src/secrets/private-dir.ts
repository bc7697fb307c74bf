// Private temporary folders (0700) for what helm must read from a file: values files and the
// repository or registry config that holds a chart repository's password. Each folder's name carries
// the pid of the process that made it, and an `owner` file inside records that process's start time,
// so that any later helmcycle process can tell a folder whose owner is gone (killed with SIGKILL, or
// by a second Ctrl-C) from one still in use, and removes it. The folders a process holds are also
// listed here, so that an exit that cannot wait for the usual cleanup removes them synchronously.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'helmcycle-';
/** helmcycle-<pid>-<purpose>-<random>; the random tail comes from mkdtemp. */
const NAME = /^helmcycle-(\d+)-[a-z]+-[A-Za-z0-9]{6}$/;
const OWNER_FILE = 'owner';

export interface PrivateDir {
  path: string;
  /** Removes the folder and what it holds; safe to call twice. */
  dispose(): Promise<void>;
}

const held = new Set<string>();

/** The start time of a process in clock ticks since boot (Linux), or undefined where /proc does not say. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that made a folder is gone (the pid is free, or reused by another process). Pure but for /proc. */
export function ownerGone(dir: string, pid: number): boolean {
  if (!processAlive(pid)) return true;
  let recorded: string | undefined;
  try {
    recorded = (JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as { startTime?: string }).startTime;
  } catch {
    return false; // no owner file yet: the owner may be writing it right now
  }
  const current = processStartTime(pid);
  return recorded !== undefined && current !== undefined && recorded !== current;
}

/**
 * Removes the helmcycle folders in `root` whose owner process is gone; returns their paths. Only this
 * user's folders are looked at (others' cannot be removed in a sticky /tmp anyway). Folders of a
 * process in another pid namespace sharing /tmp (another container) would look ownerless: helmcycle
 * assumes one pid namespace per temporary folder.
 */
export function sweepAbandonedDirs(root: string = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    const path = join(root, name);
    try {
      if (pid === process.pid || (uid !== undefined && statSync(path).uid !== uid)) continue;
      if (!ownerGone(path, pid)) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Gone already, or not ours: leave it.
    }
  }
  return removed;
}

const swept = new Set<string>();

/** Sweeps a folder once per process: when the first helm client is made, and before the first private folder. */
export function sweepOnce(root: string = tmpdir()): void {
  if (swept.has(root)) return;
  swept.add(root);
  sweepAbandonedDirs(root);
}

/** A new private folder, `helmcycle-<pid>-<purpose>-XXXXXX` (purpose: lowercase letters). */
export async function createPrivateDir(purpose: string, root: string = tmpdir()): Promise<PrivateDir> {
  if (!/^[a-z]+$/.test(purpose)) throw new Error(`a private folder's purpose is lowercase letters, not '${purpose}'`);
  sweepOnce(root);
  const path = await mkdtemp(join(root, `${PREFIX}${process.pid}-${purpose}-`));
  held.add(path);
  await writeFile(join(path, OWNER_FILE), JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }), { mode: 0o600, flag: 'wx' });
  return {
    path,
    dispose: async () => {
      held.delete(path);
      await rm(path, { recursive: true, force: true });
    },
  };
}

/**
 * Removes every folder this process still holds, at once: for an exit that cannot await the usual
 * cleanup. Also any folder named after this process that is not listed yet (its mkdtemp was still in
 * flight when the list was read).
 */
export function removeHeldDirsSync(root: string = tmpdir()): void {
  for (const path of held) {
    rmSync(path, { recursive: true, force: true });
    held.delete(path);
  }
  try {
    for (const name of readdirSync(root)) {
      if (NAME.exec(name)?.[1] === String(process.pid)) rmSync(join(root, name), { recursive: true, force: true });
    }
  } catch {
    // the folder is gone or unreadable: nothing of ours is left in it
  }
}
