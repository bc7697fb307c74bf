// A private folder for one run, made on first use: 0700 with an owner file (so a later run removes it
// when this process was killed before it could; see secrets/private-dir.ts), removed when the run ends
// or, failing that, when the process exits. The run's fetched charts and its built local charts use one each.
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createPrivateDir } from '../secrets/private-dir.js';

export class LazyRunFolder {
  private folder: Promise<string> | undefined;
  private removeOnExit: (() => void) | undefined;

  /** `purpose` names the folder (`helmcycle-<pid>-<purpose>-*`). */
  constructor(private readonly purpose: string) {}

  path(): Promise<string> {
    this.folder ??= createPrivateDir(this.purpose).then(({ path }) => {
      this.removeOnExit = () => rmSync(path, { recursive: true, force: true });
      process.once('exit', this.removeOnExit);
      return path;
    });
    return this.folder;
  }

  /** Removes the folder, if one was made; the next path() makes a new one. */
  async dispose(): Promise<void> {
    const folder = await this.folder?.catch(() => undefined);
    this.folder = undefined;
    if (!folder) return;
    if (this.removeOnExit) process.removeListener('exit', this.removeOnExit);
    this.removeOnExit = undefined;
    await rm(folder, { recursive: true, force: true });
  }
}
