// Process glue for the CLI: stdio, Ctrl-C, and the exit code. A first Ctrl-C (or SIGTERM) cancels
// cleanly: helm gets SIGTERM through the AbortSignal and records the release as failed rather than
// leaving it pending, and every private temporary folder is removed on the way out. A second one exits
// at once, but not before the helm processes still running got SIGTERM (SIGKILL after a short grace)
// and the private folders, which may hold a repository's credentials, are removed.
import { stopChildren } from '../helm/children.js';
import { removeHeldDirsSync } from '../secrets/private-dir.js';
import { writeFileSync } from 'node:fs';
import { main } from './main.js';
import { EXIT } from './exit-codes.js';
import { guardClosedPipe } from './closed-pipe.js';
import { announce } from './render/live-view.js';

/** Between SIGTERM and SIGKILL to helm on a second Ctrl-C: short, the user asked to stop now. */
const FORCED_EXIT_GRACE_MS = 2_000;

const controller = new AbortController();
let interrupts = 0;
const onSignal = (name: string) => {
  interrupts++;
  if (interrupts === 2) {
    const text = `helmcycle: ${name} again: stopping helm and exiting`;
    // Into the live tree's last frame when one is drawing: a line under it would be left among its rows.
    if (!announce(text, { final: true })) process.stderr.write(`\n${text}\n`);
    void stopChildren(FORCED_EXIT_GRACE_MS).finally(() => {
      removeHeldDirsSync();
      process.exit(EXIT.interrupted);
    });
    return;
  }
  if (interrupts > 2) return;
  const text = `helmcycle: ${name}: cancelling running charts (again to exit now)`;
  if (!announce(text)) process.stderr.write(`\n${text}\n`);
  controller.abort(new Error(`interrupted by ${name}`));
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

let command: string | undefined;
/** Set once a closed pipe ends an output-only command: what the stopped helm processes say is not news. */
let quitting = false;
const stdout = guardClosedPipe(process.stdout, {
  command: () => command,
  exitQuietly: () => {
    quitting = true;
    void stopChildren(FORCED_EXIT_GRACE_MS).finally(() => {
      removeHeldDirsSync();
      process.exit(EXIT.ok);
    });
  },
});

const code = await main(process.argv.slice(2), {
  stdout: (text) => stdout.write(text),
  onCommand: (name) => (command = name),
  stderr: (text) => {
    if (!quitting) process.stderr.write(text);
  },
  interactive: Boolean(process.stdout.isTTY) && !process.env.CI,
  ...(process.stdout.isTTY ? { terminal: process.stdout } : {}),
  signal: controller.signal,
  // Loaded when destroy asks, not at start-up.
  ...(process.stdin.isTTY ? { ask: async (question: string) => (await import('./confirm.js')).askOnTerminal(controller.signal)(question) } : {}),
});
process.exitCode = quitting ? EXIT.ok : code;
// For the benchmarks (bench/support.ts): this process's peak memory, where HELMCYCLE_STATS_FILE says.
const statsFile = process.env.HELMCYCLE_STATS_FILE;
if (statsFile) writeFileSync(statsFile, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }), { mode: 0o600 });
