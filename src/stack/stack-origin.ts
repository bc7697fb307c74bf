// Where a stack came from, as its inventory records it: the stack file relative to its git work tree's
// root (its name alone outside one; never an absolute path, which would name someone's home folder),
// and the commit checked out there. Git's files are read as data (.git/HEAD, the ref file, packed-refs):
// git itself is never run, and nothing read here is run or used as a path beyond git's own layout.
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

export interface StackOrigin {
  file: string;
  commit: string | undefined;
}

const HEX_COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const REF = /^refs\/[\w./-]+$/;

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** The work tree root and its git folder (`.git`, or where a worktree's `.git` file points); undefined outside git. */
async function gitFolders(from: string): Promise<{ root: string; gitDir: string; commonDir: string } | undefined> {
  for (let folder = from; ; folder = dirname(folder)) {
    const dotGit = join(folder, '.git');
    const kind = await stat(dotGit).then((s) => (s.isDirectory() ? 'dir' : 'file'), () => undefined);
    if (kind === 'dir') return { root: folder, gitDir: dotGit, commonDir: dotGit };
    if (kind === 'file') {
      const pointer = /^gitdir: (.+)$/m.exec((await readText(dotGit)) ?? '')?.[1];
      if (!pointer) return undefined;
      const gitDir = resolve(folder, pointer.trim());
      const common = await readText(join(gitDir, 'commondir'));
      return { root: folder, gitDir, commonDir: common ? resolve(gitDir, common) : gitDir };
    }
    if (dirname(folder) === folder) return undefined;
  }
}

/** The commit a ref names, from its loose file or packed-refs. */
async function refCommit(commonDir: string, gitDir: string, ref: string): Promise<string | undefined> {
  for (const dir of [gitDir, commonDir]) {
    const loose = await readText(join(dir, ...ref.split('/')));
    if (loose && HEX_COMMIT.test(loose)) return loose;
  }
  const packed = (await readText(join(commonDir, 'packed-refs'))) ?? '';
  for (const line of packed.split('\n')) {
    const [commit, name] = line.split(' ');
    if (name === ref && commit && HEX_COMMIT.test(commit)) return commit;
  }
  return undefined;
}

/** The stack file's origin; a stack without a file is 'stack'. */
export async function stackOrigin(stackFile: string | undefined): Promise<StackOrigin> {
  if (!stackFile) return { file: '(no stack file)', commit: undefined };
  const file = resolve(stackFile);
  const git = await gitFolders(dirname(file));
  if (!git) return { file: basename(file), commit: undefined };
  const head = (await readText(join(git.gitDir, 'HEAD'))) ?? '';
  const ref = /^ref: (.+)$/.exec(head)?.[1]?.trim();
  const commit = HEX_COMMIT.test(head) ? head : ref && REF.test(ref) && !ref.split('/').includes('..') ? await refCommit(git.commonDir, git.gitDir, ref) : undefined;
  return { file: relative(git.root, file).split(sep).join('/'), commit };
}
