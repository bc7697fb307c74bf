// The helmfile binary for `import --check` (import/check.ts): found on PATH, run without a shell, its
// argv built by the check (a file the user named, environment names checked there). It runs only when
// the user asks for --check, and then runs what helmfile runs for that helmfile (its exec templates and
// hooks, as `helmfile template` would), which is why it is never run otherwise.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import type { HelmfileProcess } from '../import/check.js';

/** The first executable `helmfile` on PATH (`path` is the PATH value). */
export async function helmfileOnPath(path: string | undefined): Promise<string | undefined> {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'helmfile');
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

export const helmfileProcess: HelmfileProcess = {
  locate: () => helmfileOnPath(process.env.PATH),
  async run(binary, args, cwd) {
    const result = await execa(binary, [...args], { cwd, reject: false, stdin: 'ignore', maxBuffer: 256 * 1024 * 1024 });
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
  },
};
