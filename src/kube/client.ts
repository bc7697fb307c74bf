// The KubeClient. Objects travel as plain JSON over HTTP (rest-transport.ts), with REST paths from API
// discovery cached per client: no typed serializer drops a key on any read or write. client-node is
// kept for the kubeconfig and credentials, and (loaded when asked) for logs and the service proxy.
// Every API failure becomes a KubeRequestError that says what was asked; a 404 where absence is an
// answer (getObject, deleteObject, listObjects) is not an error.
import { KubeConfig, type CoreV1Event, type V1Pod } from './client-node.js';
import { KubeRequestError } from '../errors.js';
import { KUBE_RETRY_BUDGET_MS, retryTransient } from '../retry/retry.js';
import { transientReason } from '../retry/transient.js';
import { ApiDiscovery } from './discovery.js';
import { guardCredentials } from './exec-credentials.js';
import { applyBody, listItems, queryString, resourcePath, writeQuery, type ApiResource } from './rest-paths.js';
import { answerError, RestTransport, retryingOn429, sendJson, type RestRequest, type RestSender } from './rest-transport.js';
import type {
  AccessAnswer,
  AccessQuery,
  AccessRules,
  ApplyOptions,
  EventRecord,
  KubeClient,
  KubeObject,
  ObjectRef,
  PodState,
  ProxyResponse,
  ServiceProxyRequest,
  KubeCollection,
  WatchEvent,
  WatchFrom,
} from './types.js';
import { parseWatchLine, WatchUnsupportedError } from './watch-events.js';
import { loadKubeConfig, type KubeClientOptions } from './kubeconfig-load.js';
import { toEventRecord, toPodState } from './client-node-shapes.js';

export { loadKubeConfig, toPodState, type KubeClientOptions };

/** The field manager of helmcycle's writes (client-node would otherwise record its HTTP library's name). */
const FIELD_MANAGER = 'helmcycle';

