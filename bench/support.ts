// Shared bits of the benchmarks: timing, clean namespaces, generated stacks, the helmcycle command as a
// user runs it (built JavaScript, a process per command), a helm that counts its own starts, a table.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the benchmarks through npm run bench (cluster/with-cluster.sh), or source the cluster env`);
  return value;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export function namespace(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** The stack name writeStack gives the stack of namespace `ns`: one inventory per bench stack. */
export function stackName(ns: string): string {
  return `bench-${ns}`;
}

/**
 * Deletes the namespace and the inventory of its bench stack (a Secret in `default`, which outlives the
 * namespace). Why the inventory too: a later stack named alike from another file would find it "written
 * by another stack file" and skip its own inventory writes, doing less work than a user's run.
 */
export async function deleteNamespace(kubectl: string, name: string, wait = false): Promise<void> {
  await execa(kubectl, ['delete', 'secret', '--namespace=default', `helmcycle-inventory.${stackName(name)}`, '--ignore-not-found'], { reject: false });
  await execa(kubectl, ['delete', 'namespace', name, `--wait=${wait}`, '--timeout=180s', '--ignore-not-found'], { reject: false });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function printTable(rows: (string | number)[][]): void {
  const text = rows.map((r) => r.map(String));
  const widths = text[0]!.map((_, i) => Math.max(...text.map((r) => r[i]!.length)));
  text.forEach((row, index) => {
    console.log(`| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`);
    if (index === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  });
}

export const seconds = (ms: number) => (ms / 1000).toFixed(2);

export interface BenchChart {
  name: string;
  needs: string[];
  /** Values set for this chart alone (a change to one chart of a converged stack). */
  values?: Record<string, string>;
}

/** N charts in `levels` dependency levels: each chart of a level needs one chart of the level above. Pure. */
export function layeredCharts(n: number, levels: number): BenchChart[] {
  const perLevel = Math.ceil(n / levels);
  return Array.from({ length: n }, (_, i) => {
    const level = Math.floor(i / perLevel);
    return { name: `web-${i}`, needs: level === 0 ? [] : [`web-${(level - 1) * perLevel + (i % perLevel)}`] };
  });
}

/** A scratch folder for a benchmark's files. */
export function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'helmcycle-bench-'));
}

/** The helmcycle stack file for the charts (YAML: what a user would write). */
export async function writeStack(dir: string, ns: string, charts: BenchChart[], source: { repository: string; version: string; chart?: string }): Promise<string> {
  const file = join(dir, `helmcycle-${ns}.yaml`);
  const lines = [
    `name: ${stackName(ns)}`,
    `defaults: { namespace: ${ns}, createNamespace: true, timeoutSeconds: 300 }`,
    `charts:`,
    ...charts.map((c) => `  - { name: ${c.name}, chart: ${source.chart ?? 'web'}, repository: "${source.repository}", version: "${source.version}", needs: [${c.needs.join(', ')}]${c.values ? `, values: ${JSON.stringify(c.values)}` : ''} }`),
  ];
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * A helm that counts its starts: a shell script that appends a line to a file, then runs the real
 * binary. No strace, nothing in helmcycle itself.
 */
export async function countingHelm(dir: string, binary: string, label: string): Promise<{ path: string; count: () => Promise<number>; commands: () => Promise<string[]>; reset: () => Promise<void> }> {
  const path = join(dir, `${label}-counting`);
  const counter = join(dir, `${label}-starts`);
  await writeFile(path, `#!/bin/sh\necho "$1" >> '${counter}'\nexec '${binary}' "$@"\n`);
  await chmod(path, 0o700);
  await writeFile(counter, '');
  return {
    path,
    count: async () => (await readFile(counter, 'utf8')).split('\n').filter(Boolean).length,
    commands: async () => (await readFile(counter, 'utf8')).split('\n').filter(Boolean),
    reset: () => writeFile(counter, ''),
  };
}

/** The command timed: this checkout's, or HELMCYCLE_BENCH_BIN's (another build, for a before/after). */
export const BIN = process.env.HELMCYCLE_BENCH_BIN ?? new URL('../bin/helmcycle.mjs', import.meta.url).pathname;

/** The benchmark measures the built command: refuse to time the sources through tsx by accident. */
export function assertBuilt(): void {
  const built = new URL('../dist/cli/entry.js', import.meta.url);
  const sources = new URL('../src/', import.meta.url);
  const newest = Math.max(...readdirSync(sources, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => statSync(join(e.parentPath, e.name)).mtimeMs));
  if (!existsSync(built) || statSync(built).mtimeMs < newest) throw new Error('dist/ is missing or older than src/: run `npm run build` first (npm run bench does)');
}

/** Runs the helmcycle command; returns wall time and the process's peak memory (MiB). */
export async function helmcycle(args: string[], options: { reject?: boolean } = {}): Promise<{ ms: number; peakMiB: number; stdout: string; stderr: string; exitCode: number }> {
  const statsFile = join(tmpdir(), `helmcycle-bench-stats-${randomBytes(4).toString('hex')}.json`);
  const start = performance.now();
  const result = await execa('node', [BIN, ...args], { reject: false, env: { CI: 'true', HELMCYCLE_STATS_FILE: statsFile } });
  const ms = performance.now() - start;
  if (result.exitCode !== 0 && options.reject !== false) {
    throw new Error(`helmcycle ${args.join(' ')} exited ${result.exitCode}:\n${String(result.stdout).slice(-2000)}\n${String(result.stderr).slice(-2000)}`);
  }
  const stats = JSON.parse(await readFile(statsFile, 'utf8').catch(() => '{}')) as { maxRssKiB?: number };
  return { ms, peakMiB: (stats.maxRssKiB ?? 0) / 1024, stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1 };
}
