// The KubeClient's REST side without a cluster: paths from discovery (cached), the exact JSON it sends
// and gives back, and the errors it makes of the server's answers. The transport is a scripted fake
// behind RestSender; the real one is exercised by the e2e tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeRequestError } from '../../src/errors.js';
import { NodeKubeClient } from '../../src/kube/client.js';
import { ApiDiscovery } from '../../src/kube/discovery.js';
import { applyBody, errorMessage, findResource, groupVersionPath, listItems, queryString, resourcePath, writeQuery } from '../../src/kube/rest-paths.js';
import { RestTransport, retryingOn429, type RestRequest, type RestResponse, type RestSender } from '../../src/kube/rest-transport.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const deployments = { name: 'deployments', kind: 'Deployment', namespaced: true };
const crds = { name: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false };

describe('REST paths', () => {
  it('places a kind under /api or /apis, and refuses what is no apiVersion', () => {
    assert.equal(groupVersionPath('v1'), '/api/v1');
    assert.equal(groupVersionPath('apps/v1'), '/apis/apps/v1');
    assert.throws(() => groupVersionPath('a/b/c'), /not an apiVersion/);
    assert.throws(() => groupVersionPath(''), /not an apiVersion/);
  });

  it('builds collection and object paths, namespaced or not', () => {
    assert.equal(resourcePath('apps/v1', deployments, { namespace: 'web', name: 'front' }), '/apis/apps/v1/namespaces/web/deployments/front');
    assert.equal(resourcePath('apps/v1', deployments, { namespace: 'web' }), '/apis/apps/v1/namespaces/web/deployments');
    assert.equal(resourcePath('apps/v1', deployments), '/apis/apps/v1/deployments', 'all namespaces');
    assert.equal(resourcePath('apiextensions.k8s.io/v1', crds, { namespace: 'ignored', name: 'a.b.c' }), '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/a.b.c');
    assert.equal(resourcePath('v1', { name: 'configmaps', kind: 'ConfigMap', namespaced: true }, { namespace: 'a b', name: 'x/y' }), '/api/v1/namespaces/a%20b/configmaps/x%2Fy');
  });

  it('finds the resource of a kind, never a subresource', () => {
    const list = { resources: [{ name: 'deployments/status', kind: 'Deployment', namespaced: true }, deployments] };
    assert.deepEqual(findResource(list, 'Deployment'), deployments);
    assert.equal(findResource(list, 'Pod'), undefined);
    assert.equal(findResource(undefined, 'Pod'), undefined);
  });

  it('writes the query of a write, with force only on an apply', () => {
    assert.equal(queryString({ a: 1, b: undefined, c: 'x y' }), '?a=1&c=x+y');
    assert.equal(queryString({}), '');
    assert.equal(writeQuery({ fieldManager: 'helmcycle' }), '?fieldManager=helmcycle');
    assert.equal(writeQuery({ fieldManager: 'helmcycle', force: true }), '?fieldManager=helmcycle');
    assert.equal(writeQuery({ fieldManager: 'helmcycle', force: true, dryRun: true }, true), '?fieldManager=helmcycle&dryRun=All&force=true');
    assert.equal(writeQuery({ fieldManager: 'm' }, true), '?fieldManager=m&force=false');
  });

  it('takes the bookkeeping of a live copy out of an apply body, and nothing else', () => {
    const live = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'a', labels: { l: '1' }, resourceVersion: '7', uid: 'u', managedFields: [{}], creationTimestamp: 't', generation: 2 }, data: { k: 'v' } };
    assert.deepEqual(applyBody(live), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'a', labels: { l: '1' } }, data: { k: 'v' } });
  });

  it("reads a Status answer's message, else the body, else the status", () => {
    assert.equal(errorMessage(422, JSON.stringify({ kind: 'Status', message: 'spec.x: Invalid value' })), 'spec.x: Invalid value');
    assert.equal(errorMessage(502, 'bad gateway\nmore'), 'bad gateway');
    assert.equal(errorMessage(500, ''), 'HTTP 500');
  });

  it("gives a built-in list's items their apiVersion and kind", () => {
    const items = listItems({ items: [{ metadata: { name: 'a' } }, { apiVersion: 'x/v1', kind: 'Y', metadata: { name: 'b' } }] }, 'v1', 'ConfigMap');
    assert.deepEqual(items.map((i) => [i.apiVersion, i.kind]), [['v1', 'ConfigMap'], ['x/v1', 'Y']]);
    assert.deepEqual(listItems({ items: null }, 'v1', 'Pod'), []);
  });
});

