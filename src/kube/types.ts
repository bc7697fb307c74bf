// The KubeClient interface: what helmcycle asks of the Kubernetes API. The real implementation wraps
// @kubernetes/client-node; unit tests use fakes behind this interface.

/** Any Kubernetes object, as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation?: number;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  /** Validate and admit the change (defaulting, admission, quota) without storing it. */
  dryRun?: boolean;
}

export interface ServiceProxyRequest {
  namespace: string;
  service: string;
  /** The service port's name or number; the service's only port when absent. */
  port?: string | number | undefined;
  /** The path on the service, e.g. /healthz. */
  path: string;
}

export interface ProxyResponse {
  /** The HTTP status the service answered with (or the API server, e.g. 503 with no endpoints). */
  status: number;
  body: string;
}

export interface AccessQuery {
  verb: string;
  resource: string;
  group?: string;
  namespace?: string;
}

export interface AccessAnswer {
  allowed: boolean;
  reason: string | undefined;
}

/** One rule of a SelfSubjectRulesReview: the verbs allowed on some resources of some API groups. */
export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
}

/** What the caller may do in one namespace, in one answer (a SelfSubjectRulesReview). */
export interface AccessRules {
  resourceRules: ResourceRule[];
  /** The authorizer could not list every rule (e.g. a webhook authorizer): a missing rule proves nothing. */
  incomplete: boolean;
}

export interface ContainerState {
  name: string;
  ready: boolean;
  restartCount: number;
  /** waiting/terminated reason, e.g. CrashLoopBackOff, Error, ImagePullBackOff. */
  reason: string | undefined;
  message: string | undefined;
  /** Why the previous run ended, for crash loops. */
  lastTerminationReason: string | undefined;
  lastExitCode: number | undefined;
}

export interface PodState {
  name: string;
  namespace: string;
  phase: string;
  ready: boolean;
  labels: Record<string, string>;
  containers: ContainerState[];
  /** Reason of the Ready condition when it is False. */
  notReadyReason: string | undefined;
}

export interface EventRecord {
  type: string;
  reason: string;
  message: string;
  /** kind/name of the object the event is about. */
  object: string;
  count: number;
  lastSeen: string | undefined;
}

/** A list with where a watch of it starts (the list's resourceVersion; undefined when the kind is not served). */
export interface KubeCollection {
  items: KubeObject[];
  resourceVersion: string | undefined;
}

/**
 * One change a watch reports. A BOOKMARK carries only a resourceVersion: where to watch from next. An
 * ERROR event is no change; the client throws it as a KubeRequestError (410: the version is too old).
 */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: KubeObject;
}

export interface WatchFrom {
  /** The list's (or the last event's) resourceVersion. */
  resourceVersion: string;
  /** The server ends the watch after this long (a normal end: watch again from the last version). */
  timeoutSeconds: number;
  signal?: AbortSignal | undefined;
}

export interface KubeClient {
  /** e.g. "v1.34.4"; also proves the API server answers. */
  serverVersion(signal?: AbortSignal): Promise<string>;
  canI(query: AccessQuery): Promise<AccessAnswer>;
  namespaceExists(name: string): Promise<boolean>;
  listPods(namespace: string, labelSelector?: string): Promise<PodState[]>;
  deletePod(namespace: string, name: string): Promise<void>;
  listEvents(namespace: string): Promise<EventRecord[]>;
  podLogs(namespace: string, pod: string, container: string, tailLines: number): Promise<string>;
  /** Reads any object; undefined when it does not exist. */
  getObject(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** Deletes any object; quietly succeeds when it is already gone. Dependents go in the background. */
  deleteObject(ref: ObjectRef): Promise<void>;
  createObject(object: KubeObject): Promise<KubeObject>;
  /** Replaces an object whole (the object carries the live resourceVersion, so a concurrent change fails). */
  replaceObject(object: KubeObject): Promise<KubeObject>;
  /** A JSON merge patch (RFC 7386). */
  patchObject(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject>;
  /**
   * A JSON merge patch of an object's status subresource (…/status): the only way to change what the
   * API server keeps there for itself, such as a CRD's status.storedVersions.
   */
  patchObjectStatus(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject>;
  /** Server-side apply under a field manager; `force` takes over fields other managers own. */
  applyObject(object: KubeObject, options: ApplyOptions): Promise<KubeObject>;
  /** GET through the API server's service proxy: /api/v1/namespaces/NS/services/NAME:PORT/proxy/PATH. */
  proxyGet(request: ServiceProxyRequest): Promise<ProxyResponse>;
  /** Streams a container's log (following it until the container ends), one line at a time. */
  followPodLogs(namespace: string, pod: string, container: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<void>;
  /** Whether the API server serves this kind at this apiVersion (a CRD's kind only once it is established). */
  kindServed(apiVersion: string, kind: string): Promise<boolean>;
  /** Lists objects of a kind (optionally in a namespace); empty when the kind is not served. */
  listObjects(apiVersion: string, kind: string, namespace?: string): Promise<KubeObject[]>;
  /**
   * listObjects with the list's resourceVersion, where a watch of it starts. Optional, as is
   * watchObjects: a client without them (a test's fake) is polled instead.
   */
  listCollection?(apiVersion: string, kind: string, namespace: string): Promise<KubeCollection>;
  /**
   * Watches a kind in a namespace from a resourceVersion, handing each change; resolves when the server
   * ends the watch, throws a KubeRequestError when it cannot be opened or fails (statusCode 410: relist).
   */
  watchObjects?(apiVersion: string, kind: string, namespace: string, from: WatchFrom, onEvent: (event: WatchEvent) => void): Promise<void>;
  /** Lists objects of a kind in a namespace that match a label selector; empty when the kind is not served. */
  listByLabels(apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<KubeObject[]>;
  /** Every rule the caller has in a namespace, in one request (a SelfSubjectRulesReview). */
  reviewRules(namespace: string): Promise<AccessRules>;
}
