// helmcycle's own version, from its package.json: the nearest one named helmcycle above this module,
// so it is found from the sources (src/) and from a build (dist/...) alike.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let known: string | undefined;

export function helmcycleVersion(): string {
  if (known) return known;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'helmcycle' && manifest.version) return (known = manifest.version);
    } catch {
      // no (readable) package.json here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return (known = 'unknown');
    dir = parent;
  }
}
