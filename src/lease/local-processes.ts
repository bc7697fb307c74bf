// What this machine can tell about the processes of a run that died here: is its pid alive, and is a
// helm of the release still running (helm is a child of helmcycle, and a kill -9 of helmcycle leaves it
// running as an orphan that finishes its upgrade). Linux only: elsewhere the answers are "unknown".
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const CHANGING_COMMANDS = new Set(['upgrade', 'install', 'rollback', 'uninstall', 'delete']);

/** Whether a helm argv changes this release (pure, for tests). */
export function isHelmChangingRelease(argv: readonly string[], release: string, namespace: string): boolean {
  if (argv.length < 2 || !/^helm/.test(basename(argv[0] ?? ''))) return false;
  const command = argv.find((arg, index) => index > 0 && !arg.startsWith('-'));
  if (!command || !CHANGING_COMMANDS.has(command)) return false;
  const nsIndex = argv.findIndex((arg) => arg === '--namespace' || arg === '-n');
  const ns = nsIndex >= 0 ? argv[nsIndex + 1] : argv.find((arg) => arg.startsWith('--namespace='))?.slice('--namespace='.length);
  return argv.includes(release) && (ns ?? 'default') === namespace;
}

/** A helm process changing the release runs on this machine; undefined when /proc cannot be read. */
export function helmRunningFor(release: string, namespace: string): boolean | undefined {
  if (process.platform !== 'linux') return undefined;
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  for (const pid of entries) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (isHelmChangingRelease(argv, release, namespace)) return true;
  }
  return false;
}
