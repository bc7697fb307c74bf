// The readiness watch per namespace (issue "Fast"): list-then-watch on the raw REST transport. A
// scripted API server behind RestSender answers the LISTs and opens watch streams the tests feed line
// by line (the real streaming transport: watch-events.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeRequestError } from '../../src/errors.js';
import { NodeKubeClient } from '../../src/kube/client.js';
import { NamespaceObserver } from '../../src/kube/namespace-observer.js';
import type { WatchingSource } from '../../src/kube/namespace-watch.js';
import { type RestRequest, type RestResponse, type RestSender, type RestStreamEnd } from '../../src/kube/rest-transport.js';
import type { KubeObject } from '../../src/kube/types.js';

const ours = { 'meta.helm.sh/release-name': 'web', 'meta.helm.sh/release-namespace': 'apps' };

function deployment(generation: number, ready: boolean, resourceVersion = '10'): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps', uid: 'd-web', generation, resourceVersion, annotations: ours, managedFields: [{ manager: 'helm' }] },
    spec: { replicas: 1 },
    status: { observedGeneration: generation, replicas: 1, updatedReplicas: 1, availableReplicas: ready ? 1 : 0 },
  };
}

function replicaSet(name: string): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'apps', uid: `rs-${name}`, resourceVersion: '5', ownerReferences: [{ kind: 'Deployment', name: 'web', controller: true }] } };
}

function pod(name: string, reason: string | undefined, resourceVersion = '10'): KubeObject {
  const ready = reason === undefined;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'apps', uid: `pod-${name}`, resourceVersion, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-new', controller: true }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'web', ready, restartCount: ready ? 0 : 2, state: ready ? { running: {} } : { waiting: { reason } } }],
    },
  };
}