/** A scripted API server behind RestSender: discovery lists, objects by path, every request recorded. */
class FakeApi implements RestSender {
  requests: RestRequest[] = [];
  discovery = new Map<string, { resources: unknown[] }>([
    ['/api/v1', { resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true }, { name: 'namespaces', kind: 'Namespace', namespaced: false }] }],
    ['/apis/apiextensions.k8s.io/v1', { resources: [crds, { name: 'customresourcedefinitions/status', kind: 'CustomResourceDefinition', namespaced: false }] }],
  ]);
  answers = new Map<string, RestResponse>();

  async send(request: RestRequest): Promise<RestResponse> {
    this.requests.push(structuredClone(request));
    const path = request.path.split('?')[0]!;
    const list = request.method === 'GET' ? this.discovery.get(path) : undefined;
    if (list) return { status: 200, body: JSON.stringify(list) };
    const answer = this.answers.get(`${request.method} ${path}`);
    if (answer) return answer;
    if (request.method === 'PATCH' || request.method === 'POST' || request.method === 'PUT') return { status: 200, body: JSON.stringify(request.body) };
    return { status: 404, body: JSON.stringify({ kind: 'Status', code: 404, message: 'not found' }) };
  }

  paths(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }
}

function clientWith(api: FakeApi): NodeKubeClient {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: 'team' }],
    currentContext: 'x',
  });
  return new NodeKubeClient(config, api);
}

/** A CRD with every key a typed serializer would drop. */
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'probes.monitoring.crdfix.helmcycle.dev' },
  spec: {
    group: 'monitoring.crdfix.helmcycle.dev',
    names: { kind: 'Probe', plural: 'probes' },
    scope: 'Namespaced',
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'true' }], properties: {
        module: { type: 'string', enum: ['http_2xx', 'icmp'], default: 'http_2xx' },
        port: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
        targets: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      } } } } },
    }],
  },
};

