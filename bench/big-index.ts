// A chart repository whose index lists 10,000 versions of a chart, as the big public ones do (theirs
// are megabytes): served from loopback by the benchmark itself. Only the version the stack asks for
// points at a real package (the loopback repository's web-1.0.0.tgz); the others are never fetched.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The index text: `versions` entries of `web`, newest first, as `helm repo index` writes them; the real
 * package's entry carries its true sha256 (`digest`), as a public index does. Pure.
 */
export function bigIndex(realRepository: string, versions: number, realDigest: string): string {
  const lines = ['apiVersion: v1', 'entries:', '  web:'];
  const entry = (version: string, url: string, digest = '0'.repeat(64)) =>
    lines.push(
      '  - apiVersion: v2',
      '    appVersion: "1.0"',
      '    created: "2026-12-01T20:00:00.000000000Z"',
      '    description: A small web app (Deployment, Service, ConfigMap) for helmcycle\'s tests.',
      `    digest: ${digest}`,
      '    name: web',
      '    type: application',
      '    urls:',
      `    - ${url}`,
      `    version: ${version}`,
    );
  entry('1.0.0', `${realRepository.replace(/\/+$/, '')}/web-1.0.0.tgz`, realDigest);
  for (let i = 1; i < versions; i++) entry(`0.${Math.floor(i / 100)}.${i % 100}`, `${realRepository}/web-0.0.0-never-fetched.tgz`);
  lines.push('generated: "2026-12-01T20:00:00.000000000Z"');
  return `${lines.join('\n')}\n`;
}

/** The sha256 of the real repository's web 1.0.0 package, for its index entry. */
export async function realDigest(realRepository: string): Promise<string> {
  const response = await fetch(`${realRepository.replace(/\/+$/, '')}/web-1.0.0.tgz`);
  if (!response.ok) throw new Error(`could not download web-1.0.0.tgz from ${realRepository}: HTTP ${response.status}`);
  return createHash('sha256').update(new Uint8Array(await response.arrayBuffer())).digest('hex');
}

/** Serves the index on 127.0.0.1; counts how often it is downloaded. */
export async function serveIndex(index: string): Promise<{ url: string; downloads: () => number; close: () => Promise<void> }> {
  let downloads = 0;
  const server: Server = createServer((request, response) => {
    if (request.url?.replace(/\/+/g, '/') === '/index.yaml') {
      downloads++;
      response.writeHead(200, { 'content-type': 'application/x-yaml' });
      response.end(index);
      return;
    }
    response.writeHead(404);
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, downloads: () => downloads, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