const event = (type: string, object: unknown) => JSON.stringify({ type, object });
const gone = event('ERROR', { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 10 (42)', reason: 'Expired', code: 410 });

/** One watch request the scripted server holds open until the test ends it. */
class FakeStream {
  readonly params: URLSearchParams;
  private settle!: { resolve: (end: RestStreamEnd) => void; reject: (error: unknown) => void };
  readonly done: Promise<RestStreamEnd>;
  aborted = false;

  constructor(readonly resource: string, request: RestRequest, private readonly onLine: (line: string) => void) {
    this.params = new URLSearchParams(request.path.split('?')[1] ?? '');
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    const abort = () => {
      this.aborted = true;
      this.settle.reject(request.signal!.reason);
    };
    if (request.signal?.aborted) abort();
    else request.signal?.addEventListener('abort', abort, { once: true });
  }

  /** Hands a line as the transport would; a line the reader refuses ends the stream, as the transport does. */
  push(line: string): void {
    try {
      this.onLine(line);
    } catch (error) {
      this.settle.reject(error);
    }
  }

  end(): void {
    this.settle.resolve({ status: 200, body: '' });
  }

  fail(error: unknown): void {
    this.settle.reject(error);
  }
}

/** A scripted API server: discovery, a list per resource (with its resourceVersion), and watch streams. */
class FakeWatchApi implements RestSender {
  readonly requests: string[] = [];
  readonly lists = new Map<string, { items: KubeObject[]; resourceVersion: string }>();
  /** A status a LIST (or a watch) of the resource answers instead. */
  readonly listStatus = new Map<string, number>();
  readonly watchStatus = new Map<string, number>();
  readonly streams: FakeStream[] = [];

  constructor() {
    for (const resource of ['pods', 'replicasets', 'deployments', 'statefulsets', 'daemonsets', 'jobs']) this.lists.set(resource, { items: [], resourceVersion: '10' });
  }

  async send(request: RestRequest): Promise<RestResponse> {
    const path = request.path.split('?')[0]!;
    const discovery: Record<string, unknown[]> = {
      '/api/v1': [{ name: 'pods', kind: 'Pod', namespaced: true }],
      '/apis/apps/v1': ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].map((kind) => ({ name: `${kind.toLowerCase()}s`, kind, namespaced: true })),
      '/apis/batch/v1': [{ name: 'jobs', kind: 'Job', namespaced: true }],
    };
    if (discovery[path]) return { status: 200, body: JSON.stringify({ resources: discovery[path] }) };
    const resource = path.split('/').at(-1)!;
    this.requests.push(`LIST ${resource}`);
    const status = this.listStatus.get(resource);
    if (status) return { status, body: JSON.stringify({ kind: 'Status', code: status, message: `${resource} is forbidden: User "deployer" cannot list resource "${resource}"` }) };
    const list = this.lists.get(resource)!;
    // As the API server answers: the items without their kind, the list's version in its metadata.
    return { status: 200, body: JSON.stringify({ metadata: { resourceVersion: list.resourceVersion }, items: list.items.map(({ kind: _k, apiVersion: _a, ...item }) => item) }) };
  }

  async stream(request: RestRequest, onLine: (line: string) => void): Promise<RestStreamEnd> {
    const resource = request.path.split('?')[0]!.split('/').at(-1)!;
    this.requests.push(`WATCH ${resource}`);
    const status = this.watchStatus.get(resource);
    if (status) return { status, body: JSON.stringify({ kind: 'Status', code: status, message: 'watch refused' }) };
    const stream = new FakeStream(resource, request, onLine);
    this.streams.push(stream);
    return stream.done;
  }

  /** The watch of a resource opened last (waiting for it to open). */
  async watchOf(resource: string, nth = 1): Promise<FakeStream> {
    await until(() => this.streams.filter((s) => s.resource === resource).length >= nth, `watch ${nth} of ${resource}`);
    return this.streams.filter((s) => s.resource === resource)[nth - 1]!;
  }

  count(request: string): number {
    return this.requests.filter((r) => r === request).length;
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const givenUp = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > givenUp) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function clientWith(api: RestSender): NodeKubeClient {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443' }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return new NodeKubeClient(config, api);
}

function watched(api: FakeWatchApi, options: ConstructorParameters<typeof NamespaceObserver>[2] = {}) {
  const observer = new NamespaceObserver(clientWith(api), 'apps', { coalesceMs: 20, heartbeatMs: 3_600_000, lingerMs: 0, ...options });
  const modes = () => (observer as unknown as { source: WatchingSource }).source.modes();
  return { observer, modes };
}

const lastGeneration = (observer: { current(): { workloads: { generations: { state: { generation: number | undefined; ready: boolean } }[] }[] } }) =>
  observer.current().workloads[0]?.generations.at(-1)?.state;

// The observer's timers and the fake streams hold nothing open; while a test awaits them, this does.
let keepAlive: NodeJS.Timeout;
before(() => { keepAlive = setInterval(() => {}, 1000); });
after(() => clearInterval(keepAlive));

describe('NamespaceObserver watching', () => {
  it('lists each kind, then watches from the list\'s version; the first LIST is the view from before the deploy', async () => {
    const api = new FakeWatchApi();
    api.lists.set('deployments', { items: [deployment(1, true)], resourceVersion: '42' });
    api.lists.set('pods', { items: [pod('web-old', undefined)], resourceVersion: '43' });
    api.lists.set('replicasets', { items: [replicaSet('web-new')], resourceVersion: '43' });
    const { observer, modes } = watched(api);
    const web = observer.subscribe('web');
    await observer.nextRead();
    assert.equal(observer.mode, 'watch');
    assert.deepEqual(web.current().workloads.map((w) => w.name), ['web']);
    assert.deepEqual(web.current().pods.map((p) => [p.last.state.name, p.preexisting]), [['web-old', true]]);
    const watch = await api.watchOf('deployments');
    assert.equal(watch.params.get('watch'), '1');
    assert.equal(watch.params.get('resourceVersion'), '42');
    assert.equal(watch.params.get('allowWatchBookmarks'), 'true');
    assert.ok(Number(watch.params.get('timeoutSeconds')) >= 300, 'bounded by the server');
    assert.equal((await api.watchOf('pods')).params.get('resourceVersion'), '43');
    await until(() => Object.values(modes()).every((m) => m === 'watching'), 'every kind watched');
    assert.deepEqual(Object.keys(modes()), ['Pod', 'ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job']);
    // A release subscribing to a namespace already watched gets its first view at once, from the stores.
    const other = observer.subscribe('web');
    assert.equal(other.current().reads, 1);
    web.close();
    other.close();
  });

  it('applies events to the stores and hands a burst of them as one view, not one per event', async () => {
    const api = new FakeWatchApi();
    api.lists.set('deployments', { items: [deployment(1, true)], resourceVersion: '10' });
    api.lists.set('replicasets', { items: [replicaSet('web-new')], resourceVersion: '10' });
    const { observer } = watched(api);
    const web = observer.subscribe('web');
    await observer.nextRead();
    const [deployments, pods] = [await api.watchOf('deployments'), await api.watchOf('pods')];
    const readsBefore = observer.stats.reads;
    const next = observer.nextRead();
    deployments.push(event('MODIFIED', deployment(2, false, '11')));
    pods.push(event('ADDED', pod('web-new-1', undefined, '12')));
    pods.push(event('MODIFIED', pod('web-new-1', 'CrashLoopBackOff', '13')));
    pods.push(event('ADDED', pod('web-new-2', undefined, '14')));
    pods.push(event('DELETED', pod('web-new-2', undefined, '15')));
    await next;
    assert.equal(observer.stats.reads, readsBefore + 1, 'five events, one view');
    assert.equal(observer.stats.events, 5);
    assert.deepEqual(lastGeneration(web), { ...lastGeneration(web), generation: 2, ready: false });
    assert.deepEqual(web.current().pods.map((p) => [p.last.state.name, p.last.state.workload, p.last.state.containers[0]?.reason, p.preexisting]), [['web-new-1', 'Deployment/web', 'CrashLoopBackOff', false]]);
    assert.equal(api.count('LIST deployments'), 1, 'no LIST after the first');
    web.close();
  });

  it('relists after 410 Gone (an ERROR event, or the answer to the watch), then watches from the new list', async () => {
    const api = new FakeWatchApi();
    api.lists.set('deployments', { items: [deployment(1, false)], resourceVersion: '10' });
    const { observer } = watched(api);
    const web = observer.subscribe('web');
    await observer.nextRead();
    api.lists.set('deployments', { items: [deployment(2, true, '50')], resourceVersion: '50' });
    (await api.watchOf('deployments')).push(gone);
    const second = await api.watchOf('deployments', 2);
    assert.equal(api.count('LIST deployments'), 2);
    assert.equal(second.params.get('resourceVersion'), '50');
    await until(() => lastGeneration(web)?.generation === 2, 'the relisted state handed');
    // A watch answered 410 itself (not in a stream): the same.
    api.watchStatus.set('deployments', 410);
    api.lists.set('deployments', { items: [deployment(3, true, '60')], resourceVersion: '60' });
    second.push(gone);
    await until(() => api.count('LIST deployments') >= 4, 'a relist after the watch answered 410');
    api.watchStatus.delete('deployments');
    web.close();
  });

  it('opens the watch again from the last version seen when the server ends it, without a LIST', async () => {
    const api = new FakeWatchApi();
    api.lists.set('deployments', { items: [deployment(1, false)], resourceVersion: '10' });
    const { observer } = watched(api);
    const web = observer.subscribe('web');
    await observer.nextRead();
    const first = await api.watchOf('deployments');
    first.push(event('MODIFIED', deployment(1, true, '20')));
    first.push(event('BOOKMARK', { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { resourceVersion: '30' } }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    first.end();
    const second = await api.watchOf('deployments', 2);
    assert.equal(second.params.get('resourceVersion'), '30', 'from the bookmark');
    assert.equal(api.count('LIST deployments'), 1);
    // A stream that breaks (a network failure) is followed by a LIST after a pause.
    second.fail(new KubeRequestError('GET /apis/apps/v1/namespaces/apps/deployments failed while streaming: socket hang up', undefined));
    await api.watchOf('deployments', 3);
    assert.equal(api.count('LIST deployments'), 2);
    assert.equal(lastGeneration(web)?.ready, true);
    web.close();
  });

  it('a kind it may not list is a gap and never watched; one it may list but not watch is polled', async () => {
    const api = new FakeWatchApi();
    api.listStatus.set('daemonsets', 403);
    api.watchStatus.set('jobs', 403);
    api.lists.set('deployments', { items: [deployment(1, false)], resourceVersion: '10' });
    const { observer, modes } = watched(api, { intervalMs: 20 });
    const web = observer.subscribe('web');
    await observer.nextRead();
    await until(() => modes().Job === 'polling' && modes().DaemonSet === 'refused', 'Job polled, DaemonSet refused');
    await until(() => api.count('LIST jobs') >= 3, 'jobs polled every interval');
    assert.equal(api.count('LIST daemonsets'), 1, 'not asked again');
    assert.equal(api.count('WATCH daemonsets'), 0);
    assert.equal(api.count('WATCH jobs'), 1, 'the watch is not tried again');
    assert.deepEqual(web.current().gaps, ['DaemonSet: not allowed to list them in apps']);
    assert.deepEqual(web.current().workloads.map((w) => w.name), ['web'], 'the rest is still observed');
    web.close();
  });

  it('a client whose transport cannot stream polls every kind, its observation as complete', async () => {
    const api = new FakeWatchApi();
    api.lists.set('deployments', { items: [deployment(1, false)], resourceVersion: '10' });
    const { observer, modes } = watched({ send: (request) => api.send(request) } as FakeWatchApi, { intervalMs: 20 });
    const web = observer.subscribe('web');
    await observer.nextRead();
    await until(() => Object.values(modes()).every((m) => m === 'polling'), 'every kind polled');
    assert.deepEqual(web.current().workloads.map((w) => w.name), ['web']);
    web.close();
  });

  it('readOnce (the look after a failure) lists afresh: a rollback just done is seen', async () => {
    const api = new FakeWatchApi();
    api.lists.set('deployments', { items: [deployment(2, false)], resourceVersion: '10' });
    const { observer } = watched(api);
    const web = observer.subscribe('web');
    await observer.nextRead();
    api.lists.set('deployments', { items: [deployment(3, true, '70')], resourceVersion: '70' });
    const observation = await web.closeAfterLook();
    assert.deepEqual(observation.workloads[0]?.generations.map((g) => [g.state.generation, g.state.ready]), [[2, false], [3, true]]);
    assert.ok(api.streams.filter((s) => s.resource === 'deployments').every((s) => s.aborted), 'and then every watch ends');
  });

  it('keeps watching a little after the last release is done: the next one starts from the current view', async () => {
    const api = new FakeWatchApi();
    api.lists.set('deployments', { items: [deployment(2, true)], resourceVersion: '10' });
    const { observer } = watched(api, { lingerMs: 40 });
    const first = observer.subscribe('web');
    await observer.nextRead();
    await until(() => api.streams.length === 6, 'six watches');
    first.close();
    const requests = api.requests.length;
    const next = observer.subscribe('web');
    assert.deepEqual(next.current().workloads.map((w) => w.name), ['web'], 'the current view at once');
    assert.equal(api.requests.length, requests, 'no LIST, no new watch');
    assert.ok(api.streams.every((s) => !s.aborted));
    next.close();
    assert.ok(api.streams.every((s) => !s.aborted), 'still watching during the linger');
    await until(() => api.streams.every((s) => s.aborted), 'every watch aborted once the linger is over');
  });

  it('closing the last subscription aborts every watch and stops every request and timer', async () => {
    const api = new FakeWatchApi();
    const { observer } = watched(api, { intervalMs: 10, heartbeatMs: 10 });
    const a = observer.subscribe('a');
    const b = observer.subscribe('b');
    await observer.nextRead();
    await until(() => api.streams.length === 6, 'six watches');
    a.close();
    assert.ok(api.streams.every((s) => !s.aborted), 'b still watches');
    b.close();
    assert.ok(api.streams.every((s) => s.aborted), 'every watch aborted');
    const requests = api.requests.length;
    const reads = observer.stats.reads;
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(api.requests.length, requests, 'no request after the last close');
    assert.equal(observer.stats.reads, reads, 'no heartbeat after the last close');
  });
});
