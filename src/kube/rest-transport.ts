// Plain HTTP(S) requests to the API server, built from the kubeconfig's cluster, TLS and credentials.
// Bodies go out as the caller's JSON text and come back as text: no typed serializer stands between a
// manifest and the API server (client-node's drops every key its TypeScript models do not know: a CRD's
// `enum`, `default` and `x-kubernetes-*`). client-node still supplies the credentials, so tokens, exec
// plugins, client certificates and proxies work as they do for its own APIs.
import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from './client-node.js';
import { guardCredentials } from './exec-credentials.js';
import { KubeRequestError } from '../errors.js';
import { errorMessage } from './rest-paths.js';

export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. /apis/apps/v1/namespaces/web/deployments/web?fieldManager=helmcycle. */
  path: string;
  /** Sent as JSON, exactly as given. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal | undefined;
}

export interface RestResponse {
  status: number;
  body: string;
  /** Seconds the server asked to wait before a retry (Retry-After), when it said. */
  retryAfterSeconds?: number | undefined;
}

/** How a streamed response ended: its status, and for a non-2xx answer its body (no lines were handed). */
export interface RestStreamEnd {
  status: number;
  body: string;
}

/** What the client needs of a transport: one request, one answer (any status). */
export interface RestSender {
  send(request: RestRequest): Promise<RestResponse>;
  /**
   * A long response read line by line as it arrives (a watch): resolves when the server ends it, rejects
   * when the connection fails, `onLine` throws, or `request.signal` aborts it. Optional: a transport
   * without it cannot watch, and its readers poll instead.
   */
  stream?(request: RestRequest, onLine: (line: string) => void): Promise<RestStreamEnd>;
}

/**
 * Splits text arriving in chunks into complete lines (UTF-8 decoded across chunk boundaries): `push`
 * gives the lines a chunk completes, `end` the last one when the text did not end with a newline.
 */
export function lineSplitter(): { push(chunk: Buffer): string[]; end(): string[] } {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  return {
    push(chunk) {
      const lines = (partial + decoder.write(chunk)).split('\n');
      partial = lines.pop() ?? '';
      return lines;
    },
    end() {
      const last = partial + decoder.end();
      partial = '';
      return last ? [last] : [];
    },
  };
}

/** Everything an agent is built from; the same material reuses the same (keep-alive) agent. */
function tlsKey(options: https.RequestOptions): string {
  const text = (value: unknown) => (value === undefined || value === null ? '' : Buffer.isBuffer(value) ? value.toString('base64') : String(value));
  return [options.ca, options.cert, options.key, options.pfx, options.passphrase, options.servername, options.rejectUnauthorized].map(text).join('|');
}

/**
 * How long one call's credentials and TLS material serve the next calls. client-node reads the
 * kubeconfig's certificate and key files on every call (synchronously: about a tenth of a second of a
 * 50-chart run's CPU); a token it refreshes (exec plugins) or a file replaced on disk is picked up
 * within this time, and a 401 asks afresh at once.
 */
const CREDENTIALS_TTL_MS = 10_000;

export class RestTransport implements RestSender {
  /** The keep-alive pool, its TLS material's key, and the credentials it was last checked against. */
  private agent: { key: string; agent: http.Agent; from: https.RequestOptions } | undefined;
  private credentials: { at: number; options: Promise<https.RequestOptions> } | undefined;

  constructor(
    private readonly config: KubeConfig,
    private readonly now: () => number = Date.now,
  ) {
    // A failing exec plugin's error names the plugin, never what it printed (the token, maybe).
    guardCredentials(config);
  }

  /** The kubeconfig's credentials and TLS options, as client-node applies them, kept for a short while. */
  private applied(): Promise<https.RequestOptions> {
    const at = this.now();
    if (!this.credentials || at - this.credentials.at >= CREDENTIALS_TTL_MS) {
      const options = (async () => {
        const applied: https.RequestOptions = { headers: {} };
        await this.config.applyToHTTPSOptions(applied);
        return applied;
      })();
      const entry = { at, options };
      this.credentials = entry;
      options.catch(() => {
        if (this.credentials === entry) this.credentials = undefined;
      });
    }
    return this.credentials.options;
  }

  private server(): URL {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new KubeRequestError('no current cluster in the kubeconfig (set a context)', undefined);
    return new URL(cluster.server);
  }