describe('NodeKubeClient over REST', () => {
  it('asks access reviews, access rules and the version over REST, as plain JSON (no generated API client is loaded for them)', async () => {
    const api = new FakeApi();
    api.answers.set('GET /version', { status: 200, body: JSON.stringify({ gitVersion: 'v1.33.1', major: '1' }) });
    api.answers.set('POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { status: 201, body: JSON.stringify({ status: { allowed: false, reason: 'no RBAC policy matched' } }) });
    api.answers.set('POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
      status: 201,
      body: JSON.stringify({ status: { incomplete: true, resourceRules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }, { verbs: ['*'] }] } }),
    });
    const client = clientWith(api);
    assert.equal(await client.serverVersion(), 'v1.33.1');
    assert.deepEqual(await client.canI({ verb: 'create', resource: 'leases', group: 'coordination.k8s.io', namespace: 'web' }), { allowed: false, reason: 'no RBAC policy matched' });
    assert.deepEqual(await client.canI({ verb: 'list', resource: 'namespaces' }), { allowed: false, reason: 'no RBAC policy matched' });
    assert.deepEqual(await client.reviewRules('web'), {
      resourceRules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'], resourceNames: [] }, { verbs: ['*'], apiGroups: [], resources: [], resourceNames: [] }],
      incomplete: true,
    });
    assert.deepEqual(api.requests.map((r) => [r.method, r.path, r.body]), [
      ['GET', '/version', undefined],
      ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'create', resource: 'leases', group: 'coordination.k8s.io', namespace: 'web' } } }],
      ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'list', resource: 'namespaces', group: '' } } }],
      ['POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'web' } }],
    ]);
  });

  it('names what was asked when an access review is refused, and does not retry a definite answer', async () => {
    const api = new FakeApi();
    api.answers.set('POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { status: 403, body: JSON.stringify({ kind: 'Status', code: 403, message: 'selfsubjectaccessreviews is forbidden' }) });
    await assert.rejects(clientWith(api).canI({ verb: 'get', resource: 'secrets', namespace: 'web' }), (error: unknown) => {
      assert.ok(error instanceof KubeRequestError);
      assert.equal(error.statusCode, 403);
      assert.match(error.message, /checking access to get secrets failed \(HTTP 403\): selfsubjectaccessreviews is forbidden/);
      return true;
    });
    assert.equal(api.requests.length, 1);
  });

  it('sends a server-side apply as the object itself, and returns the answer as it came', async () => {
    const api = new FakeApi();
    const applied = await clientWith(api).applyObject(structuredClone(crd), { fieldManager: 'helmcycle', force: true });
    const sent = api.requests.at(-1)!;
    assert.equal(`${sent.method} ${sent.path}`, 'PATCH /apis/apiextensions.k8s.io/v1/customresourcedefinitions/probes.monitoring.crdfix.helmcycle.dev?fieldManager=helmcycle&force=true');
    assert.equal(sent.contentType, 'application/apply-patch+yaml');
    assert.deepEqual(sent.body, crd, 'every enum, default and x-kubernetes-* key is sent');
    assert.deepEqual(applied, crd, 'and every key of the answer is kept');
  });

  it('asks discovery once per group/version, and again only for a kind it did not know', async () => {
    const api = new FakeApi();
    const kube = clientWith(api);
    await kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'x' });
    await kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', name: 'b', namespace: 'x' });
    await kube.createObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } });
    assert.deepEqual(api.paths(), [
      'GET /api/v1',
      'GET /api/v1/namespaces/x/configmaps/a',
      'GET /api/v1/namespaces/x/configmaps/b',
      'POST /api/v1/namespaces/team/configmaps?fieldManager=helmcycle',
    ], "one discovery call; a namespaced object without a namespace goes to the context's namespace");

    // A kind established after the first look (a new CRD's) is found by asking again.
    api.discovery.set('/apis/monitoring.crdfix.helmcycle.dev/v1', { resources: [] });
    assert.equal(await kube.getObject({ apiVersion: 'monitoring.crdfix.helmcycle.dev/v1', kind: 'Probe', name: 'p', namespace: 'x' }), undefined, 'not served yet: absent');
    api.discovery.set('/apis/monitoring.crdfix.helmcycle.dev/v1', { resources: [{ name: 'probes', kind: 'Probe', namespaced: true }] });
    api.answers.set('GET /apis/monitoring.crdfix.helmcycle.dev/v1/namespaces/x/probes/p', { status: 200, body: JSON.stringify({ apiVersion: 'monitoring.crdfix.helmcycle.dev/v1', kind: 'Probe', metadata: { name: 'p' }, spec: { module: 'icmp' } }) });
    assert.deepEqual((await kube.getObject({ apiVersion: 'monitoring.crdfix.helmcycle.dev/v1', kind: 'Probe', name: 'p', namespace: 'x' }))?.spec, { module: 'icmp' });
  });

  it('answers 404 as absent where absence is an answer, and anything else as a typed error with its status', async () => {
    const api = new FakeApi();
    const kube = clientWith(api);
    assert.equal(await kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', name: 'gone', namespace: 'x' }), undefined);
    await kube.deleteObject({ apiVersion: 'v1', kind: 'ConfigMap', name: 'gone', namespace: 'x' });
    assert.deepEqual(await kube.listObjects('no.such.group/v1', 'Thing'), [], 'a kind not served has no objects');
    assert.equal(await kube.namespaceExists('nope'), false);

    api.answers.set('POST /api/v1/namespaces/x/configmaps', { status: 422, body: JSON.stringify({ kind: 'Status', code: 422, message: 'ConfigMap "c" is invalid: data: Too long' }) });
    await assert.rejects(kube.createObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'x' } }), (error: unknown) =>
      error instanceof KubeRequestError && error.statusCode === 422 && error.message === 'creating ConfigMap x/c failed (HTTP 422): ConfigMap "c" is invalid: data: Too long');
    api.answers.set('GET /api/v1/namespaces/x/configmaps/secret', { status: 403, body: JSON.stringify({ kind: 'Status', code: 403, message: 'configmaps "secret" is forbidden: User "dev" cannot get resource' }) });
    await assert.rejects(kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', name: 'secret', namespace: 'x' }), (error: unknown) => error instanceof KubeRequestError && error.statusCode === 403);
    await assert.rejects(kube.applyObject({ apiVersion: 'no.such.group/v1', kind: 'Thing', metadata: { name: 't' } }, { fieldManager: 'helmcycle' }), (error: unknown) =>
      error instanceof KubeRequestError && error.statusCode === 404 && /no matches for kind "Thing" in version "no.such.group\/v1"/.test(error.message));
  });

  it('deletes in the background, patches as a merge patch, and lists with kinds filled in', async () => {
    const api = new FakeApi();
    const kube = clientWith(api);
    api.answers.set('DELETE /api/v1/namespaces/x/configmaps/a', { status: 200, body: '{}' });
    await kube.deleteObject({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'x' });
    assert.deepEqual(api.requests.at(-1)!.body, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
    await kube.patchObject({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'x' }, { metadata: { labels: { a: 'b' } } });
    assert.equal(api.requests.at(-1)!.contentType, 'application/merge-patch+json');
    assert.deepEqual(api.requests.at(-1)!.body, { metadata: { labels: { a: 'b' } } });
    api.answers.set('GET /api/v1/configmaps', { status: 200, body: JSON.stringify({ kind: 'ConfigMapList', items: [{ metadata: { name: 'a', namespace: 'x' } }] }) });
    assert.deepEqual(await kube.listObjects('v1', 'ConfigMap'), [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' } }]);
  });
});

describe('ApiDiscovery', () => {
  it('forgets a failed look-up, so the next question asks again', async () => {
    let fail = true;
    const discovery = new ApiDiscovery({
      async send() {
        if (fail) return { status: 503, body: 'unavailable' };
        return { status: 200, body: JSON.stringify({ resources: [deployments] }) };
      },
    });
    await assert.rejects(discovery.resourceFor('apps/v1', 'Deployment'), (error: unknown) => error instanceof KubeRequestError && error.statusCode === 503);
    fail = false;
    assert.deepEqual(await discovery.resourceFor('apps/v1', 'Deployment'), deployments);
  });
});

describe('retryingOn429', () => {
  it('asks again after a 429 until another answer comes, and gives up after the attempts', async () => {
    const answers: RestResponse[] = [{ status: 429, body: 'storage is (re)initializing', retryAfterSeconds: 1 }, { status: 429, body: 'again' }, { status: 200, body: '{}' }];
    let calls = 0;
    const sender = retryingOn429({ async send() { calls++; return answers.shift()!; } }, { maxWaitMs: 1 });
    assert.equal((await sender.send({ method: 'GET', path: '/x' })).status, 200);
    assert.equal(calls, 3);

    calls = 0;
    const busy = retryingOn429({ async send() { calls++; return { status: 429, body: 'busy' }; } }, { attempts: 3, maxWaitMs: 1 });
    assert.equal((await busy.send({ method: 'GET', path: '/x' })).status, 429);
    assert.equal(calls, 3);
  });
});

describe('RestTransport credentials', () => {
  it('applies the kubeconfig credentials once per 10 s, and afresh at once after a 401', async () => {
    let accepted = 'Bearer token-1';
    const seen: string[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers.authorization ?? '');
      response.writeHead(request.headers.authorization === accepted ? 200 : 401).end('{}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      let applied = 0;
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: false }],
        users: [{ name: 'u' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      // What client-node does per call: read files, refresh a token; counted here.
      config.applyToHTTPSOptions = async (options) => {
        applied++;
        options.headers = { ...options.headers, Authorization: `Bearer token-${applied}` };
      };
      let clock = 0;
      const transport = new RestTransport(config, () => clock);
      for (let i = 0; i < 3; i++) assert.equal((await transport.send({ method: 'GET', path: '/version' })).status, 200);
      assert.equal(applied, 1, 'three calls, one reading of the credentials');
      clock = 10_000;
      accepted = 'Bearer token-2';
      assert.equal((await transport.send({ method: 'GET', path: '/version' })).status, 200);
      assert.equal(applied, 2, 'read again once they are 10 s old');
      accepted = 'Bearer token-3'; // rotated before the kept ones are 10 s old
      assert.equal((await transport.send({ method: 'GET', path: '/version' })).status, 200);
      assert.equal(applied, 3);
      assert.deepEqual(seen, ['Bearer token-1', 'Bearer token-1', 'Bearer token-1', 'Bearer token-2', 'Bearer token-2', 'Bearer token-3']);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});
