// The charts of a run, fetched once: every release of the same (source, version) in a run installs
// from one local copy, pulled into a private run folder (0700, removed when the run ends or the
// process exits). A repository's index is then downloaded and parsed once, not by every upgrade, and
// every release of the run gets the same version even when a range would resolve anew meanwhile.
// Credentials are used by that one pull only; the installs read a local copy and need none.
import { rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createPrivateDir } from '../secrets/private-dir.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallOptions, ChartSource, HelmClient } from './types.js';

/** True for a source that must be fetched (a repository or OCI chart); a local chart is used as it is. */
export function needsFetch(source: ChartSource): boolean {
  return Boolean(source.repository) || source.chart.startsWith('oci://');
}

/** Fetches a source into a folder without helm, or answers undefined (then helm pulls it). */
export type DirectDownload = (source: ChartSource, folder: string, options?: CallOptions) => Promise<string | undefined>;

export class RunCharts {
  private folder: Promise<string> | undefined;
  private readonly pulled = new Map<string, Promise<string>>();
  private removeOnExit: (() => void) | undefined;

  constructor(
    private readonly helm: Pick<HelmClient, 'pull'>,
    private readonly download: DirectDownload = async () => undefined,
  ) {}

  private runFolder(): Promise<string> {
    // A private folder with an owner file (0700): only this user reads the charts, and a later run
    // removes it when this process was killed before it could (see secrets/private-dir.ts).
    this.folder ??= createPrivateDir('charts').then(({ path }) => {
      this.removeOnExit = () => rmSync(path, { recursive: true, force: true });
      process.once('exit', this.removeOnExit);
      return path;
    });
    return this.folder;
  }

  /** The local chart folder a fetched source installs from, pulled on first use; `key` names the source. */
  local(key: string, source: ChartSource, options?: CallOptions): Promise<string> {
    let path = this.pulled.get(key);
    if (!path) {
      const slot = String(this.pulled.size);
      path = this.runFolder().then(async (root) => {
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
    const folder = await this.folder?.catch(() => undefined);
    if (!folder) return;
    if (this.removeOnExit) process.removeListener('exit', this.removeOnExit);
    await rm(folder, { recursive: true, force: true });
    this.folder = undefined;
    this.pulled.clear();
  }
}
