#!/usr/bin/env node
// The helmcycle command. From a built package it runs dist/; in a checkout it runs the TypeScript
// sources through tsx, so there is no build step between an edit and a run.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/entry.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/entry.ts', import.meta.url).href);
}
