// tsx, which loads a TypeScript stack, keeps what it compiled in `<tmpdir>/tsx-<uid>/`, a folder it
// makes readable by everyone (0755, files 0644). A stack file with a password written in it (its own
// file private) would be copied there for any user of the machine to read. Before a stack is loaded
// the folder is made (or made again) this user's alone; tsx never changes its mode back.
import { chmod, lstat, mkdir } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** The folder tsx caches in (as tsx names it: by effective uid, else user name). */
export function tsxCacheDir(root: string = tmpdir()): string {
  return join(root, `tsx-${process.geteuid ? process.geteuid() : userInfo().username}`);
}

/** Makes tsx's cache folder private (0700); leaves a folder that is not this user's, or not a folder, alone. */
export async function privateTsxCache(root: string = tmpdir()): Promise<void> {
  const dir = tsxCacheDir(root);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const info = await lstat(dir);
    if (!info.isDirectory() || (process.getuid && info.uid !== process.getuid())) return;
    if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
  } catch {
    // A temporary folder that cannot be written: tsx will not cache there either.
  }
}
