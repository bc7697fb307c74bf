#!/usr/bin/env node
// The helmcycle command. It runs the built JavaScript in dist/ (`npm ci` and `npm pack` build it: the
// `prepare` script); in a checkout whose sources changed since the last build, it runs the TypeScript
// sources through tsx instead, so an edit never runs stale code. An installed package ships src/ too
// (for its source maps) but never tsconfig.json, and always runs dist/: a package manager's file times
// say nothing about which is newer.
import { existsSync, readdirSync, statSync } from 'node:fs';

const built = new URL('../dist/cli/entry.js', import.meta.url);
const sources = new URL('../src/', import.meta.url);
const checkout = existsSync(new URL('../tsconfig.json', import.meta.url));

/** The newest modification time under a folder (a checkout's src/ is a few dozen files: a few ms). */
function newest(folder) {
  let latest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
  }
  return latest;
}

const useBuilt = existsSync(built) && (!checkout || statSync(built).mtimeMs >= newest(sources));
if (useBuilt) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/entry.ts', import.meta.url).href);
}
