// The TypeScript files of src/, for the tests that hold house rules over all of them (structure.test.ts,
// start-up-imports.test.ts).
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

/** Every .ts, .mts and .cts file under `dir`, recursively. */
export function sourceFiles(dir: string = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(c|m)?ts$/.test(entry.name) ? [path] : [];
  });
}
