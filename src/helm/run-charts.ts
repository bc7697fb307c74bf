// The charts of a run, fetched once: every release of the same (source, version) in a run installs
// from one local copy, pulled into a private run folder (0700, removed when the run ends or the
// process exits). A repository's index is then downloaded and parsed once, not by every upgrade, and
// every release of the run gets the same version even when a range would resolve anew meanwhile.
// Credentials are used by that one pull only; the installs read a local copy and need none.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { canonicalJson } from '../canonical-json.js';
import { LazyRunFolder } from './run-folder.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallOptions, ChartSource, HelmClient } from './types.js';

/** True for a source that must be fetched (a repository or OCI chart); a local chart is used as it is. */
export function needsFetch(source: ChartSource): boolean {
  return Boolean(source.repository) || source.chart.startsWith('oci://');
}

/** A source's key in a run's caches: every field decides what is fetched; the password only as a hash. */
export function sourceKey(source: ChartSource): string {
  const { auth, ...rest } = source;
  const password = auth ? createHash('sha256').update(auth.password).digest('hex') : undefined;
  return canonicalJson({ ...rest, auth: auth ? { ...auth, password } : undefined });
}

/** Fetches a source into a folder without helm, or answers undefined (then helm pulls it). */
export type DirectDownload = (source: ChartSource, folder: string, options?: CallOptions) => Promise<string | undefined>;

export class RunCharts {
  private readonly folder = new LazyRunFolder('charts');
  private readonly pulled = new Map<string, Promise<string>>();

  constructor(
    private readonly helm: Pick<HelmClient, 'pull'>,
    private readonly download: DirectDownload = async () => undefined,
  ) {}

  /** The local chart folder a fetched source installs from, pulled on first use; `key` names the source. */
  local(key: string, source: ChartSource, options?: CallOptions): Promise<string> {
    let path = this.pulled.get(key);
    if (!path) {
      const slot = String(this.pulled.size);
      path = this.folder.path().then(async (root) => {
        const destination = join(root, slot);
        await mkdir(destination, { mode: 0o700 });
        // A plain repository's package is downloaded here; anything else (OCI, credentials) helm pulls.
        return (await this.download(source, destination, options)) ?? this.helm.pull(source, destination, options);
      });
      this.pulled.set(key, path);
      // A failed pull is not kept: the next release tries again (and reports helm's own error).
      path.catch(() => this.pulled.delete(key));
    }
    return path;
  }

  /** Removes the run folder. */
  async dispose(): Promise<void> {
    await this.folder.dispose();
    this.pulled.clear();
  }
}
