// Which processes this one can see: the boot of the kernel and the pid namespace it runs in. A pid says
// something about a lease holder only when the holder ran in the same one: two containers on one host
// (or two machines with one host name) share a host name but not their pids, and `kill(pid, 0)` there
// asks about an unrelated process (or none), so a live holder would be judged dead. Linux only;
// elsewhere the space is unknown and no pid is trusted.
import { readFileSync, readlinkSync } from 'node:fs';

let cached: string | undefined | null = null;

/**
 * "<boot id>/<pid namespace inode>", e.g. "6f1c…/pid:[4026531836]": equal for two processes exactly when
 * each can see the other's pid. Undefined where it cannot be read (not Linux, /proc hidden).
 */
export function currentProcessSpace(): string | undefined {
  if (cached !== null) return cached;
  cached = undefined;
  if (process.platform !== 'linux') return cached;
  try {
    // The namespace alone is not enough: every host's initial pid namespace has the same inode, so the
    // boot id tells two machines (and two boots of one machine) apart.
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const namespace = readlinkSync('/proc/self/ns/pid');
    if (boot && namespace) cached = `${boot}/${namespace}`;
  } catch {
    // unreadable: unknown
  }
  return cached;
}
