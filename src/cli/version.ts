// helmcycle's own version, read from its package.json when asked, so it cannot drift from the package
// that is installed. The file is two folders up from both src/cli/ and dist/cli/.
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error("helmcycle's package.json has no version");
  return manifest.version;
}
