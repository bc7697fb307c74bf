// Checks for a chart's validate phase: is the application answering over HTTP (through the API server's
// service proxy: no port-forward, no extra image), does an object exist with a given condition, and a
// retry-until-timeout helper that turns "not yet" into a wait. Each check returns a failure message
// (or undefined when it passes), the shape a CustomCheck's run returns.
import { setTimeout as sleep } from 'node:timers/promises';
import { HelmcycleError } from '../errors.js';
import { CLUSTER_SCOPED_KINDS } from '../kube/manifest.js';
import type { CustomCheck, ChartPayload } from './types.js';
import type { KubeClient, ObjectRef, ServiceProxyRequest } from '../kube/types.js';

export interface RetryOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal | undefined;
}

export class CheckTimeoutError extends HelmcycleError {
  constructor(what: string, timeoutMs: number, lastFailure: string) {
    super('CHECK_TIMEOUT', `${what} did not pass within ${Math.round(timeoutMs / 1000)} s; last failure: ${lastFailure}`);
  }
}

/**
 * Runs `attempt` until it returns undefined (passed) or the timeout passes; an attempt that throws counts
 * as a failure with its message. Throws a CheckTimeoutError with the last failure.
 */
export async function retryUntil(what: string, attempt: () => Promise<string | undefined | void>, options: RetryOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    let failure: string | undefined;
    try {
      failure = (await attempt()) ?? undefined;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    if (failure === undefined) return;
    if (Date.now() >= deadline) throw new CheckTimeoutError(what, options.timeoutMs, failure);
    await sleep(Math.min(options.intervalMs ?? 1_000, Math.max(0, deadline - Date.now())), undefined, { signal: options.signal });
  }
}

export interface HttpExpectation {
  /** The status to expect; any 2xx when absent. */
  status?: number;
  /** Text the body must contain. */
  bodyIncludes?: string;
}

/** Judges a proxied response. Pure. */
export function judgeHttp(response: { status: number; body: string }, expect: HttpExpectation): string | undefined {
  const statusOk = expect.status === undefined ? response.status >= 200 && response.status < 300 : response.status === expect.status;
  if (!statusOk) return `HTTP ${response.status}${expect.status === undefined ? '' : ` (expected ${expect.status})`}: ${response.body.slice(0, 200).trim()}`;
  if (expect.bodyIncludes !== undefined && !response.body.includes(expect.bodyIncludes)) {
    return `HTTP ${response.status}, but the body does not contain ${JSON.stringify(expect.bodyIncludes)}: ${response.body.slice(0, 200).trim()}`;
  }
  return undefined;
}

/** One GET through the service proxy; a failure message, or undefined when it answered as expected. */
export async function checkHttp(kube: KubeClient, request: ServiceProxyRequest, expect: HttpExpectation = {}): Promise<string | undefined> {
  const failure = judgeHttp(await kube.proxyGet(request), expect);
  return failure && `GET ${request.path} on service ${request.namespace}/${request.service}: ${failure}`;
}

export interface ConditionExpectation {
  type: string;
  /** "True" when absent. */
  status?: 'True' | 'False' | 'Unknown';
}

/** Whether an object exists and carries a condition; a failure message, or undefined. */
export async function checkCondition(kube: KubeClient, ref: ObjectRef, expect: ConditionExpectation): Promise<string | undefined> {
  const name = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  const object = await kube.getObject(ref);
  if (!object) return `${name} does not exist`;
  const conditions = (object.status?.conditions ?? []) as { type: string; status: string; reason?: string; message?: string }[];
  const condition = conditions.find((c) => c.type === expect.type);
  const wanted = expect.status ?? 'True';
  if (!condition) return `${name} has no ${expect.type} condition`;
  if (condition.status !== wanted) {
    return `${name}: ${expect.type} is ${condition.status}, not ${wanted}${condition.reason ? ` (${condition.reason}${condition.message ? `: ${condition.message}` : ''})` : ''}`;
  }
  return undefined;
}

export interface HttpCheckOptions extends HttpExpectation {
  name?: string;
  service: string;
  port?: string | number;
  path?: string;
  /** The chart's namespace when absent. */
  namespace?: string;
  /** Keep trying this long (the application may need a moment after its pods are ready). */
  timeoutSeconds?: number;
}

/** A CustomCheck for a chart's `checks`: GET a path of a Service until it answers as expected. */
export function httpCheck<P extends ChartPayload = ChartPayload>(options: HttpCheckOptions): CustomCheck<P> {
  const path = options.path ?? '/';
  return {
    name: options.name ?? `GET ${options.service}${options.port === undefined ? '' : `:${options.port}`}${path}`,
    async run(ctx) {
      const request = { namespace: options.namespace ?? ctx.spec.namespace, service: options.service, port: options.port, path };
      await retryUntil(`GET ${path} on ${options.service}`, () => checkHttp(ctx.kube, request, options), {
        timeoutMs: (options.timeoutSeconds ?? 30) * 1_000,
        signal: ctx.signal,
      });
    },
  };
}

export interface ConditionCheckOptions extends ConditionExpectation {
  name?: string;
  resource: Omit<ObjectRef, 'namespace'> & { namespace?: string | undefined };
  /** Keep trying this long; once when 0. */
  timeoutSeconds?: number;
}

/** A CustomCheck for a chart's `checks`: the object exists and has the condition. */
export function conditionCheck<P extends ChartPayload = ChartPayload>(options: ConditionCheckOptions): CustomCheck<P> {
  return {
    name: options.name ?? `${options.resource.kind}/${options.resource.name} ${options.type}=${options.status ?? 'True'}`,
    async run(ctx) {
      const clusterScoped = CLUSTER_SCOPED_KINDS.has(options.resource.kind);
      const ref = { ...options.resource, namespace: options.resource.namespace ?? (clusterScoped ? undefined : ctx.spec.namespace) };
      await retryUntil(`${options.resource.kind}/${options.resource.name} condition ${options.type}`, () => checkCondition(ctx.kube, ref, options), {
        timeoutMs: (options.timeoutSeconds ?? 30) * 1_000,
        signal: ctx.signal,
      });
    },
  };
}
