// A static HTTP chart repository for the local cluster: serves a folder (index.yaml plus packaged
// charts) on 127.0.0.1. Paths under /private/ need HTTP basic auth, so tests can exercise repository
// credentials the way a private production repository would.
//
//   node --import tsx cluster/chart-server.ts <dir> <port>
//   CHART_SERVER_AUTH=user:password  credentials for /private/ (read from the environment, never argv)
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { timingSafeEqual } from 'node:crypto';

const [dirArg, portArg] = process.argv.slice(2);
if (!dirArg || !portArg) {
  console.error('usage: chart-server.ts <dir> <port>');
  process.exit(2);
}
const root = resolve(dirArg);
const port = Number(portArg);
const auth = process.env.CHART_SERVER_AUTH ?? '';

const contentTypes: Record<string, string> = {
  '.yaml': 'application/x-yaml',
  '.tgz': 'application/gzip',
  '.json': 'application/json',
};

function authorized(req: IncomingMessage): boolean {
  if (!auth) return false;
  const expected = Buffer.from(`Basic ${Buffer.from(auth).toString('base64')}`);
  const given = Buffer.from(req.headers.authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end();
    return;
  }
  const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  const file = normalize(join(root, urlPath));
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403).end();
    return;
  }
  if (urlPath.startsWith('/private/') && !authorized(req)) {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="charts"' }).end();
    return;
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'Content-Length': info.size,
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => res.writeHead(500).end());
});
server.listen(port, '127.0.0.1', () => console.log(`serving ${root} on http://127.0.0.1:${port}`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.close(() => process.exit(0)));
