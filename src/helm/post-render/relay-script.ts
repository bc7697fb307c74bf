// The post-renderer helm starts: a small Node script that hands helm's rendered stream to the helmcycle
// process that started helm, and helm the answer. The transform is a function in the user's config, so
// it can only run in that process: loading the config again in a child would run its side effects again.
// The script finds the socket and its ticket beside itself, so helm's argv and environment carry a path
// and nothing else.

/** File names inside a post-render folder. */
export const RELAY_FILES = { socket: 'socket', ticket: 'ticket', script: 'relay.mjs', executable: 'post-render', plugins: 'plugins' } as const;

/** helmcycle's plugin under Helm 4, installed only in the run's private plugin folder. */
export const PLUGIN_NAME = 'helmcycle-transform';

/**
 * The reply protocol: the relay writes `<ticket>\n<stream>` and half-closes; the process answers
 * `ok\n<stream>` or `error\n<message>`. Plain ES module, no dependency, any Node helmcycle runs on.
 */
export const RELAY_SCRIPT = `// helmcycle post-renderer relay (written for one helm process, removed after it)
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fail = (message) => { process.stderr.write('helmcycle transform: ' + message + '\\n'); process.exit(1); };
const ticket = readFileSync(join(here, ${JSON.stringify(RELAY_FILES.ticket)}), 'utf8').trim();
const input = [];
process.stdin.on('data', (chunk) => input.push(chunk));
process.stdin.on('end', () => {
  const socket = connect(join(here, ${JSON.stringify(RELAY_FILES.socket)}));
  const reply = [];
  socket.on('data', (chunk) => reply.push(chunk));
  socket.on('error', (error) => fail(error.message));
  socket.on('end', () => {
    const answer = Buffer.concat(reply);
    const newline = answer.indexOf(10);
    if (newline < 0) return fail('no answer from helmcycle');
    const status = answer.subarray(0, newline).toString();
    const body = answer.subarray(newline + 1);
    if (status === 'ok') process.stdout.write(body, () => process.exit(0));
    else fail(body.toString());
  });
  socket.end(Buffer.concat([Buffer.from(ticket + '\\n'), ...input]));
});
`;

/** A POSIX shell word: the text in single quotes. Pure. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The executable helm runs (Helm 3 by path, Helm 4 through the plugin): this Node on the relay. Pure. */
export function relayExecutable(nodePath: string, scriptPath: string): string {
  return `#!/bin/sh\nexec ${shellQuote(nodePath)} ${shellQuote(scriptPath)}\n`;
}

/** Helm 4's plugin manifest: a subprocess post-renderer running the executable above. Pure. */
export function pluginManifest(executablePath: string): string {
  return [
    'apiVersion: v1',
    'type: postrenderer/v1',
    `name: ${PLUGIN_NAME}`,
    'version: 0.1.0',
    'runtime: subprocess',
    'runtimeConfig:',
    '  platformCommand:',
    `    - command: ${JSON.stringify(executablePath)}`,
    '',
  ].join('\n');
}
