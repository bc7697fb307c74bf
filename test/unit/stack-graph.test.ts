import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StackConfigError } from '../../src/errors.js';
import { buildGraph, findCycle, restrictGraph, reverseGraph, topologicalOrder } from '../../src/stack/graph.js';
import { layerChart, mergeLayer } from '../../src/stack/merge.js';
import { runGraph } from '../../src/stack/scheduler.js';
import { selectCharts } from '../../src/stack/select.js';

const nodes = [
  { name: 'a', needs: [] },
  { name: 'b', needs: ['a'] },
  { name: 'c', needs: ['a'] },
  { name: 'd', needs: ['b', 'c'] },
];

describe('stack graph', () => {
  it('orders charts after what they need, ties in declaration order', () => {
    assert.deepEqual(topologicalOrder(buildGraph(nodes)), ['a', 'b', 'c', 'd']);
    assert.deepEqual(topologicalOrder(reverseGraph(buildGraph(nodes))), ['d', 'c', 'b', 'a']);
  });

  it('names the cycle, the unknown need and duplicate names', () => {
    assert.deepEqual(findCycle([{ name: 'x', needs: ['y'] }, { name: 'y', needs: ['z'] }, { name: 'z', needs: ['x'] }]), ['x', 'y', 'z', 'x']);
    assert.throws(() => buildGraph([{ name: 'x', needs: ['y'] }, { name: 'y', needs: ['x'] }], 'stack.yaml'), (e: Error) => {
      assert.ok(e instanceof StackConfigError);
      assert.equal(e.message, "stack.yaml: the charts' needs form a cycle: x → y → x\n  - needs: each chart on the cycle waits for the next: remove one of these needs");
      return true;
    });
    assert.throws(() => buildGraph([{ name: 'x', needs: ['nope'] }]), /chart 'x' needs 'nope', which is not a chart of this stack\n {2}- needs: unknown chart 'nope'; known: x/);
    assert.throws(() => buildGraph([{ name: 'x', needs: [] }, { name: 'x', needs: [] }]), /two charts are named 'x'/);
  });

  it('walks a needs chain far deeper than the call stack without recursion (issue 24, item 13)', () => {
    // Each chart needs the next one, so a depth-first search goes the whole chain deep.
    const depth = 60_000;
    const chain = Array.from({ length: depth }, (_, i) => ({ name: `c${i}`, needs: i < depth - 1 ? [`c${i + 1}`] : [] }));
    assert.equal(findCycle(chain), undefined);
    const graph = buildGraph(chain, 'stack.yaml');
    const order = topologicalOrder(graph);
    assert.equal(order.length, depth);
    assert.equal(order[0], `c${depth - 1}`);
    assert.equal(order[depth - 1], 'c0');
    const closed = [...chain.slice(0, -1), { name: `c${depth - 1}`, needs: ['c0'] }];
    assert.equal(findCycle(closed)?.length, depth + 1);
  });

  it('names the first charts of a long cycle and how many there are, in a message a screen can hold', () => {
    const size = 2_000;
    const ring = Array.from({ length: size }, (_, i) => ({ name: `chart-number-${i}`, needs: [`chart-number-${(i + 1) % size}`] }));
    assert.throws(() => buildGraph(ring, 'stack.yaml'), (e: Error) => {
      assert.ok(e instanceof StackConfigError);
      assert.ok(e.message.length < 1_000, `${e.message.length} characters`);
      assert.match(e.message, /form a cycle: chart-number-0 → chart-number-1 → .* → chart-number-9 → … \(2000 charts in all\) → chart-number-0\n/);
      return true;
    });
    const many = Array.from({ length: size }, (_, i) => ({ name: `chart-number-${i}`, needs: i === 0 ? ['nope'] : [] }));
    assert.throws(() => buildGraph(many), (e: Error) => {
      assert.ok(e.message.length < 1_000, `${e.message.length} characters`);
      assert.match(e.message, /known: chart-number-0, .*chart-number-9, … and 1990 more/);
      return true;
    });
  });

  it('drops needs on charts left out of a selection', () => {
    const graph = restrictGraph(buildGraph(nodes), new Set(['b', 'd']));
    assert.deepEqual(graph.names, ['b', 'd']);
    assert.deepEqual(graph.waitsFor.get('b'), []);
    assert.deepEqual(graph.waitsFor.get('d'), ['b']);
  });
});

describe('stack merge', () => {
  it('accumulates values lists, merges maps key by key, and lets later layers win elsewhere', () => {
    const merged = layerChart(
      { name: 'web', chart: 'web', values: { a: 1 }, set: { x: 'chart' }, timeoutSeconds: 60 },
      { defaults: { values: [{ base: true }], set: { x: 'default', y: 'default' }, timeoutSeconds: 30, atomic: true }, envChart: { values: { env: true }, set: { y: 'env' } } },
    );
    assert.deepEqual(merged, { name: 'web', chart: 'web', values: [{ base: true }, { a: 1 }, { env: true }], set: { x: 'chart', y: 'env' }, timeoutSeconds: 60, atomic: true });
    assert.deepEqual(mergeLayer({ labels: { a: '1' } }, { labels: { b: '2' } }), { labels: { a: '1', b: '2' } });
  });
});

