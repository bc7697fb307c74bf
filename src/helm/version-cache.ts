// helm's version, remembered across runs so that a run that changes nothing starts no helm process.
// `helm version` is a fact of the binary file alone: the answer is kept in the user's cache folder,
// keyed by the binary's resolved path (symlinks followed: switching a `helm` link is another binary)
// and the file's identity (device, inode, size, modification and change time, in nanoseconds). A
// binary replaced in place, upgraded by a package manager or re-linked gets another key, and helm is
// asked again.
//
// Only a native helm executable is remembered: a script (asdf's shim, a wrapper) or a dispatcher that
// helm links to (mise's or snap's shim: the real file is not named helm) may run another helm from one
// working folder or environment to the next; those are asked once a run, when a helm command is about
// to run anyway.
//
// The cache file is private (0600, in a 0700 folder) and read only when it is this user's own and not
// writable by anyone else; it is replaced whole by a rename, so two runs at once cannot tear it (the
// later write wins, and a lost entry costs one `helm version`). Anything unexpected is a miss.
import { constants, type BigIntStats } from 'node:fs';
import { access, chmod, lstat, mkdir, open, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const FILE = 'helm-versions.json';
/** Enough for every helm a user switches between; the oldest entries go first. */
const MAX_ENTRIES = 32;

interface Entry {
  key: string;
  version: string;
}

/** The user's cache folder for helmcycle: $XDG_CACHE_HOME/helmcycle, else ~/.cache/helmcycle. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'helmcycle');
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The file the binary names, as spawning it would find it: a name with a slash from `cwd`, a bare name
 * on PATH (an empty PATH entry is the working folder, as execvp takes it). Undefined when not found.
 */
export async function resolveBinary(binary: string, options: { cwd?: string | undefined; path?: string | undefined } = {}): Promise<string | undefined> {
  const cwd = options.cwd ?? process.cwd();
  if (binary.includes('/')) return (await isExecutableFile(resolve(cwd, binary))) ? resolve(cwd, binary) : undefined;
  for (const dir of (options.path ?? '').split(delimiter)) {
    const candidate = resolve(cwd, dir, binary);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** The cache key of a binary file: its real path and file identity. Pure. */
export function binaryKey(realPath: string, stats: Pick<BigIntStats, 'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs'>): string {
  return [realPath, stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].map(String).join('\0');
}

/** ELF, Mach-O (both byte orders, 32 and 64 bit, universal) and PE executables: not a script. */
const NATIVE_MAGIC = ['7f454c46', 'feedface', 'feedfacf', 'cefaedfe', 'cffaedfe', 'cafebabe'];

/** Whether the real file is a helm of its own: a native executable named helm-something. Pure. */
export function looksLikeHelm(realPath: string, head: Buffer): boolean {
  const native = NATIVE_MAGIC.includes(head.subarray(0, 4).toString('hex')) || head.subarray(0, 2).toString('latin1') === 'MZ';
  return native && /helm/i.test(basename(realPath));
}

async function headOf(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await file.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * The key of the binary a spawn would run, or undefined when it cannot be told or is not to be
 * remembered (a script, a dispatcher: see above); then helm is asked.
 */
export async function keyOfBinary(binary: string, options: { cwd?: string | undefined; path?: string | undefined } = {}): Promise<string | undefined> {
  try {
    const found = await resolveBinary(binary, options);
    if (!found) return undefined;
    const real = await realpath(found);
    if (!looksLikeHelm(real, await headOf(real))) return undefined;
    return binaryKey(real, await stat(real, { bigint: true }));
  } catch {
    return undefined;
  }
}

function entriesOf(value: unknown): Entry[] {
  if (!Array.isArray(value)) return [];
  return value.filter((e): e is Entry => typeof e === 'object' && e !== null && typeof (e as Entry).key === 'string' && typeof (e as Entry).version === 'string');
}

/** The cache's entries, or none when the file is missing, not this user's, open to others, or unreadable. */
async function readEntries(dir: string): Promise<Entry[]> {
  const file = join(dir, FILE);
  try {
    const info = await lstat(file);
    const uid = process.getuid?.();
    if (!info.isFile() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o077) !== 0) return [];
    return entriesOf(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return [];
  }
}

/** The version remembered for the key, if any. */
export async function cachedVersion(dir: string, key: string): Promise<string | undefined> {
  return (await readEntries(dir)).find((e) => e.key === key)?.version;
}

/** Remembers the version for the key; a failure to write only means asking helm next time. */
export async function rememberVersion(dir: string, key: string, version: string): Promise<void> {
  const temporary = join(dir, `.${FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const entries = [{ key, version }, ...(await readEntries(dir)).filter((e) => e.key !== key)].slice(0, MAX_ENTRIES);
    await writeFile(temporary, `${JSON.stringify(entries)}\n`, { mode: 0o600, flag: 'wx' });
    // The umask may have taken bits away, never added them; pinned all the same.
    await chmod(temporary, 0o600);
    await rename(temporary, join(dir, FILE));
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}
