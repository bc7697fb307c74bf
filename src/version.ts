// helmcycle's own version, read from its package.json when asked, so it cannot drift from the package
// that is installed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

let known: string | undefined;

export function helmcycleVersion(): string {
  if (known) return known;
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error("helmcycle's package.json has no version");
  return (known = manifest.version);
}
