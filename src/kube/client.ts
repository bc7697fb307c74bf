// The KubeClient over @kubernetes/client-node. Every API failure becomes a KubeRequestError that says
// what was asked; a 404 where absence is an answer (getObject, deleteObject) is not an error.
import {
  ApiException,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  Log,
  PatchStrategy,
  VersionApi,
  type CoreV1Event,
  type KubernetesObject,
  type V1Pod,
} from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { KubeRequestError } from '../errors.js';
import { KUBE_RETRY_BUDGET_MS, retryTransient } from '../retry/retry.js';
import { transientReason } from '../retry/transient.js';
import type {
  AccessAnswer,
  AccessQuery,
  ApplyOptions,
  ContainerState,
  EventRecord,
  KubeClient,
  KubeObject,
  ObjectRef,
  PodState,
  ProxyResponse,
  ServiceProxyRequest,
} from './types.js';

export interface KubeClientOptions {
  /** A kubeconfig file; KUBECONFIG or ~/.kube/config by default. */
  kubeconfig?: string;
  context?: string;
}

export function loadKubeConfig(options: KubeClientOptions = {}): KubeConfig {
  const config = new KubeConfig();
  if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
  else config.loadFromDefault();
  if (options.context) config.setCurrentContext(options.context);
  return config;
}

/** The field manager of helmcycle's writes (client-node would otherwise record its HTTP library's name). */
const FIELD_MANAGER = 'helmcycle';

/** The answer for a kind the server does not serve: 404 on its group, or client-node's discovery miss. */
function isNotServed(error: unknown): boolean {
  return statusCode(error) === 404 || /unable to find api field|resource .* not found|unrecognized api version and kind/i.test(apiMessage(error));
}

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

async function request<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    // Transient failures are retried (retry/): every call here is safe to repeat (reads, access reviews, merge and apply patches; a create repeated after its first try landed fails as AlreadyExists, never twice).
    return await retryTransient(call, { transient: (error) => transientReason(apiMessage(error), statusCode(error)), budgetMs: KUBE_RETRY_BUDGET_MS });
  } catch (error) {
    const code = statusCode(error);
    throw new KubeRequestError(`${what} failed${code ? ` (HTTP ${code})` : ''}: ${apiMessage(error)}`, code, { cause: error });
  }
}

export function toPodState(pod: V1Pod): PodState {
  const readyCondition = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const containers: ContainerState[] = (pod.status?.containerStatuses ?? []).map((c) => ({
    name: c.name,
    ready: c.ready,
    restartCount: c.restartCount,
    reason: c.state?.waiting?.reason ?? c.state?.terminated?.reason,
    message: c.state?.waiting?.message ?? c.state?.terminated?.message,
    lastTerminationReason: c.lastState?.terminated?.reason,
    lastExitCode: c.lastState?.terminated?.exitCode ?? c.state?.terminated?.exitCode,
  }));
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready: readyCondition?.status === 'True',
    labels: pod.metadata?.labels ?? {},
    containers,
    notReadyReason: readyCondition?.status === 'True' ? undefined : readyCondition?.reason,
  };
}

function toEventRecord(event: CoreV1Event): EventRecord {
  const last = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp;
  return {
    type: event.type ?? 'Normal',
    reason: event.reason ?? '',
    message: (event.message ?? '').trim(),
    object: `${event.involvedObject.kind ?? ''}/${event.involvedObject.name ?? ''}`,
    count: event.count ?? 1,
    lastSeen: last ? new Date(last as unknown as string).toISOString() : undefined,
  };
}

function header(ref: ObjectRef): KubernetesObject & { metadata: { name: string } } {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
}

