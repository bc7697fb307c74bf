// Where a stack came from, as its inventory records it: the stack file relative to its git work tree's
// root (its name alone outside one; never an absolute path, which would name someone's home folder),
// the commit checked out there, and the stack's identity. Git's files are read as data (.git/HEAD, the
// ref file, packed-refs, config): git itself is never run, and nothing read here is run or used as a
// path beyond git's own layout.
//
// The identity is what says two inventories were written by the same stack file, so that a stack with
// a new name may take over the old name's inventory (prune-plan.ts). It must be strong evidence: the file
// name alone (helmcycle.yaml) is shared by most stacks, and two unrelated stacks taken for one renamed
// stack is a refused apply, or worse, an adopted inventory of releases that are not ours. So it is:
// - in a git work tree with a remote: the remote's URL (credentials and the .git suffix dropped, so an
//   https and an ssh clone agree) and the file's path in the repository; every clone of the repository,
//   a laptop's or CI's, is the same stack;
// - elsewhere (no git, or a repository with no remote): the stack file's absolute path.
// Both stored only as a SHA-256 digest: an inventory never holds a path naming someone's home folder, nor
// a remote URL, which may name a private host. A missed rename (the file moved as well) is safe: the old
// inventory is only left behind, and plan says so.
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

export interface StackOrigin {
  file: string;
  commit: string | undefined;
  /** `git:<digest>` or `path:<digest>` (never the URL or the path itself); see above. None without a stack file: nothing to tell two such stacks apart. */
  identity: string | undefined;
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

/**
 * The URL of the repository's `origin` remote (else its first remote) in git's config, read as text; the
 * URL is only ever hashed.
 */
export function remoteUrlOf(config: string): string | undefined {
  const remotes: { name: string; url: string }[] = [];
  let current: string | undefined;
  for (const raw of config.split('\n')) {
    const line = raw.trim();
    const section = /^\[\s*remote\s+"([^"]+)"\s*\]$/.exec(line);
    if (line.startsWith('[')) current = section?.[1];
    else if (current !== undefined) {
      const url = /^url\s*=\s*(.+)$/i.exec(line)?.[1]?.trim();
      if (url && !remotes.some((r) => r.name === current)) remotes.push({ name: current, url });
    }
  }
  return (remotes.find((r) => r.name === 'origin') ?? remotes[0])?.url;
}

/**
 * One spelling per repository: `https://user:token@Host/org/repo.git`, `ssh://git@host/org/repo` and
 * `git@host:org/repo.git` are all `host/org/repo` (the host lowered; credentials never kept). Pure.
 */
export function normalizeRemote(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '').replace(/\.git$/, '');
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(trimmed);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return `${scp[1]!.toLowerCase()}/${scp[2]!.replace(/^\/+/, '')}`;
  try {
    const parsed = new URL(trimmed);
    if (parsed.protocol === 'file:') return decodeURIComponent(parsed.pathname);
    return `${parsed.hostname.toLowerCase()}${parsed.port ? `:${parsed.port}` : ''}/${parsed.pathname.replace(/^\/+/, '')}`;
  } catch {
    return trimmed; // a local path: the repository is that folder
  }
}

const digest = (kind: string, text: string) => `${kind}:${createHash('sha256').update(`helmcycle stack identity\0${kind}\0${text}`).digest('hex')}`;

/** The stack file's origin; a stack without a file is 'stack'. */
export async function stackOrigin(stackFile: string | undefined): Promise<StackOrigin> {
  if (!stackFile) return { file: '(no stack file)', commit: undefined, identity: undefined };
  // The real path: a folder reached through a symbolic link is the same stack.
  const file = await realpath(resolve(stackFile)).catch(() => resolve(stackFile));
  const byPath = digest('path', file);
  const git = await gitFolders(dirname(file));
  if (!git) return { file: basename(file), commit: undefined, identity: byPath };
  const head = (await readText(join(git.gitDir, 'HEAD'))) ?? '';
  const ref = /^ref: (.+)$/.exec(head)?.[1]?.trim();
  const commit = HEX_COMMIT.test(head) ? head : ref && REF.test(ref) && !ref.split('/').includes('..') ? await refCommit(git.commonDir, git.gitDir, ref) : undefined;
  const inRepo = relative(git.root, file).split(sep).join('/');
  const remote = remoteUrlOf((await readText(join(git.commonDir, 'config'))) ?? '');
  return { file: inRepo, commit, identity: remote ? digest('git', `${normalizeRemote(remote)}\0${inRepo}`) : byPath };
}
