// helmfile on the same charts, when a helmfile binary (HELMCYCLE_BENCH_HELMFILE) and a folder of helm
// plugins holding helm-diff (HELMCYCLE_BENCH_HELM_PLUGINS) are given; docs/benchmarks.md says how to
// build both from their sources. Its helm config is isolated in a scratch folder.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { BenchChart } from './support.js';

export interface Helmfile {
  binary: string;
  plugins: string | undefined;
}

/** The peer, if its binary is there (asked per helm: a build may finish while the bench runs). */
export function helmfileFromEnv(): Helmfile | undefined {
  const binary = process.env.HELMCYCLE_BENCH_HELMFILE;
  return binary && existsSync(binary) ? { binary, plugins: process.env.HELMCYCLE_BENCH_HELM_PLUGINS } : undefined;
}

export async function writeHelmfile(dir: string, ns: string, charts: BenchChart[], source: { repository: string; version: string }): Promise<string> {
  const file = join(dir, `helmfile-${ns}.yaml`);
  const lines = [
    'repositories:',
    `  - { name: fixtures, url: "${source.repository}" }`,
    'helmDefaults: { wait: true, timeout: 300, createNamespace: true }',
    'releases:',
    ...charts.map((c) => `  - { name: ${c.name}, namespace: ${ns}, chart: fixtures/web, version: "${source.version}", needs: [${c.needs.map((n) => `${ns}/${n}`).join(', ')}]${c.values ? `, values: [${JSON.stringify(c.values)}]` : ''} }`),
  ];
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** The command line and environment of `helmfile sync` or `helmfile apply` at the given concurrency. */
export async function helmfileCommand(peer: Helmfile, helm: string, file: string, command: 'sync' | 'apply', concurrency: number, dir: string): Promise<{ args: string[]; env: Record<string, string> }> {
  const home = join(dir, 'helm-home');
  await mkdir(home, { recursive: true });
  const env = {
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
    ...(peer.plugins ? { HELM_PLUGINS: peer.plugins } : {}),
  };
  return { args: ['--file', file, '--helm-binary', helm, command, '--concurrency', String(concurrency), ...(command === 'apply' ? ['--suppress-diff'] : [])], env };
}

/** Runs `helmfile sync` or `helmfile apply` at the given concurrency; returns wall time. */
export async function runHelmfile(peer: Helmfile, helm: string, file: string, command: 'sync' | 'apply', concurrency: number, dir: string): Promise<number> {
  const { args, env } = await helmfileCommand(peer, helm, file, command, concurrency, dir);
  const start = performance.now();
  const result = await execa(peer.binary, args, { env, reject: false });
  const ms = performance.now() - start;
  if (result.exitCode !== 0) throw new Error(`helmfile ${command} failed (${result.exitCode}):\n${String(result.stderr).slice(-2000)}`);
  return ms;
}