describe('chart selection', () => {
  const charts: { name: string; labels: Record<string, string> }[] = [
    { name: 'cert-manager', labels: { tier: 'infra' } },
    { name: 'ingress', labels: { tier: 'infra', team: 'net' } },
    { name: 'web', labels: { tier: 'app' } },
  ];
  it('selects by labels (any selector may match) and by name', () => {
    assert.deepEqual([...selectCharts(charts, { selectors: ['tier=infra'] })], ['cert-manager', 'ingress']);
    assert.deepEqual([...selectCharts(charts, { selectors: ['tier=infra,team!=net'] })], ['cert-manager']);
    assert.deepEqual([...selectCharts(charts, { selectors: ['tier=app', 'team=net'] })], ['ingress', 'web']);
    assert.deepEqual([...selectCharts(charts, { only: ['web'] })], ['web']);
    assert.throws(() => selectCharts(charts, { only: ['nope'] }), /--only names 'nope'/);
    assert.throws(() => selectCharts(charts, { selectors: ['tier~x'] }), /invalid label selector 'tier~x'/);
  });
});

/** A run function whose calls finish when the test says, recording starts. */
function controllable() {
  const started: string[] = [];
  const pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const run = (name: string, signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      started.push(name);
      pending.set(name, { resolve: () => resolve(name), reject });
      signal.addEventListener('abort', () => reject(new Error(`${name} cancelled`)), { once: true });
    });
  const tick = () => new Promise((r) => setImmediate(r));
  return { started, pending, run, tick };
}

describe('runGraph', () => {
  it('starts a chart as soon as its own needs are done, without waiting for a whole level', async () => {
    const graph = buildGraph([{ name: 'slow', needs: [] }, { name: 'fast', needs: [] }, { name: 'after-fast', needs: ['fast'] }]);
    const c = controllable();
    const done = runGraph({ graph, concurrency: 4, run: c.run });
    await c.tick();
    assert.deepEqual(c.started, ['slow', 'fast']);
    c.pending.get('fast')!.resolve();
    await c.tick();
    assert.deepEqual(c.started, ['slow', 'fast', 'after-fast'], 'after-fast started while slow still runs');
    c.pending.get('after-fast')!.resolve();
    c.pending.get('slow')!.resolve();
    const outcomes = await done;
    assert.deepEqual([...outcomes.values()].map((o) => o.status), ['succeeded', 'succeeded', 'succeeded']);
  });

  it('never runs more than the concurrency limit', async () => {
    const graph = buildGraph(['a', 'b', 'c', 'd'].map((name) => ({ name, needs: [] })));
    let running = 0;
    let peak = 0;
    await runGraph({
      graph,
      concurrency: 2,
      run: async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      },
    });
    assert.equal(peak, 2);
  });

  it('skips everything downstream of a failure and runs independent branches to the end', async () => {
    const graph = buildGraph([{ name: 'bad', needs: [] }, { name: 'child', needs: ['bad'] }, { name: 'grandchild', needs: ['child'] }, { name: 'other', needs: [] }]);
    const outcomes = await runGraph({
      graph,
      concurrency: 1,
      run: async (name) => {
        if (name === 'bad') throw new Error('boom');
        return name;
      },
    });
    assert.equal(outcomes.get('bad')!.status, 'failed');
    assert.deepEqual(outcomes.get('child'), { status: 'skipped', reason: "needs 'bad', which failed" });
    assert.deepEqual(outcomes.get('grandchild'), { status: 'skipped', reason: "needs 'child', which was skipped" });
    assert.equal(outcomes.get('other')!.status, 'succeeded');
  });

  it('with failFast, cancels running charts and starts nothing more', async () => {
    const graph = buildGraph([{ name: 'long', needs: [] }, { name: 'bad', needs: [] }, { name: 'later', needs: [] }]);
    const c = controllable();
    const done = runGraph({ graph, concurrency: 2, failFast: true, run: c.run });
    await c.tick();
    c.pending.get('bad')!.reject(new Error('boom'));
    const outcomes = await done;
    assert.equal(outcomes.get('bad')!.status, 'failed');
    assert.deepEqual(outcomes.get('long'), { status: 'cancelled', reason: 'cancelled while running' });
    assert.deepEqual(outcomes.get('later'), { status: 'cancelled', reason: 'cancelled before it started' });
    assert.deepEqual(c.started, ['long', 'bad']);
  });
});

describe('a failure at the root of a deep chain', () => {
  it('skips every chart that waits on it, without recursion', async () => {
    const depth = 60_000;
    const graph = buildGraph(Array.from({ length: depth }, (_, i) => ({ name: `c${i}`, needs: i > 0 ? [`c${i - 1}`] : [] })));
    const skipped: string[] = [];
    const outcomes = await runGraph({
      graph,
      concurrency: 1,
      run: async () => { throw new Error('boom'); },
      onNotRun: (name) => skipped.push(name),
    });
    assert.equal(outcomes.get('c0')?.status, 'failed');
    assert.equal(skipped.length, depth - 1);
    assert.deepEqual(outcomes.get('c2'), { status: 'skipped', reason: "needs 'c1', which was skipped" });
  });
});
