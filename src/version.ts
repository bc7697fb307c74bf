// helmcycle's own version, read from its package.json when asked, so it cannot drift from the package
// that is installed. The file is one folder up from both src/ and dist/.
import { readFileSync } from 'node:fs';

let known: string | undefined;

export function helmcycleVersion(): string {
  if (known) return known;
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error("helmcycle's package.json has no version");
  return (known = manifest.version);
}
