// Where reconcile reads its stack from: a folder, or a git repository checked out by the `git` binary
// (git-source.ts). A source hands back the stack file's path and a revision; a new revision is what makes
// the loop read the stack again (the loop never re-reads a stack whose revision did not move).
import { createHash } from 'node:crypto';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { isInside } from '../host/inside-folder.js';

export interface SourceSnapshot {
  /** The stack file, inside the source's folder (or checkout). */
  file: string;
  /** The source's revision: a commit for git, a digest of the folder's file list for a folder. */
  revision: string;
}

export interface StackSource {
  /** What --source names, for messages (a URL's credentials never: git-source.ts strips them). */
  readonly describe: string;
  /** Fetches (git) or looks again (folder), and says where the stack is now. */
  sync(signal?: AbortSignal): Promise<SourceSnapshot>;
}

/**
 * The stack file --path names inside `root`, refused when it leaves the folder (`..`, an absolute path,
 * or a symlink pointing out): the source is data from a repository, and names nothing outside it.
 */
export async function stackFileIn(root: string, path: string | undefined): Promise<string> {
  const base = await realpath(root);
  const given = path ?? 'helmcycle.yaml';
  const file = resolve(base, given);
  if (!isInside(file, base)) throw new UsageError(`--path ${given} is outside the source`, 'name the stack file relative to the root of the source, without ..');
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    throw new UsageError(`--path ${given}: no such file in the source`, 'name the stack file relative to the root of the source (default helmcycle.yaml)');
  }
  if (!isInside(real, base)) throw new UsageError(`--path ${given} is a link to outside the source`, 'a stack file must be in the source itself');
  return real;
}

/** Files looked at in a folder source before the folder is refused as too big to watch by polling. */
const MAX_FOLDER_FILES = 20_000;

/** A digest of each file's path, size and modification time under `root` (no content read: cheap to poll). */
export async function folderRevision(root: string): Promise<string> {
  const hash = createHash('sha256');
  let count = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name === '.git' || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (++count > MAX_FOLDER_FILES) throw new UsageError(`--source ${root} holds more than ${MAX_FOLDER_FILES} files`, 'point --source at the folder of the stack');
      if (entry.isDirectory()) await walk(path);
      else {
        const info = await stat(path).catch(() => undefined);
        hash.update(`${relative(root, path)}\0${info?.size ?? -1}\0${info?.mtimeMs ?? -1}\n`);
      }
    }
  };
  await walk(root);
  return `folder:${hash.digest('hex').slice(0, 16)}`;
}

export class FolderSource implements StackSource {
  constructor(private readonly folder: string, private readonly path: string | undefined) {}
  get describe(): string {
    return this.folder;
  }
  async sync(): Promise<SourceSnapshot> {
    const file = await stackFileIn(this.folder, this.path);
    return { file, revision: await folderRevision(await realpath(this.folder)) };
  }
}
