// Which failures are transient (the API server or the network hiccuped; the same request may well pass
// a moment later), and how long to wait between attempts. Pure: the wrapper that sleeps and repeats is
// retry.ts. A transient failure says nothing about the request itself, so repeating it is only right
// for requests that are safe to repeat; the callers decide that (kube/client.ts, helm/cli-client.ts).

interface TransientRule {
  pattern: RegExp;
  reason: string;
}

// Words of Go's net/http and client-go (helm's stderr, the API server's messages) and of Node's
// networking (the KubeClient). "context deadline exceeded" is not here: that is helm's own timeout.
const RULES: readonly TransientRule[] = [
  { pattern: /connection refused|ECONNREFUSED/i, reason: 'connection refused' },
  { pattern: /connection reset by peer|ECONNRESET|socket hang up|broken pipe|EPIPE/i, reason: 'connection reset' },
  { pattern: /TLS handshake timeout/i, reason: 'TLS handshake timeout' },
  { pattern: /i\/o timeout|ETIMEDOUT|ESOCKETTIMEDOUT/i, reason: 'network timeout' },
  { pattern: /no route to host|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|temporary failure in name resolution/i, reason: 'network unreachable' },
  // Not "unexpected EOF": a template's parse error says that too.
  { pattern: /http2: client connection lost|http2: server sent GOAWAY/i, reason: 'connection lost' },
  { pattern: /etcdserver: (request timed out|leader changed|too many requests)|etcdserver: no leader/i, reason: 'etcd unavailable' },
  { pattern: /too many requests|rate limit(ed)? exceeded/i, reason: 'throttled (HTTP 429)' },
  { pattern: /the server is currently unable to handle the request|service unavailable/i, reason: 'API server unavailable (HTTP 503)' },
  { pattern: /the server was unable to return a response in the time allotted|gateway timeout/i, reason: 'API server timeout (HTTP 504)' },
  { pattern: /bad gateway/i, reason: 'bad gateway (HTTP 502)' },
];

/** HTTP statuses that are transient by themselves; a 500 is only when its message says so (an etcd timeout). */
const TRANSIENT_STATUS: Readonly<Record<number, string>> = {
  429: 'throttled (HTTP 429)',
  502: 'bad gateway (HTTP 502)',
  503: 'API server unavailable (HTTP 503)',
  504: 'API server timeout (HTTP 504)',
};

/** Why a failure is transient, or undefined when it is not. `status` is the HTTP status when known. */
export function transientReason(text: string, status?: number): string | undefined {
  if (status !== undefined && TRANSIENT_STATUS[status]) return TRANSIENT_STATUS[status];
  // A definite answer of the server (a 4xx other than 429) is never transient, whatever its words.
  if (status !== undefined && status >= 400 && status < 500) return undefined;
  return RULES.find((rule) => rule.pattern.test(text))?.reason;
}

export interface BackoffPolicy {
  /** The first wait. */
  initialMs: number;
  /** Each wait is this many times the one before... */
  factor: number;
  /** ...up to this. */
  maxMs: number;
  /** Each wait is shortened by up to this share at random, so that many clients do not retry in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, factor: 2, maxMs: 8_000, jitter: 0.2 };

/** The wait before retry number `retry` (1 for the first). `random` is in [0, 1). */
export function backoffDelay(retry: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random = 0): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, retry - 1));
  return Math.round(base * (1 - policy.jitter * random));
}

/**
 * The whole schedule of waits that fits in `budgetMs` (without jitter): attempts stop once the next
 * wait would pass the budget. For a budget of 0 there is no retry.
 */
export function backoffSchedule(budgetMs: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number[] {
  const waits: number[] = [];
  let spent = 0;
  for (let retry = 1; retry <= 1000; retry++) {
    const wait = backoffDelay(retry, policy);
    if (spent + wait > budgetMs) break;
    waits.push(wait);
    spent += wait;
  }
  return waits;
}
