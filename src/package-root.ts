// The folder helmcycle is installed in (its package.json, schema/), for code that reads the package's own
// files. Why not a fixed '../' from the module's URL: the build bundles the sources into dist/ with shared
// chunks (dist/chunks/), so how deep a module sits under the package is not the same in src/ and dist/,
// and moves when the bundler regroups code. The nearest package.json up from the module whose name is
// helmcycle is the root wherever the code runs from: the sources, the build, or an installed package.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'helmcycle';

let known: string | undefined;

/** The package root, searched upwards from `from` (a file URL or path; this module by default). */
export function packageRoot(from: string | URL = import.meta.url): string {
  const own = from === import.meta.url;
  if (own && known) return known;
  const start = typeof from === 'string' && !from.startsWith('file:') ? from : fileURLToPath(from);
  for (let dir = dirname(start); ; dir = dirname(dir)) {
    if (nameAt(dir) === NAME) {
      if (own) known = dir;
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json named ${NAME} in any folder above ${start}`);
  }
}

/** The `name` of the package.json in `dir`, if there is one that parses. */
function nameAt(dir: string): unknown {
  let text: string;
  try {
    text = readFileSync(join(dir, 'package.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return (JSON.parse(text) as { name?: unknown }).name;
  } catch {
    // Not a manifest this search can use (another package's broken file): keep going up.
    return undefined;
  }
}
