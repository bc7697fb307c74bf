// Process glue for the CLI: stdio, Ctrl-C, and the exit code. A first Ctrl-C cancels cleanly (helm gets
// SIGTERM and records the release as failed rather than leaving it pending); a second one exits at once.
import { writeFileSync } from 'node:fs';
import { main } from './main.js';
import { EXIT } from './exit-codes.js';

const controller = new AbortController();
let interrupts = 0;
const onSignal = (name: string) => {
  interrupts++;
  if (interrupts > 1) process.exit(EXIT.interrupted);
  process.stderr.write(`\nhelmcycle: ${name}: cancelling running charts (again to exit now)\n`);
  controller.abort(new Error(`interrupted by ${name}`));
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: Boolean(process.stdout.isTTY) && !process.env.CI,
  signal: controller.signal,
});
process.exitCode = code;
// For the benchmarks (bench/support.ts): this process's peak memory, where HELMCYCLE_STATS_FILE says.
const statsFile = process.env.HELMCYCLE_STATS_FILE;
if (statsFile) writeFileSync(statsFile, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }), { mode: 0o600 });