  /**
   * The request options for one call: the credentials as kept (see applied()), the connection pool kept
   * while the TLS material stays the same (compared only when the credentials were read again).
   */
  private async options(url: URL): Promise<https.RequestOptions> {
    const applied = await this.applied();
    const options: https.RequestOptions = { ...applied, headers: { ...(applied.headers as http.OutgoingHttpHeaders) } };
    // A proxy needs client-node's own agent; without one, a keep-alive agent saves a TLS handshake per call.
    if (this.config.getCurrentCluster()?.proxyUrl) return options;
    if (this.agent?.from === applied) return { ...options, agent: this.agent.agent };
    const key = tlsKey(options);
    if (this.agent?.key === key) this.agent.from = applied;
    else {
      this.agent?.agent.destroy();
      const tls = { ca: options.ca, cert: options.cert, key: options.key, pfx: options.pfx, passphrase: options.passphrase, servername: options.servername, rejectUnauthorized: options.rejectUnauthorized };
      const agent = url.protocol === 'http:' ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true, ...stripUndefined(tls) });
      this.agent = { key, agent, from: applied };
    }
    return { ...options, agent: this.agent!.agent };
  }

  /** The URL, options and headers of one request. */
  private async prepare(request: RestRequest) {
    const base = this.server();
    const url = new URL(base.pathname.replace(/\/$/, '') + request.path, base);
    const options = await this.options(url);
    const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body), 'utf8');
    const headers: http.OutgoingHttpHeaders = { ...(options.headers as http.OutgoingHttpHeaders), Accept: 'application/json' };
    if (payload) {
      headers['Content-Type'] = request.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const lib = url.protocol === 'http:' ? http : https;
    return { url, payload, lib, options: { ...options, method: request.method, headers, signal: request.signal } };
  }

  /** Sends the request; any HTTP status is an answer. Only a failure to reach the server throws. */
  async send(request: RestRequest): Promise<RestResponse> {
    const response = await this.sendOnce(request);
    if (response.status !== 401 || !this.credentials) return response;
    // Kept credentials the server no longer takes (a token expired or rotated): ask afresh, once.
    this.credentials = undefined;
    return this.sendOnce(request);
  }

  private async sendOnce(request: RestRequest): Promise<RestResponse> {
    const { url, payload, lib, options } = await this.prepare(request);
    return new Promise<RestResponse>((resolve, reject) => {
      const req = lib.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        const retryAfter = Number(res.headers['retry-after']);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined }));
        res.on('error', reject);
      });
      req.on('error', (error) => reject(new KubeRequestError(`${request.method} ${url.pathname} did not reach the API server: ${error.message}`, undefined, { cause: error })));
      req.end(payload);
    });
  }

  async stream(request: RestRequest, onLine: (line: string) => void): Promise<RestStreamEnd> {
    const { url, payload, lib, options } = await this.prepare(request);
    return new Promise<RestStreamEnd>((resolve, reject) => {
      const failed = (error: Error) => reject(request.signal?.aborted || error instanceof KubeRequestError ? error : new KubeRequestError(`${request.method} ${url.pathname} failed while streaming: ${error.message}`, undefined, { cause: error }));
      const req = lib.request(url, options, (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        const split = lineSplitter();
        let ended = false;
        const hand = (lines: string[]) => {
          for (const line of lines) if (line.trim()) onLine(line);
        };
        res.on('data', (chunk: Buffer) => {
          if (status < 200 || status > 299) return void chunks.push(chunk);
          try {
            hand(split.push(chunk));
          } catch (error) {
            // The reader refuses what it got (e.g. an ERROR event): the rest of the stream is not wanted.
            req.destroy();
            reject(error);
          }
        });
        res.on('end', () => {
          ended = true;
          try {
            hand(split.end());
            resolve({ status, body: Buffer.concat(chunks).toString('utf8') });
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', failed);
        // A connection cut mid-stream ends the response without 'end' (and, on some versions, without 'error').
        res.on('close', () => { if (!ended) failed(new Error('the connection closed before the end of the response')); });
      });
      // A watch open for minutes must not keep the process alive; aborting it destroys the socket.
      req.on('socket', (socket) => socket.unref());
      req.on('error', (error) => failed(request.signal?.aborted ? error : new KubeRequestError(`${request.method} ${url.pathname} did not reach the API server: ${error.message}`, undefined, { cause: error })));
      req.end(payload);
    });
  }
}

export interface RetryOptions {
  attempts?: number;
  /** The longest wait between attempts, whatever Retry-After says. */
  maxWaitMs?: number;
}

/**
 * A sender that asks again after a 429 (too many requests, or a kind's storage re-initialising right
 * after its CRD changed: "storage is (re)initializing"), waiting as long as the server says (Retry-After,
 * 1 s when it does not), a few times, as client-go does.
 */
export function retryingOn429(sender: RestSender, options: RetryOptions = {}): RestSender {
  const attempts = options.attempts ?? 10;
  const maxWaitMs = options.maxWaitMs ?? 5_000;
  return {
    // A watch is not retried here: its reader relists and watches again, with its own backoff.
    ...(sender.stream ? { stream: (request: RestRequest, onLine: (line: string) => void) => sender.stream!(request, onLine) } : {}),
    async send(request) {
      for (let attempt = 1; ; attempt++) {
        const response = await sender.send(request);
        if (response.status !== 429 || attempt >= attempts || request.signal?.aborted) return response;
        await sleep(Math.min((response.retryAfterSeconds ?? 1) * 1_000, maxWaitMs), undefined, request.signal ? { signal: request.signal } : undefined);
      }
    },
  };
}

/** Sends the request and parses a 2xx answer; anything else is a KubeRequestError naming `what`. */
export async function sendJson<T>(sender: RestSender, what: string, request: RestRequest): Promise<T> {
  const response = await sender.send(request);
  if (response.status < 200 || response.status > 299) throw answerError(what, response);
  return (response.body ? JSON.parse(response.body) : {}) as T;
}

/** The error for a non-2xx answer: what was asked, the status, and the server's own message. */
export function answerError(what: string, response: RestResponse): KubeRequestError {
  return new KubeRequestError(`${what} failed (HTTP ${response.status}): ${errorMessage(response.status, response.body)}`, response.status);
}

function stripUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}
