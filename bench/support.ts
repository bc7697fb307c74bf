// Shared bits of the benchmarks: timing, clean namespaces, and a table printer.
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

export function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the benchmarks through npm run bench (cluster/with-cluster.sh)`);
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

export async function deleteNamespace(kubectl: string, name: string): Promise<void> {
  await execa(kubectl, ['delete', 'namespace', name, '--wait=false', '--ignore-not-found'], { reject: false });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function printTable(rows: (string | number)[][]): void {
  const text = rows.map((r) => r.map(String));
  const widths = text[0]!.map((_, i) => Math.max(...text.map((r) => r[i]!.length)));
  for (const row of text) console.log(`| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`);
}

export const seconds = (ms: number) => (ms / 1000).toFixed(2);
