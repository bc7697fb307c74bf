// Every file the CLI writes for the user (the run report, the fleet report, a saved plan) is written
// here: to a new file in the same folder, created private (0600) and exclusive, then renamed over the
// path. Writing into an existing file would keep that file's mode (a report once written 0644 stays
// readable by everyone) and would leave half a file behind when the run is killed; a rename replaces it
// whole, with the new file's mode, or not at all.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Writes `content` to `path`, replacing any file there, readable and writable by its owner only. */
export async function writePrivateFile(path: string, content: string | Uint8Array, mode = 0o600): Promise<void> {
  const target = resolve(path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, content, { mode, flag: 'wx' });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
