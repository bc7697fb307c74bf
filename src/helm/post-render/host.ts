// One post-render session for one helm process: a private folder (0700) holding a unix socket (0600),
// a random ticket (0600), the relay script, and helm's way in to it (an executable for Helm 3, a
// postrenderer/v1 plugin in a private plugin folder for Helm 4: HELM_PLUGINS points there, never at the
// user's plugins). The rendered stream comes in on the socket, goes through the chart's transform in
// this process, and goes back. What the transform threw is kept, so that helm's failure ("post-renderer
// exited with error") can be reported as the transform's own error.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createPrivateDir } from '../../secrets/private-dir.js';
import type { HelmMajor, PostRenderer } from '../types.js';
import type { PostRendererTarget } from '../argv.js';
import { PLUGIN_NAME, pluginManifest, RELAY_FILES, RELAY_SCRIPT, relayExecutable } from './relay-script.js';

export interface PostRenderSession {
  target: PostRendererTarget;
  /** The environment helm needs to find the post-renderer (Helm 4: HELM_PLUGINS, a path). */
  env: Record<string, string>;
  /** What the post-renderer failed with, if it did. */
  failure(): unknown;
  dispose(): Promise<void>;
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function openPostRender(render: PostRenderer, major: HelmMajor): Promise<PostRenderSession> {
  const dir = await createPrivateDir('render');
  const ticket = randomBytes(32);
  let failure: unknown;
  const sockets = new Set<Socket>();

  const answer = async (socket: Socket, request: Buffer): Promise<void> => {
    const newline = request.indexOf(10);
    const given = newline < 0 ? Buffer.alloc(0) : Buffer.from(request.subarray(0, newline).toString(), 'hex');
    if (given.length !== ticket.length || !timingSafeEqual(given, ticket)) {
      socket.end('error\nrefused: not this run\'s post-render ticket');
      return;
    }
    try {
      const rendered = await render(request.subarray(newline + 1).toString('utf8'));
      socket.end(Buffer.concat([Buffer.from('ok\n'), Buffer.from(rendered, 'utf8')]));
    } catch (error) {
      failure = error;
      socket.end(`error\n${error instanceof Error ? error.message : String(error)}`);
    }
  };

  // Half-open: the relay ends its side once the stream is sent, and still reads the answer.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('end', () => void answer(socket, Buffer.concat(chunks)));
  });
  const dispose = async () => {
    for (const socket of sockets) socket.destroy();
    await close(server);
    await dir.dispose();
  };
  try {
    const socketPath = join(dir.path, RELAY_FILES.socket);
    await listen(server, socketPath);
    await chmod(socketPath, 0o600);
    await writeFile(join(dir.path, RELAY_FILES.ticket), `${ticket.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    const script = join(dir.path, RELAY_FILES.script);
    await writeFile(script, RELAY_SCRIPT, { mode: 0o600, flag: 'wx' });
    const executable = join(dir.path, RELAY_FILES.executable);
    await writeFile(executable, relayExecutable(process.execPath, script), { mode: 0o700, flag: 'wx' });
    const plugins = join(dir.path, RELAY_FILES.plugins);
    if (major >= 4) {
      await mkdir(join(plugins, PLUGIN_NAME), { recursive: true, mode: 0o700 });
      await writeFile(join(plugins, PLUGIN_NAME, 'plugin.yaml'), pluginManifest(executable), { mode: 0o600, flag: 'wx' });
    }
    return {
      target: { executable, plugin: PLUGIN_NAME },
      env: major >= 4 ? { HELM_PLUGINS: plugins } : {},
      failure: () => failure,
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
