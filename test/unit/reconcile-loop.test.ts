// The reconcile loop driven by a virtual clock and fake sources and appliers: interval runs, a failing
// chart's capped exponential backoff while the rest keeps its interval, a new revision forgiving the
// failures and re-reading the stack, the webhook trigger, a follower never applying, and a stop letting
// the run in flight finish.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReconcileLoop, type LoopClock } from '../../src/reconcile/loop.js';
import type { SourceSnapshot, StackSource } from '../../src/reconcile/source.js';
import type { ChartRunSummary, ReconcileRun } from '../../src/reconcile/types.js';

/** Time jumps by each sleep (or stops at an abort); everything else is instant. */
function virtualClock(): LoopClock & { time: number } {
  const clock = {
    time: 0,
    now: () => clock.time,
    sleep: async (ms: number, signal: AbortSignal) => {
      await new Promise((r) => setImmediate(r));
      if (!signal.aborted) clock.time += ms;
    },
  };
  return clock;
}

class FakeSource implements StackSource {
  readonly describe = 'fake';
  revision = 'r1';
  syncs = 0;
  async sync(): Promise<SourceSnapshot> {
    this.syncs++;
    return { file: '/stack/helmcycle.yaml', revision: this.revision };
  }
}

interface Applied { at: number; only: readonly string[] | undefined; charts: string[]; revision: string }

function harness(opts: { charts: string[]; failing?: Set<string>; intervalMs?: number; leader?: () => boolean; stopAfter: number; onApply?: (n: number, loop: ReconcileLoop<{ charts: string[] }>) => void | Promise<void> }) {
  const clock = virtualClock();
  const source = new FakeSource();
  const applied: Applied[] = [];
  const loads: string[] = [];
  const runs: ReconcileRun[] = [];
  const controller = new AbortController();
  const loop: ReconcileLoop<{ charts: string[] }> = new ReconcileLoop({
    source,
    clock,
    intervalMs: opts.intervalMs ?? 1_000,
    backoff: { initialMs: 2_000, factor: 2, maxMs: 8_000, jitter: 0 },
    isLeader: opts.leader ?? (() => true),
    runSignal: () => controller.signal,
    load: async (_file, revision) => {
      loads.push(revision);
      return { charts: opts.charts };
    },
    apply: async (stack, only, revision) => {
      const charts = only ? [...only] : [...stack.charts];
      applied.push({ at: clock.time, only, charts, revision });
      await opts.onApply?.(applied.length, loop);
      if (applied.length >= opts.stopAfter) loop.stop();
      return charts.map((name): ChartRunSummary => ({ name, status: opts.failing?.has(name) ? 'failed' : 'succeeded', changed: false, driftRepaired: 0 }));
    },
    onRun: (run) => runs.push(run),
  });
  return { loop, clock, source, applied, loads, runs };
}

describe('reconcile loop', () => {
  it('applies every interval, reading the stack once while the revision stays', async () => {
    const h = harness({ charts: ['web'], stopAfter: 4 });
    await h.loop.run();
    assert.deepEqual(h.applied.map((a) => a.at), [0, 1_000, 2_000, 3_000]);
    assert.deepEqual(h.loads, ['r1']);
    assert.deepEqual(h.runs.map((r) => r.trigger), ['start', 'interval', 'interval', 'interval']);
    assert.ok(h.loop.firstRunDone && h.loop.sourceRead);
  });

  it('retries a failing chart with capped exponential backoff while the others keep the interval', async () => {
    const h = harness({ charts: ['web', 'broken'], failing: new Set(['broken']), stopAfter: 24 });
    await h.loop.run();
    const brokenAt = h.applied.filter((a) => a.charts.includes('broken')).map((a) => a.at);
    // 2s, 4s, then 8s (the cap), 8s.
    assert.deepEqual(brokenAt, [0, 2_000, 6_000, 14_000, 22_000]);
    assert.deepEqual(h.applied.filter((a) => a.charts.includes('web')).map((a) => a.at), Array.from({ length: 24 }, (_, i) => i * 1_000));
    assert.equal(h.loop.failuresOf('broken'), 5);
    assert.deepEqual(h.applied[1]!.only, ['web'], 'a chart waiting out its backoff is left out of the run');
  });

  it('reads the stack again on a new revision and tries a failing chart at once', async () => {
    const h = harness({
      charts: ['web', 'broken'], failing: new Set(['broken']), stopAfter: 4,
      onApply: (n, _loop) => { if (n === 2) h.source.revision = 'r2'; },
    });
    await h.loop.run();
    assert.deepEqual(h.loads, ['r1', 'r2']);
    const third = h.applied[2]!;
    assert.deepEqual([third.at, third.revision, third.only], [2_000, 'r2', undefined], 'the new revision runs every chart, the failing one too');
    assert.equal(h.runs[2]!.trigger, 'source');
  });

  it('runs at once on a trigger (the webhook), not waiting for the interval', async () => {
    const h = harness({ charts: ['web'], intervalMs: 60_000, stopAfter: 2, onApply: (n, loop) => { if (n === 1) setImmediate(() => loop.trigger('webhook')); } });
    await h.loop.run();
    assert.equal(h.runs[1]!.trigger, 'webhook');
    assert.ok(h.applied[1]!.at < 60_000, `ran at ${h.applied[1]!.at}`);
  });

  it('a follower never applies; it starts once it leads', async () => {
    let leader = false;
    const h = harness({ charts: ['web'], stopAfter: 1, leader: () => leader });
    const running = h.loop.run();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(h.applied.length, 0);
    assert.equal(h.source.syncs, 0, 'a follower does not even fetch');
    leader = true;
    h.loop.trigger('start');
    await running;
    assert.equal(h.applied.length, 1);
  });

  it('a stop lets the run in flight finish and starts nothing after it', async () => {
    let release!: () => void;
    const h = harness({ charts: ['web'], stopAfter: 99, onApply: (n, loop) => { if (n === 1) { loop.stop(); return new Promise<void>((r) => (release = r)); } } });
    const running = h.loop.run();
    while (!release) await new Promise((r) => setImmediate(r));
    let done = false;
    void running.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false, 'the loop waits for the run in flight');
    release();
    await running;
    assert.equal(h.applied.length, 1);
    assert.equal(h.runs.length, 1);
  });

  it('records a source that cannot be read as the run error, and applies nothing', async () => {
    const h = harness({ charts: ['web'], stopAfter: 1 });
    let calls = 0;
    h.source.sync = async () => { if (++calls === 1) throw new Error('git fetch failed'); return { file: 'f', revision: 'r1' }; };
    await h.loop.run();
    assert.equal(h.runs[0]!.error, 'git fetch failed');
    assert.equal(h.runs[1]!.ok, true);
  });
});
