// client-node's generated API clients, for the few calls helmcycle still makes through them: a pod's
// logs (read and followed) and a GET through a service proxy. Only failure diagnostics and custom
// checks make them, so this module is imported when one is made (client.ts), never at start-up: the
// generated models behind CoreV1Api are ~2.7 MB of the bundle, ~0.13 s of CPU to load on this machine.
// Their exceptions become a KubeRequestError that says what was asked, after transient ones are retried.
import { Writable } from 'node:stream';
import { ApiException, CoreV1Api, Log, type KubeConfig } from '@kubernetes/client-node';
import { KubeRequestError } from '../errors.js';
import { KUBE_RETRY_BUDGET_MS, retryTransient } from '../retry/retry.js';
import { transientReason } from '../retry/transient.js';
import type { ProxyResponse, ServiceProxyRequest } from './types.js';

function statusCode(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as { message?: string } | string | undefined;
    if (typeof body === 'object' && body?.message) return body.message;
    if (typeof body === 'string') {
      try {
        return (JSON.parse(body) as { message?: string }).message ?? body;
      } catch {
        return body;
      }
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/** One CoreV1Api a kubeconfig, as the client built it once before these calls were loaded lazily. */
const coreApis = new WeakMap<KubeConfig, CoreV1Api>();
function coreApi(config: KubeConfig): CoreV1Api {
  let api = coreApis.get(config);
  if (!api) coreApis.set(config, (api = config.makeApiClient(CoreV1Api)));
  return api;
}

async function request<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    // A log read is safe to repeat.
    return await retryTransient(call, { transient: (error) => transientReason(apiMessage(error), statusCode(error)), budgetMs: KUBE_RETRY_BUDGET_MS });
  } catch (error) {
    const code = statusCode(error);
    throw new KubeRequestError(`${what} failed${code ? ` (HTTP ${code})` : ''}: ${apiMessage(error)}`, code, { cause: error });
  }
}

export async function readPodLog(config: KubeConfig, namespace: string, pod: string, container: string, tailLines: number): Promise<string> {
  const core = coreApi(config);
  return request(`reading logs of ${namespace}/${pod}/${container}`, () => core.readNamespacedPodLog({ namespace, name: pod, container, tailLines }));
}

export async function proxyGetService(config: KubeConfig, proxy: ServiceProxyRequest): Promise<ProxyResponse> {
  const name = proxy.port === undefined ? proxy.service : `${proxy.service}:${proxy.port}`;
  const path = proxy.path.replace(/^\//, '');
  try {
    const info = await coreApi(config).connectGetNamespacedServiceProxyWithPathWithHttpInfo({ name, namespace: proxy.namespace, path });
    return { status: info.httpStatusCode, body: info.data };
  } catch (error) {
    // A non-2xx answer (from the service or from the proxy itself) is an answer, not a failure.
    if (error instanceof ApiException) return { status: error.code, body: typeof error.body === 'string' ? error.body : JSON.stringify(error.body) };
    throw new KubeRequestError(`GET ${proxy.path} on service ${proxy.namespace}/${name} failed: ${apiMessage(error)}`, statusCode(error), { cause: error });
  }
}

export async function followPodLog(config: KubeConfig, namespace: string, pod: string, container: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
      callback();
    },
  });
  await new Promise<void>((resolve, reject) => {
    const finish = (error?: unknown) => {
      if (partial) onLine(partial);
      partial = '';
      if (error) reject(new KubeRequestError(`following logs of ${namespace}/${pod}/${container} failed: ${apiMessage(error)}`, statusCode(error), { cause: error }));
      else resolve();
    };
    new Log(config)
      .log(namespace, pod, container, sink, (error) => finish(error), { follow: true })
      .then((controller) => {
        if (signal?.aborted) controller.abort();
        else signal?.addEventListener('abort', () => controller.abort(), { once: true });
      })
      .catch(finish);
  });
}
