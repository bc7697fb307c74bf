// The parts of list-then-watch below the observer: a watch's lines as events, the store they are
// applied to, what a failed watch calls for, and the transport's streaming of a response line by line
// (against a local HTTP server: no cluster).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeRequestError } from '../../src/errors.js';
import { lineSplitter, RestTransport } from '../../src/kube/rest-transport.js';
import type { KubeObject } from '../../src/kube/types.js';
import { applyWatchEvent, backoffMs, parseWatchLine, storeOf, watchTrouble, WatchUnsupportedError } from '../../src/kube/watch-events.js';

const event = (type: string, object: unknown) => JSON.stringify({ type, object });
const gone = event('ERROR', { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 10 (42)', reason: 'Expired', code: 410 });

function deployment(): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps', uid: 'd-web', resourceVersion: '10', managedFields: [{ manager: 'helm' }] }, spec: { replicas: 1 } };
}

function pod(name: string, uid = `pod-${name}`): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'apps', uid, resourceVersion: '10' }, status: { phase: 'Running' } };
}

describe('watch events (pure)', () => {
  it('reads a line as an event, giving the object the kind watched; an ERROR event is thrown with its code', () => {
    const parsed = parseWatchLine(event('MODIFIED', { metadata: { name: 'web', resourceVersion: '11' } }), 'apps/v1', 'Deployment', 'watching Deployment in apps');
    assert.deepEqual([parsed.type, parsed.object.kind, parsed.object.apiVersion], ['MODIFIED', 'Deployment', 'apps/v1']);
    assert.throws(() => parseWatchLine(gone, 'v1', 'Pod', 'watching Pod in apps'), (error: unknown) => error instanceof KubeRequestError && error.statusCode === 410 && /too old resource version/.test(error.message));
    assert.throws(() => parseWatchLine('{"type":"ADDED"', 'v1', 'Pod', 'w'), /not JSON \(15 characters\)/);
    assert.throws(() => parseWatchLine(event('SOMETHING', { metadata: {} }), 'v1', 'Pod', 'w'), /unexpected watch event \(type SOMETHING\)/);
  });

  it('applies events by uid (a pod made again under its name is another), dropping managedFields; a bookmark changes nothing', () => {
    const store = storeOf([deployment()]);
    assert.equal(store.get('d-web')?.metadata.managedFields, undefined);
    assert.equal(applyWatchEvent(store, { type: 'ADDED', object: pod('web-0') }), true);
    assert.equal(applyWatchEvent(store, { type: 'DELETED', object: pod('web-0') }), true);
    assert.equal(applyWatchEvent(store, { type: 'ADDED', object: pod('web-0', 'pod-web-0-b') }), true);
    assert.equal(applyWatchEvent(store, { type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: '', resourceVersion: '99' } } }), false);
    assert.equal(applyWatchEvent(store, { type: 'DELETED', object: pod('gone') }), false, 'deleting what is not there changes nothing');
    assert.deepEqual([...store.keys()], ['d-web', 'pod-web-0-b']);
  });

  it('says what a failed watch calls for, and backs off with jitter up to a ceiling', () => {
    assert.equal(watchTrouble(new KubeRequestError('gone', 410)), 'expired');
    assert.equal(watchTrouble(new KubeRequestError('forbidden', 403)), 'unavailable');
    assert.equal(watchTrouble(new WatchUnsupportedError('watching Pod in apps')), 'unavailable');
    assert.equal(watchTrouble(new KubeRequestError('socket hang up', undefined)), 'transient');
    assert.equal(watchTrouble(new KubeRequestError('etcd', 500)), 'transient');
    assert.deepEqual([1, 2, 3, 10].map((n) => backoffMs(n, () => 0.5)), [250, 500, 1000, 8000]);
    assert.equal(backoffMs(1, () => 0), 200);
  });

  it('splits a stream into lines across chunks, and UTF-8 characters cut between them', () => {
    const split = lineSplitter();
    const text = Buffer.from('{"a":"é"}\n{"b":2}\n{"c"');
    assert.deepEqual(split.push(text.subarray(0, 7)), []);
    assert.deepEqual(split.push(text.subarray(7)), ['{"a":"é"}', '{"b":2}']);
    assert.deepEqual(split.push(Buffer.from(':3}')), []);
    assert.deepEqual(split.end(), ['{"c":3}']);
  });
});

describe('RestTransport.stream', () => {
  let server: http.Server;
  let transport: RestTransport;
  const seen: { url: string; authorization: string | undefined }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      if (req.url?.includes('forbidden')) {
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 403, message: 'nope' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      // Lines cut across writes, as a watch's chunks come; the stream stays open unless asked to end.
      res.write('{"type":"ADDED","object":{"metadata":{"na');
      setTimeout(() => res.write('me":"a"}}}\n{"type":"MODIFIED","object":{"metadata":{"name":"a"}}}\n'), 5);
      if (req.url?.includes('end')) setTimeout(() => res.end(), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    transport = new RestTransport(config);
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('hands whole lines as they come, with the kubeconfig\'s credentials, and resolves when the server ends the response', async () => {
    const lines: string[] = [];
    const end = await transport.stream({ method: 'GET', path: '/watch?end=1' }, (line) => lines.push(line));
    assert.deepEqual(end, { status: 200, body: '' });
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { type: string }).type), ['ADDED', 'MODIFIED']);
    assert.equal(seen.at(-1)?.authorization, 'Bearer secret-token');
  });

  it('gives a refusal\'s body without a line; an abort ends the stream and the error names no credential', async () => {
    assert.equal((await transport.stream({ method: 'GET', path: '/forbidden' }, () => assert.fail('no line'))).status, 403);
    const abort = new AbortController();
    const lines: string[] = [];
    const streaming = transport.stream({ method: 'GET', path: '/watch', signal: abort.signal }, (line) => {
      lines.push(line);
      if (lines.length === 2) abort.abort();
    });
    const error = await streaming.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof Error, 'rejected on abort');
    assert.doesNotMatch(String(error), /secret-token/);
    // What the reader throws (an ERROR event) ends the stream with that error.
    const refused = await transport.stream({ method: 'GET', path: '/watch' }, () => { throw new KubeRequestError('too old', 410); }).catch((e: unknown) => e);
    assert.ok(refused instanceof KubeRequestError && refused.statusCode === 410);
  });
});
