import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyFailure } from '../../src/failures/classify.js';
import { HelmCommandError } from '../../src/helm/errors.js';
import { repeatableAfter } from '../../src/helm/repeatable.js';
import { retryTransient } from '../../src/retry/retry.js';
import { backoffDelay, backoffSchedule, DEFAULT_BACKOFF, transientReason } from '../../src/retry/transient.js';

describe('transient errors', () => {
  const transient: [string, number | undefined, string][] = [
    ['Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:6443/version": dial tcp 127.0.0.1:6443: connect: connection refused', undefined, 'connection refused'],
    ['request to https://127.0.0.1:6443/api/v1/namespaces failed, reason: connect ECONNREFUSED 127.0.0.1:6443', undefined, 'connection refused'],
    ['Get "https://10.0.0.1:6443/api": net/http: TLS handshake timeout', undefined, 'TLS handshake timeout'],
    ['the server has received too many requests and has asked us to try again later', undefined, 'throttled (HTTP 429)'],
    ['', 429, 'throttled (HTTP 429)'],
    ['', 503, 'API server unavailable (HTTP 503)'],
    ['etcdserver: request timed out', 500, 'etcd unavailable'],
    ['Error: UPGRADE FAILED: etcdserver: leader changed', undefined, 'etcd unavailable'],
    ['the server was unable to return a response in the time allotted, but may still be processing the request', 504, 'API server timeout (HTTP 504)'],
    ['read tcp 127.0.0.1:5000->127.0.0.1:6443: read: connection reset by peer', undefined, 'connection reset'],
  ];
  for (const [text, status, reason] of transient) {
    it(`is transient: ${reason} (${text.slice(0, 40) || status})`, () => assert.equal(transientReason(text, status), reason));
  }
  const lasting: [string, number | undefined][] = [
    ['Error: UPGRADE FAILED: context deadline exceeded', undefined],
    ['template: web/templates/cm.yaml:3: unexpected EOF', undefined],
    ['configmaps "x" is forbidden: User "dev" cannot create resource', 403],
    ['connection refused (as written by a webhook, but the server answered)', 400],
    ['Internal error occurred: failed calling webhook', 500],
    ['field is immutable', 422],
  ];
  for (const [text, status] of lasting) it(`is not transient: ${text.slice(0, 40)}`, () => assert.equal(transientReason(text, status), undefined));
});

describe('backoff', () => {
  it('doubles from 0.5 s up to 8 s, shortened by jitter', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n)), [500, 1000, 2000, 4000, 8000, 8000, 8000]);
    assert.equal(backoffDelay(2, DEFAULT_BACKOFF, 0.5), 900);
  });

  it('fits the whole schedule in the budget', () => {
    assert.deepEqual(backoffSchedule(0), []);
    assert.deepEqual(backoffSchedule(4000), [500, 1000, 2000]);
    const waits = backoffSchedule(300_000);
    assert.ok(waits.reduce((a, b) => a + b, 0) <= 300_000);
    assert.equal(waits.length, 4 + Math.floor((300_000 - 7500) / 8000));
  });
});

describe('retryTransient', () => {
  const fakeClock = () => {
    let now = 0;
    const slept: number[] = [];
    return { slept, now: () => now, sleep: async (ms: number) => { slept.push(ms); now += ms; } };
  };

  it('repeats a transient failure until it passes', async () => {
    const clock = fakeClock();
    let calls = 0;
    const value = await retryTransient(async () => {
      calls++;
      if (calls < 3) throw new Error('connect ECONNREFUSED');
      return 'ok';
    }, { transient: (e) => transientReason(String(e)), budgetMs: 60_000, random: () => 0, ...clock });
    assert.equal(value, 'ok');
    assert.deepEqual(clock.slept, [500, 1000]);
  });

  it('throws a lasting failure at once, and a transient one when the budget is spent', async () => {
    const clock = fakeClock();
    await assert.rejects(retryTransient(async () => { throw new Error('field is immutable'); }, { transient: (e) => transientReason(String(e)), budgetMs: 60_000, ...clock }), /immutable/);
    assert.deepEqual(clock.slept, []);
    let calls = 0;
    await assert.rejects(retryTransient(async () => { calls++; throw new Error('TLS handshake timeout'); }, { transient: (e) => transientReason(String(e)), budgetMs: 4000, random: () => 0, ...clock }), /TLS/);
    assert.equal(calls, 4, 'three waits of 0.5, 1 and 2 s fit in 4 s');
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    await assert.rejects(retryTransient(async () => { calls++; controller.abort(); throw new Error('connection refused'); }, { transient: () => 'x', budgetMs: 60_000, signal: controller.signal }), /refused/);
    assert.equal(calls, 1);
  });
});

describe('helm commands safe to repeat', () => {
  const unreachable = 'Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:1/version": dial tcp: connect: connection refused';
  it('repeats reads, renders and dry runs whatever failed', () => {
    for (const argv of [['get', 'manifest', 'web'], ['status', 'web'], ['history', 'web'], ['show', 'chart', 'x'], ['template', 'web', 'x'], ['repo', 'add', 'a', 'u'], ['upgrade', '--install', 'web', 'x', '--dry-run=server']]) {
      assert.equal(repeatableAfter(argv, 'Error: etcdserver: request timed out'), true, argv.join(' '));
    }
  });
  it('repeats an upgrade only when helm failed before it changed anything', () => {
    assert.equal(repeatableAfter(['upgrade', '--install', 'web', 'x'], unreachable), true);
    assert.equal(repeatableAfter(['upgrade', '--install', 'web', 'x'], 'Error: query: failed to query with labels: Get "https://x/api/v1/namespaces/a/secrets": connection refused'), true);
    assert.equal(repeatableAfter(['upgrade', '--install', 'web', 'x'], 'Error: UPGRADE FAILED: query: failed to query with labels: connection refused'), false);
    assert.equal(repeatableAfter(['upgrade', '--install', 'web', 'x'], 'Error: UPGRADE FAILED: etcdserver: request timed out'), false);
    assert.equal(repeatableAfter(['rollback', 'web', '2'], unreachable), false);
    assert.equal(repeatableAfter(['uninstall', 'web'], unreachable), false);
  });
});

describe('classification', () => {
  it('keeps a transient failure in `other`, with a note', () => {
    const error = new HelmCommandError('HELM_COMMAND_FAILED', 'helm upgrade failed: Kubernetes cluster unreachable', {
      argv: ['upgrade'], exitCode: 1, stderrTail: 'Error: Kubernetes cluster unreachable: dial tcp: connect: connection refused', durationMs: 1, timedOut: false, cancelled: false,
    });
    const report = classifyFailure(error);
    assert.equal(report.class, 'other');
    assert.match(report.summary, /transient API error \(connection refused\)/);
  });
});
