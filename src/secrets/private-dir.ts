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
import { currentProcessSpace } from '../host/process-space.js';

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

interface OwnerRecord {
  startTime?: string;
  /** The owner's process space (boot and pid namespace): its pid means something only there. */
  space?: string;
}

function readOwner(dir: string): OwnerRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}

/** A folder without an owner file younger than this may be one whose owner is writing the file right now. */
const UNCLAIMED_GRACE_MS = 60_000;
/**
 * A folder made in another process space (another container sharing /tmp) cannot be judged by its pid:
 * that pid is not ours to see, so a live owner would look dead and lose its values mid-run. It is swept
 * only once it is older than any run (helm's own timeouts are minutes), so a crashed container's secrets
 * do not stay on a shared disk forever.
 */
const FOREIGN_MAX_AGE_MS = 24 * 60 * 60 * 1_000;

/**
 * Whether the process that made a folder is gone (the pid is free, or reused by another process), or the
 * folder, made in another process space, is older than any run. Pure but for /proc and the folder's times.
 */
export function ownerGone(dir: string, pid: number, now: number = Date.now()): boolean {
  const owner = readOwner(dir);
  const age = now - statSync(dir).mtimeMs;
  if (!owner) return age > UNCLAIMED_GRACE_MS && !processAlive(pid);
  const here = currentProcessSpace();
  if (owner.space !== undefined && here !== undefined && owner.space !== here) return age > FOREIGN_MAX_AGE_MS;
  if (!processAlive(pid)) return true;
  const current = processStartTime(pid);
  return owner.startTime !== undefined && current !== undefined && owner.startTime !== current;
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
  await writeFile(join(path, OWNER_FILE), JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid), space: currentProcessSpace() } satisfies OwnerRecord & { pid: number }), { mode: 0o600, flag: 'wx' });
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