function refOfObject(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export class NodeKubeClient implements KubeClient {
  readonly config: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly auth: AuthorizationV1Api;
  private readonly versionApi: VersionApi;
  private readonly objects: KubernetesObjectApi;
  private readonly custom: CustomObjectsApi;

  constructor(options: KubeClientOptions | KubeConfig = {}) {
    this.config = options instanceof KubeConfig ? options : loadKubeConfig(options);
    this.core = this.config.makeApiClient(CoreV1Api);
    this.auth = this.config.makeApiClient(AuthorizationV1Api);
    this.versionApi = this.config.makeApiClient(VersionApi);
    this.objects = KubernetesObjectApi.makeApiClient(this.config);
    this.custom = this.config.makeApiClient(CustomObjectsApi);
  }

  async serverVersion(): Promise<string> {
    const info = await request('reading the server version', () => this.versionApi.getCode());
    return info.gitVersion;
  }

  async canI(query: AccessQuery): Promise<AccessAnswer> {
    const review = await request(`checking access to ${query.verb} ${query.resource}`, () =>
      this.auth.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb: query.verb, resource: query.resource, group: query.group ?? '', namespace: query.namespace } },
        },
      }),
    );
    return { allowed: review.status?.allowed === true, reason: review.status?.reason };
  }

  async namespaceExists(name: string): Promise<boolean> {
    try {
      await this.core.readNamespace({ name });
      return true;
    } catch (error) {
      if (statusCode(error) === 404) return false;
      throw new KubeRequestError(`reading namespace ${name} failed: ${apiMessage(error)}`, statusCode(error), { cause: error });
    }
  }

  async listPods(namespace: string, labelSelector?: string): Promise<PodState[]> {
    const list = await request(`listing pods in ${namespace}`, () => this.core.listNamespacedPod({ namespace, labelSelector }));
    return list.items.map(toPodState);
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    await this.deleteObject({ apiVersion: 'v1', kind: 'Pod', namespace, name });
  }

  async listEvents(namespace: string): Promise<EventRecord[]> {
    const list = await request(`listing events in ${namespace}`, () => this.core.listNamespacedEvent({ namespace }));
    return list.items.map(toEventRecord);
  }

  async podLogs(namespace: string, pod: string, container: string, tailLines: number): Promise<string> {
    return request(`reading logs of ${namespace}/${pod}/${container}`, () =>
      this.core.readNamespacedPodLog({ namespace, name: pod, container, tailLines }),
    );
  }

  async getObject(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return (await this.objects.read(header(ref))) as unknown as KubeObject;
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw new KubeRequestError(`reading ${describe(ref)} failed: ${apiMessage(error)}`, statusCode(error), { cause: error });
    }
  }

  async deleteObject(ref: ObjectRef): Promise<void> {
    try {
      // Background propagation: a Job's pods (whose API default is to orphan them) go with it.
      await this.objects.delete(header(ref), undefined, undefined, undefined, undefined, 'Background');
    } catch (error) {
      if (statusCode(error) === 404) return;
      throw new KubeRequestError(`deleting ${describe(ref)} failed: ${apiMessage(error)}`, statusCode(error), { cause: error });
    }
  }

  async createObject(object: KubeObject): Promise<KubeObject> {
    return request(`creating ${describe(refOfObject(object))}`, async () => (await this.objects.create(object as KubernetesObject, undefined, undefined, FIELD_MANAGER)) as unknown as KubeObject);
  }

  async replaceObject(object: KubeObject): Promise<KubeObject> {
    return request(`replacing ${describe(refOfObject(object))}`, async () => (await this.objects.replace(object as KubernetesObject, undefined, undefined, FIELD_MANAGER)) as unknown as KubeObject);
  }

  async patchObject(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject> {
    const body = { ...patch, ...header(ref), metadata: { ...(patch.metadata as object | undefined), ...header(ref).metadata } };
    return request(`patching ${describe(ref)}`, async () =>
      (await this.objects.patch(body as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch)) as unknown as KubeObject,
    );
  }

  async applyObject(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    // Server-side apply takes no resourceVersion or managedFields from a copy of a live object.
    const { resourceVersion: _rv, managedFields: _mf, uid: _uid, creationTimestamp: _ct, ...metadata } = object.metadata;
    const body = { ...object, metadata };
    return request(`applying ${describe(refOfObject(object))}`, async () =>
      (await this.objects.patch(body as KubernetesObject, undefined, options.dryRun ? 'All' : undefined, options.fieldManager, options.force ?? false, PatchStrategy.ServerSideApply)) as unknown as KubeObject,
    );
  }

  async proxyGet(proxy: ServiceProxyRequest): Promise<ProxyResponse> {
    const name = proxy.port === undefined ? proxy.service : `${proxy.service}:${proxy.port}`;
    const path = proxy.path.replace(/^\//, '');
    try {
      const info = await this.core.connectGetNamespacedServiceProxyWithPathWithHttpInfo({ name, namespace: proxy.namespace, path });
      return { status: info.httpStatusCode, body: info.data };
    } catch (error) {
      // A non-2xx answer (from the service or from the proxy itself) is an answer, not a failure.
      if (error instanceof ApiException) return { status: error.code, body: typeof error.body === 'string' ? error.body : JSON.stringify(error.body) };
      throw new KubeRequestError(`GET ${proxy.path} on service ${proxy.namespace}/${name} failed: ${apiMessage(error)}`, statusCode(error), { cause: error });
    }
  }

  async followPodLogs(namespace: string, pod: string, container: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
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
      new Log(this.config)
        .log(namespace, pod, container, sink, (error) => finish(error), { follow: true })
        .then((controller) => {
          if (signal?.aborted) controller.abort();
          else signal?.addEventListener('abort', () => controller.abort(), { once: true });
        })
        .catch(finish);
    });
  }

  async listObjects(apiVersion: string, kind: string, namespace?: string): Promise<KubeObject[]> {
    try {
      const list = await this.objects.list(apiVersion, kind, namespace);
      return list.items as unknown as KubeObject[];
    } catch (error) {
      // A kind the server does not serve (its CRD is gone) has no objects.
      if (isNotServed(error)) return [];
      throw new KubeRequestError(`listing ${kind} failed: ${apiMessage(error)}`, statusCode(error), { cause: error });
    }
  }

  async kindServed(apiVersion: string, kind: string): Promise<boolean> {
    // Discovery, asked afresh each time: every authenticated user may read it (a namespaced deployer may
    // not list a kind cluster-wide), and a CRD applied or deleted a moment ago shows at once.
    const slash = apiVersion.indexOf('/');
    try {
      const resources = slash < 0
        ? await this.core.getAPIResources()
        : await this.custom.getAPIResources({ group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) });
      return resources.resources.some((resource) => resource.kind === kind && !resource.name.includes('/'));
    } catch (error) {
      if (statusCode(error) === 404) return false;
      throw new KubeRequestError(`looking up ${kind} (${apiVersion}) failed: ${apiMessage(error)}`, statusCode(error), { cause: error });
    }
  }
}
