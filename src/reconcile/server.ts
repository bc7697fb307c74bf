// reconcile's HTTP endpoints on --listen: /healthz (the process answers), /readyz (the source was read
// and, on the leader, the first run finished; a follower is ready as it is), /metrics (Prometheus text)
// and POST /hooks/source, which starts a run at once (a git host's push webhook). The webhook carries no
// data that is used: it only wakes the loop, so a forged call costs one run at most. An optional token
// (--webhook-token-file) is compared in constant time.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { UsageError } from '../errors.js';

export interface EndpointHandlers {
  ready(): { ready: boolean; reason: string };
  metrics(): Promise<{ contentType: string; body: string }>;
  trigger(): void;
  /** The token a webhook must bring (header X-Helmcycle-Token or Authorization: Bearer), if one is set. */
  webhookToken?: string | undefined;
}

/** host:port of --listen; a bare port listens on 127.0.0.1 (never every interface unasked). */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:]*)):(\d{1,5})$/i.exec(listen) ?? /^()()(\d{1,5})$/.exec(listen);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new UsageError(`--listen ${listen} is not host:port`, 'e.g. --listen 127.0.0.1:8080, or 0.0.0.0:8080 in a pod');
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

function tokenMatches(request: IncomingMessage, token: string): boolean {
  const given = String(request.headers['x-helmcycle-token'] ?? '') || String(request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function handle(handlers: EndpointHandlers) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    // The webhook's body is never read beyond a bound: nothing in it is used.
    request.resume();
    if (path === '/healthz') return send(200, 'ok\n');
    if (path === '/readyz') {
      const { ready, reason } = handlers.ready();
      return send(ready ? 200 : 503, `${reason}\n`);
    }
    if (path === '/metrics' && request.method === 'GET') {
      const { contentType, body } = await handlers.metrics();
      return send(200, body, contentType);
    }
    if (path === '/hooks/source') {
      if (request.method !== 'POST') return send(405, 'POST only\n');
      if (handlers.webhookToken !== undefined && !tokenMatches(request, handlers.webhookToken)) return send(401, 'token required\n');
      handlers.trigger();
      return send(202, 'run started\n');
    }
    return send(404, 'not found\n');
  };
}

export async function listen(listenOn: string, handlers: EndpointHandlers): Promise<Server> {
  const { host, port } = parseListen(listenOn);
  const on = handle(handlers);
  const server = createServer((request, response) => {
    on(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