function refOfObject(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export class NodeKubeClient implements KubeClient {
  readonly config: KubeConfig;
  private readonly rest: RestSender;
  /** Per client, so per run: REST paths are looked up once, not before every call. */
  private readonly discovery: ApiDiscovery;

  /** `transport` replaces the HTTP transport (unit tests); the kubeconfig's cluster by default. */
  constructor(options: KubeClientOptions | KubeConfig = {}, transport?: RestSender) {
    // A failing exec plugin's error names the plugin, never what it printed (the token, maybe).
    this.config = guardCredentials(options instanceof KubeConfig ? options : loadKubeConfig(options));
    this.rest = transport ?? retryingOn429(new RestTransport(this.config));
    this.discovery = new ApiDiscovery(this.rest);
  }

  /**
   * One JSON request whose transient failures (a reset connection, a 503, a 429 past the transport's
   * own retries) are retried within the kube budget: only for calls safe to repeat (reads, reviews).
   */
  private retried<T>(what: string, request: RestRequest): Promise<T> {
    return retryTransient(() => sendJson<T>(this.rest, what, request), {
      transient: (error) => transientReason(error instanceof Error ? error.message : String(error), error instanceof KubeRequestError ? error.statusCode : undefined),
      budgetMs: KUBE_RETRY_BUDGET_MS,
    });
  }

  async serverVersion(): Promise<string> {
    return (await this.retried<{ gitVersion: string }>('reading the server version', { method: 'GET', path: '/version' })).gitVersion;
  }

  async canI(query: AccessQuery): Promise<AccessAnswer> {
    const review = await this.retried<{ status?: { allowed?: boolean; reason?: string } }>(`checking access to ${query.verb} ${query.resource}`, {
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: query.verb, resource: query.resource, group: query.group ?? '', ...(query.namespace === undefined ? {} : { namespace: query.namespace }) } },
      },
    });
    return { allowed: review.status?.allowed === true, reason: review.status?.reason };
  }

  async namespaceExists(name: string): Promise<boolean> {
    return (await this.getObject({ apiVersion: 'v1', kind: 'Namespace', name })) !== undefined;
  }

  async listPods(namespace: string, labelSelector?: string): Promise<PodState[]> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods${labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : ''}`;
    const list = await sendJson<{ items?: V1Pod[] }>(this.rest, `listing pods in ${namespace}`, { method: 'GET', path });
    return (list.items ?? []).map(toPodState);
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    await this.deleteObject({ apiVersion: 'v1', kind: 'Pod', namespace, name });
  }

  async listEvents(namespace: string): Promise<EventRecord[]> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
    const list = await sendJson<{ items?: CoreV1Event[] }>(this.rest, `listing events in ${namespace}`, { method: 'GET', path });
    return (list.items ?? []).map(toEventRecord);
  }

  async podLogs(namespace: string, pod: string, container: string, tailLines: number): Promise<string> {
    return (await import('./client-node-apis.js')).readPodLog(this.config, namespace, pod, container, tailLines);
  }

  /** The resource and namespace of an object, or undefined when its kind is not served. */
  private async locate(ref: ObjectRef): Promise<{ resource: ApiResource; namespace: string | undefined } | undefined> {
    const resource = await this.discovery.resourceFor(ref.apiVersion, ref.kind);
    if (!resource) return undefined;
    return { resource, namespace: resource.namespaced ? (ref.namespace ?? this.defaultNamespace()) : undefined };
  }

  private defaultNamespace(): string {
    return this.config.getContextObject(this.config.getCurrentContext())?.namespace ?? 'default';
  }

  private async objectPath(ref: ObjectRef, what: string, withName: boolean): Promise<string> {
    const resource = await this.discovery.require(ref.apiVersion, ref.kind, what);
    const namespace = resource.namespaced ? (ref.namespace ?? this.defaultNamespace()) : undefined;
    return resourcePath(ref.apiVersion, resource, { namespace, name: withName ? ref.name : undefined });
  }

  async getObject(ref: ObjectRef): Promise<KubeObject | undefined> {
    // An object of a kind the server does not serve does not exist.
    const at = await this.locate(ref);
    if (!at) return undefined;
    const response = await this.rest.send({ method: 'GET', path: resourcePath(ref.apiVersion, at.resource, { namespace: at.namespace, name: ref.name }) });
    if (response.status === 404) return undefined;
    if (response.status < 200 || response.status > 299) throw answerError(`reading ${describe(ref)}`, response);
    return JSON.parse(response.body) as KubeObject;
  }

  async deleteObject(ref: ObjectRef): Promise<void> {
    const at = await this.locate(ref);
    if (!at) return;
    // Background propagation: a Job's pods (whose API default is to orphan them) go with it.
    const response = await this.rest.send({
      method: 'DELETE',
      path: resourcePath(ref.apiVersion, at.resource, { namespace: at.namespace, name: ref.name }),
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
    });
    if (response.status === 404) return;
    if (response.status < 200 || response.status > 299) throw answerError(`deleting ${describe(ref)}`, response);
  }

  async createObject(object: KubeObject): Promise<KubeObject> {
    const ref = refOfObject(object);
    const what = `creating ${describe(ref)}`;
    const path = (await this.objectPath(ref, what, false)) + writeQuery({ fieldManager: FIELD_MANAGER });
    return sendJson<KubeObject>(this.rest, what, { method: 'POST', path, body: object });
  }

  async replaceObject(object: KubeObject): Promise<KubeObject> {
    const ref = refOfObject(object);
    const what = `replacing ${describe(ref)}`;
    const path = (await this.objectPath(ref, what, true)) + writeQuery({ fieldManager: FIELD_MANAGER });
    return sendJson<KubeObject>(this.rest, what, { method: 'PUT', path, body: object });
  }

  async patchObject(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject> {
    const what = `patching ${describe(ref)}`;
    const path = (await this.objectPath(ref, what, true)) + writeQuery({ fieldManager: FIELD_MANAGER });
    return sendJson<KubeObject>(this.rest, what, { method: 'PATCH', path, body: patch, contentType: 'application/merge-patch+json' });
  }

  async patchObjectStatus(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject> {
    const what = `patching the status of ${describe(ref)}`;
    const path = `${await this.objectPath(ref, what, true)}/status${writeQuery({ fieldManager: FIELD_MANAGER })}`;
    return sendJson<KubeObject>(this.rest, what, { method: 'PATCH', path, body: patch, contentType: 'application/merge-patch+json' });
  }

  async applyObject(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const ref = refOfObject(object);
    const what = `applying ${describe(ref)}`;
    const path = (await this.objectPath(ref, what, true)) + writeQuery(options, true);
    // JSON is YAML: the apply patch goes out as the object's own JSON, every key kept.
    return sendJson<KubeObject>(this.rest, what, { method: 'PATCH', path, body: applyBody(object), contentType: 'application/apply-patch+yaml' });
  }

  async proxyGet(proxy: ServiceProxyRequest): Promise<ProxyResponse> {
    return (await import('./client-node-apis.js')).proxyGetService(this.config, proxy);
  }

  async followPodLogs(namespace: string, pod: string, container: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
    return (await import('./client-node-apis.js')).followPodLog(this.config, namespace, pod, container, onLine, signal);
  }

  async listObjects(apiVersion: string, kind: string, namespace?: string): Promise<KubeObject[]> {
    return (await this.listCollection(apiVersion, kind, namespace)).items;
  }

  async listCollection(apiVersion: string, kind: string, namespace?: string): Promise<KubeCollection> {
    // A kind the server does not serve (its CRD is gone) has no objects.
    const resource = await this.discovery.resourceFor(apiVersion, kind);
    if (!resource) return { items: [], resourceVersion: undefined };
    const response = await this.rest.send({ method: 'GET', path: resourcePath(apiVersion, resource, { namespace }) });
    if (response.status === 404) return { items: [], resourceVersion: undefined };
    if (response.status < 200 || response.status > 299) throw answerError(`listing ${kind}${namespace ? ` in ${namespace}` : ''}`, response);
    const list = JSON.parse(response.body) as { items?: KubeObject[]; metadata?: { resourceVersion?: string } };
    return { items: listItems(list, apiVersion, kind), resourceVersion: list.metadata?.resourceVersion || undefined };
  }

  async watchObjects(apiVersion: string, kind: string, namespace: string, from: WatchFrom, onEvent: (event: WatchEvent) => void): Promise<void> {
    const what = `watching ${kind} in ${namespace}`;
    if (!this.rest.stream) throw new WatchUnsupportedError(what);
    const resource = await this.discovery.require(apiVersion, kind, what);
    // Bookmarks move the version to watch from while nothing changes, so that a watch ended by its
    // timeout starts again where it was instead of from a version the server may have compacted.
    // Aborted while discovery answered: the request is not sent at all.
    from.signal?.throwIfAborted();
    const query = queryString({ watch: 1, resourceVersion: from.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: from.timeoutSeconds });
    const end = await this.rest.stream({ method: 'GET', path: resourcePath(apiVersion, resource, { namespace }) + query, signal: from.signal }, (line) => onEvent(parseWatchLine(line, apiVersion, kind, what)));
    if (end.status < 200 || end.status > 299) throw answerError(what, { status: end.status, body: end.body });
  }

  async kindServed(apiVersion: string, kind: string): Promise<boolean> {
    // Discovery, asked afresh each time: every authenticated user may read it (a namespaced deployer may
    // not list a kind cluster-wide), and a CRD applied or deleted a moment ago shows at once.
    try {
      return (await this.discovery.servedNow(apiVersion, kind)) !== undefined;
    } catch (error) {
      if (error instanceof KubeRequestError) throw new KubeRequestError(`looking up ${kind} (${apiVersion}) failed: ${error.message}`, error.statusCode, { cause: error });
      throw error;
    }
  }

  async listByLabels(apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<KubeObject[]> {
    const resource = await this.discovery.resourceFor(apiVersion, kind);
    if (!resource) return [];
    const path = `${resourcePath(apiVersion, resource, { namespace })}${queryString({ labelSelector })}`;
    const response = await this.rest.send({ method: 'GET', path });
    if (response.status === 404) return [];
    if (response.status < 200 || response.status > 299) throw answerError(`listing ${kind} (${labelSelector}) in ${namespace}`, response);
    return listItems(JSON.parse(response.body) as { items?: KubeObject[] }, apiVersion, kind);
  }

  async reviewRules(namespace: string): Promise<AccessRules> {
    const review = await this.retried<{ status?: { incomplete?: boolean; resourceRules?: { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }[] } }>(
      `reviewing access rules in namespace ${namespace}`,
      {
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
      },
    );
    return {
      resourceRules: (review.status?.resourceRules ?? []).map((rule) => ({
        verbs: rule.verbs ?? [],
        apiGroups: rule.apiGroups ?? [],
        resources: rule.resources ?? [],
        resourceNames: rule.resourceNames ?? [],
      })),
      incomplete: review.status?.incomplete === true,
    };
  }
}
