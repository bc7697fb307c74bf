// Downloads a chart package from a plain repository into a run folder, as `helm pull` would (the same
// index entry, the same URL), without starting helm: a helm process costs a few hundred milliseconds a
// chart, a download from the repository a few. The package is checked against the index's digest; any
// failure or mismatch answers undefined, and the caller lets helm pull it (helm's error is then the one
// reported).
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChartPackage } from './chart-resolver.js';

/** A file name for the package that cannot leave the folder. Pure. */
export function packageFileName(pkg: Pick<ChartPackage, 'name' | 'version'>): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^\.+/, '_');
  return `${safe(pkg.name) || 'chart'}-${safe(pkg.version) || '0'}.tgz`;
}

/** Whether the bytes match the index's digest (true when the index gives none, as helm takes it). Pure. */
export function matchesDigest(bytes: Uint8Array, digest: string | undefined): boolean {
  return digest === undefined || createHash('sha256').update(bytes).digest('hex') === digest;
}

/** The package's path in `folder`, or undefined when it could not be fetched as the index describes it. */
export async function downloadPackage(pkg: ChartPackage, folder: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const response = await fetch(pkg.url, { ...(signal ? { signal } : {}) });
    if (!response.ok) return undefined;
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (!matchesDigest(bytes, pkg.digest)) return undefined;
    const path = join(folder, packageFileName(pkg));
    await writeFile(path, bytes, { mode: 0o600, flag: 'wx' });
    return path;
  } catch {
    return undefined;
  }
}
