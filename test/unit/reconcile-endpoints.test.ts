// reconcile's HTTP endpoints, metrics, records and notifications: readiness as the loop reports it, the
// webhook (POST only, its token when one is set), every metric named helmcycle_*, the status and Events
// a run leaves on the inventory, and a notification masked and retried.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ReconcileMetrics } from '../../src/reconcile/metrics.js';
import { notificationText, notify } from '../../src/reconcile/notify.js';
import { eventsOf, formatReconcileStatus, nextStatus } from '../../src/reconcile/records.js';
import { listen, parseListen } from '../../src/reconcile/server.js';
import type { ReconcileRun } from '../../src/reconcile/types.js';
import { createMasker } from '../../src/secrets/masker.js';

const failedRun: ReconcileRun = {
  revision: '0123456789abcdef0123', trigger: 'interval', startedAt: 1_700_000_000_000, durationMs: 2_000, ok: false,
  charts: [
    { name: 'web', status: 'succeeded', changed: true, driftRepaired: 1, durationMs: 900 },
    { name: 'db', status: 'failed', changed: false, driftRepaired: 0, failureClass: 'chart-not-found', message: 'password hunter2 rejected' },
  ],
};

describe('reconcile endpoints', () => {
  it('parses --listen, a bare port on loopback only', () => {
    assert.deepEqual(parseListen('0.0.0.0:8080'), { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(parseListen('8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListen('[::1]:9'), { host: '::1', port: 9 });
    assert.throws(() => parseListen('localhost'), /not host:port/);
  });

  it('serves health, readiness, metrics and the webhook', async () => {
    let ready = false;
    let triggered = 0;
    const metrics = new ReconcileMetrics();
    metrics.record(failedRun, (chart) => (chart === 'db' ? 3 : 0));
    const server = await listen('127.0.0.1:0', {
      ready: () => ({ ready, reason: ready ? 'ok' : 'first run not finished' }),
      metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
      trigger: () => triggered++,
      webhookToken: 's3cret',
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      assert.equal((await fetch(`${url}/readyz`)).status, 503);
      ready = true;
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const text = await (await fetch(`${url}/metrics`)).text();
      const names = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]!));
      assert.ok(names.size > 10);
      for (const name of names) assert.match(name, /^helmcycle_/);
      assert.match(text, /helmcycle_chart_failures_total\{chart="db",class="chart-not-found"\} 1/);
      assert.match(text, /helmcycle_chart_consecutive_failures\{chart="db"\} 3/);
      assert.match(text, /helmcycle_chart_last_success_timestamp_seconds\{chart="web"\} 1700000002/);
      assert.match(text, /helmcycle_drift_repaired_total\{chart="web"\} 1/);
      assert.doesNotMatch(text, /hunter2/);
      assert.equal((await fetch(`${url}/hooks/source`)).status, 405);
      assert.equal((await fetch(`${url}/hooks/source`, { method: 'POST' })).status, 401);
      assert.equal((await fetch(`${url}/hooks/source`, { method: 'POST', headers: { 'x-helmcycle-token': 'wrong!' } })).status, 401);
      assert.equal(triggered, 0);
      assert.equal((await fetch(`${url}/hooks/source`, { method: 'POST', headers: { authorization: 'Bearer s3cret' } })).status, 202);
      assert.equal(triggered, 1);
    } finally {
      server.close();
    }
  });

  it('leaves a status and Events: each chart outcome, the revision, the failure class', () => {
    const status = nextStatus({ lastRun: 'x', trigger: 'start', revision: 'old', ok: true, charts: { web: { status: 'succeeded', lastSuccess: 'earlier' }, db: { status: 'succeeded', lastSuccess: 'earlier' }, gone: { status: 'succeeded' } } }, failedRun);
    assert.equal(status.revision, failedRun.revision);
    assert.deepEqual(status.charts.db, { status: 'failed', failureClass: 'chart-not-found', lastSuccess: 'earlier' });
    assert.equal(status.charts.web!.lastSuccess, new Date(1_700_000_002_000).toISOString());
    const events = eventsOf(failedRun);
    assert.deepEqual(events.map(([type, reason]) => `${type}/${reason}`), ['Warning/ChartFailed', 'Normal/Applied']);
    assert.match(events[0]![2], /chart db \[chart-not-found\]/);
    assert.match(formatReconcileStatus(status), /^reconcile: last run .* \(interval\) at revision 0123456789ab: FAILED\n  db: failed \[chart-not-found\], last success earlier\n/);
    assert.deepEqual(eventsOf({ ...failedRun, ok: true, charts: [{ name: 'web', status: 'succeeded', changed: false, driftRepaired: 0 }] }), [], 'a quiet run leaves no Event');
  });

  it("keeps the line of a stack chart the run did not touch (backoff), drops a chart gone from the stack", () => {
    const previous = { lastRun: 'x', trigger: 'start', revision: 'old', ok: false, charts: { web: { status: 'succeeded' }, waiting: { status: 'failed', failureClass: 'other' }, removed: { status: 'failed' }, 'ns/api (prune)': { status: 'succeeded' } } };
    const run: ReconcileRun = { ...failedRun, ok: true, charts: [{ name: 'web', status: 'succeeded', changed: false, driftRepaired: 0 }], stackCharts: ['web', 'waiting'] };
    assert.deepEqual(Object.keys(nextStatus(previous, run).charts).sort(), ['waiting', 'web']);
    // A run that could not read its stack knows no charts: it drops nothing.
    assert.deepEqual(Object.keys(nextStatus(previous, { ...failedRun, charts: [], error: 'source unreadable' }).charts).sort(), ['ns/api (prune)', 'removed', 'waiting', 'web']);
  });

  it('notifies with Slack-compatible text, masked, retrying a server error', async () => {
    const bodies: string[] = [];
    let calls = 0;
    const send = (async (_url: string, init: RequestInit) => {
      bodies.push(String(init.body));
      return new Response('', { status: ++calls < 3 ? 503 : 200 });
    }) as typeof fetch;
    const ok = await notify('https://hooks.example/x', failedRun, 'shop', createMasker(['hunter2']), () => undefined, { send, sleep: async () => undefined });
    assert.equal(ok, true);
    assert.equal(calls, 3);
    const body = JSON.parse(bodies[0]!) as { text: string };
    assert.match(body.text, /helmcycle reconcile shop at 0123456789ab \(interval\): 1 chart\(s\) FAILED/);
    assert.match(body.text, /db failed \[chart-not-found\]/);
    assert.doesNotMatch(bodies.join(''), /hunter2/);
    assert.match(notificationText(failedRun, 'shop'), /web changed, 1 drifted object/);
    let refused = 0;
    const gone = (async () => { refused++; return new Response('', { status: 404 }); }) as typeof fetch;
    assert.equal(await notify('https://hooks.example/x', failedRun, 'shop', createMasker([]), () => undefined, { send: gone, sleep: async () => undefined }), false);
    assert.equal(refused, 1, 'a 404 is not retried');
  });
});
