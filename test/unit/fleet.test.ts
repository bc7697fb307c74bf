// The fleet's pure parts (selection, shards, waves, budget, the stack's targets checked) and the runner
// driven with scripted targets: parallel up to the limit, waves in order, the budget stopping new starts,
// an unreachable target reported and skipped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StackConfigError, UsageError } from '../../src/errors.js';
import { allowedFailures, budgetExceeded, parseBudget } from '../../src/stack/fleet-budget.js';
import { NOT_STARTED_BUDGET, runFleet, type FleetEvent } from '../../src/fleet/run-fleet.js';
import { selectTargets } from '../../src/fleet/select-targets.js';
import { parseShard, shardOfName } from '../../src/fleet/shard.js';
import type { FleetSettings, FleetTarget } from '../../src/stack/fleet-targets.js';
import { planWaves } from '../../src/fleet/waves.js';
import { resolveStack } from '../../src/stack/load.js';

const targets: FleetTarget[] = [
  { name: 'eu-1', labels: { region: 'eu', tier: 'prod' }, wave: 'canary' },
  { name: 'eu-2', labels: { region: 'eu', tier: 'prod' } },
  { name: 'us-1', labels: { region: 'us', tier: 'prod' } },
  { name: 'dev', labels: { region: 'eu', tier: 'dev' } },
];
const names = (list: readonly { name: string }[]) => list.map((t) => t.name);

describe('fleet: selecting targets', () => {
  it('--targets names them, -t pairs must all match, together they narrow further', () => {
    assert.deepEqual(names(selectTargets(targets, { names: ['us-1', 'dev'] })), ['us-1', 'dev']);
    assert.deepEqual(names(selectTargets(targets, { labels: ['region=eu'] })), ['eu-1', 'eu-2', 'dev']);
    assert.deepEqual(names(selectTargets(targets, { labels: ['region=eu', 'tier=prod'] })), ['eu-1', 'eu-2']);
    assert.deepEqual(names(selectTargets(targets, { names: ['dev', 'us-1'], labels: ['region=eu'] })), ['dev']);
    assert.deepEqual(names(selectTargets(targets)), names(targets));
  });

  it('refuses an unknown target name or a -t that is not key=value, naming it', () => {
    assert.throws(() => selectTargets(targets, { names: ['eu-9'] }), (e: unknown) => e instanceof UsageError && /'eu-9'/.test(e.message) && /eu-1, eu-2/.test(e.hint ?? ''));
    assert.throws(() => selectTargets(targets, { labels: ['region'] }), (e: unknown) => e instanceof UsageError && /-t 'region'/.test(e.message));
  });
});

describe('fleet: shards', () => {
  it('parses i/n and refuses anything else', () => {
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
    for (const bad of ['0/2', '3/2', '1/0', 'a/b', '1']) assert.throws(() => parseShard(bad), UsageError, bad);
  });

  it('splits any set of names into disjoint shards covering each exactly once, by name alone', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ name: `cluster-${i}` }));
    for (const count of [1, 2, 3, 5]) {
      const parts = Array.from({ length: count }, (_, i) => names(selectTargets(many, { shard: { index: i + 1, count } })));
      assert.deepEqual(parts.flat().sort(), names(many).sort(), `every target once with ${count} shards`);
      if (count > 1) assert.ok(parts.every((p) => p.length > 0 && p.length < many.length), `no shard takes all with ${count}`);
    }
    // Fixed by the name: the same on every machine, and unmoved by other targets coming or going.
    assert.equal(shardOfName('cluster-7', 3), shardOfName('cluster-7', 3));
    assert.deepEqual(
      names(selectTargets(many.slice(0, 10), { shard: { index: 1, count: 2 } })),
      names(selectTargets(many, { shard: { index: 1, count: 2 } })).filter((n) => names(many.slice(0, 10)).includes(n)),
    );
  });
});

describe('fleet: waves and budget', () => {
  it('orders waves as declared, a last wave for targets without one, names sorted within', () => {
    const waves = planWaves([{ name: 'b', wave: 'rest' }, { name: 'z' }, { name: 'a', wave: 'rest' }, { name: 'c', wave: 'canary' }], ['canary', 'empty', 'rest']);
    assert.deepEqual(waves.map((w) => [w.name, names(w.targets)]), [['canary', ['c']], ['rest', ['a', 'b']], [undefined, ['z']]]);
  });

  it('a count or a percent of the selected targets, exceeded once more failed than allowed', () => {
    assert.deepEqual(parseBudget(2), { count: 2 });
    assert.deepEqual(parseBudget('25%'), { percent: 25 });
    assert.equal(parseBudget('x'), undefined);
    assert.equal(parseBudget('150%'), undefined);
    assert.equal(allowedFailures({ percent: 25 }, 10), 2);
    assert.equal(budgetExceeded({ count: 1 }, 1, 5), false);
    assert.equal(budgetExceeded({ count: 1 }, 2, 5), true);
    assert.equal(budgetExceeded({ percent: 50 }, 2, 4), false);
    assert.equal(budgetExceeded({ percent: 50 }, 3, 4), true);
  });
});

describe('fleet: the stack file', () => {
  const chart = { name: 'web', chart: 'web', repository: 'http://r' };
  it('resolves targets and settings, kubeconfig anchored at the stack folder', () => {
    const stack = resolveStack(
      { charts: [chart], environments: { prod: {} }, targets: [{ name: 'a', kubeconfig: 'kube/a.yaml', wave: 'canary', environment: 'prod' }, { name: 'b', kubeContext: 'b' }], fleet: { parallel: 2, failureBudget: '50%', waves: ['canary'] } },
      { file: '/s/helmcycle.yaml' },
    );
    assert.deepEqual(stack.fleet, {
      targets: [{ name: 'a', kubeconfig: '/s/kube/a.yaml', wave: 'canary', environment: 'prod' }, { name: 'b', kubeContext: 'b' }],
      settings: { parallel: 2, failureBudget: { percent: 50 }, waves: ['canary'] },
    });
    assert.equal(resolveStack({ charts: [chart] }).fleet, undefined);
  });

  it('names the file and the field of a bad target or fleet setting', () => {
    const refused = (definition: object, field: RegExp) =>
      assert.throws(() => resolveStack({ charts: [chart], ...definition }, { file: '/s/helmcycle.yaml' }), (e: unknown) => e instanceof StackConfigError && /^\/s\/helmcycle\.yaml: /.test(e.message) && field.test(e.message), String(field));
    refused({ targets: [{ name: 'a', wave: 'first' }] }, /targets\[0\]\.wave.*'first' is not one of fleet\.waves/);
    refused({ targets: [{ name: 'a' }, { name: 'a' }] }, /targets\[1\]\.name/);
    refused({ targets: [{ name: 'a', environment: 'prod' }] }, /targets\[0\]\.environment/);
    refused({ targets: [{ name: 'a', kubecontext: 'x' }] }, /targets\[0\]/);
    refused({ targets: [{ name: 'a' }], fleet: { failureBudget: 'many' } }, /fleet\.failureBudget/);
    refused({ targets: [{ name: 'a' }], fleet: { parallel: 0 } }, /fleet\.parallel/);
  });
});

describe('fleet: the runner', () => {
  const settings = (over: Partial<FleetSettings> = {}): FleetSettings => ({ parallel: 4, failureBudget: { count: 0 }, waves: [], ...over });
  const reachable = async () => {};

  it('runs every target once, at most `parallel` at a time', async () => {
    let running = 0;
    let most = 0;
    const ran: string[] = [];
    const result = await runFleet({
      targets: Array.from({ length: 6 }, (_, i) => ({ name: `t${i}` })),
      settings: settings({ parallel: 2 }),
      probe: reachable,
      runTarget: async (t) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setImmediate(r));
        ran.push(t.name);
        running--;
        return { ok: true };
      },
    });
    assert.equal(result.ok, true);
    assert.equal(most, 2);
    assert.deepEqual(ran.sort(), ['t0', 't1', 't2', 't3', 't4', 't5']);
  });

  it('starts a wave only after the previous one finished', async () => {
    const events: FleetEvent[] = [];
    await runFleet({
      targets: [{ name: 'late', wave: 'rest' }, { name: 'early', wave: 'canary' }, { name: 'early2', wave: 'canary' }],
      settings: settings({ waves: ['canary', 'rest'] }),
      probe: reachable,
      runTarget: async () => (await new Promise((r) => setImmediate(r)), { ok: true }),
      onEvent: (e) => events.push(e),
    });
    const order = events.map((e) => `${e.type === 'target-started' ? '+' : '-'}${e.target}`);
    assert.ok(order.indexOf('+late') > order.indexOf('-early') && order.indexOf('+late') > order.indexOf('-early2'), order.join(' '));
  });

  it('a wave failing past the budget stops the next wave: its targets are not started', async () => {
    const ran: string[] = [];
    const result = await runFleet({
      targets: [{ name: 'c1', wave: 'canary' }, { name: 'c2', wave: 'canary' }, { name: 'p1', wave: 'prod' }],
      settings: settings({ waves: ['canary', 'prod'], failureBudget: { count: 1 } }),
      probe: reachable,
      runTarget: async (t) => (ran.push(t.name), { ok: false }),
    });
    assert.deepEqual(ran.sort(), ['c1', 'c2']);
    assert.deepEqual(result.targets.map((o) => [o.target.name, o.status, o.reason]), [['c1', 'failed', undefined], ['c2', 'failed', undefined], ['p1', 'not-started', NOT_STARTED_BUDGET]]);
    assert.equal(result.budgetExceeded, true);
    assert.equal(result.ok, false);
  });

  it('within the budget, a failure lets the others run', async () => {
    const result = await runFleet({
      targets: [{ name: 'a', wave: 'w1' }, { name: 'b', wave: 'w2' }],
      settings: settings({ waves: ['w1', 'w2'], failureBudget: { count: 1 } }),
      probe: reachable,
      runTarget: async (t) => ({ ok: t.name !== 'a' }),
    });
    assert.deepEqual(result.targets.map((o) => o.status), ['failed', 'succeeded']);
  });

  it('an unreachable target is reported with its reason, never run, and counts against the budget', async () => {
    const ran: string[] = [];
    const result = await runFleet({
      targets: [{ name: 'down', wave: 'w1' }, { name: 'up', wave: 'w1' }, { name: 'next', wave: 'w2' }],
      settings: settings({ waves: ['w1', 'w2'], parallel: 1 }),
      probe: async (t) => {
        if (t.name === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      },
      runTarget: async (t) => (ran.push(t.name), { ok: true }),
    });
    // parallel 1 and budget 0: 'down' fails first, so 'up' (same wave, not yet started) and 'next' do not start.
    assert.deepEqual(ran, []);
    assert.deepEqual(result.targets.map((o) => [o.target.name, o.status]), [['down', 'unreachable'], ['up', 'not-started'], ['next', 'not-started']]);
    assert.match(String(result.targets[0]!.error), /ECONNREFUSED/);
  });

  it('a target whose run throws is failed, and the run goes on', async () => {
    const result = await runFleet({
      targets: [{ name: 'a' }, { name: 'b' }],
      settings: settings({ failureBudget: { count: 5 } }),
      probe: reachable,
      runTarget: async (t) => {
        if (t.name === 'a') throw new Error('boom');
        return { ok: true };
      },
    });
    assert.deepEqual(result.targets.map((o) => [o.target.name, o.status]), [['a', 'failed'], ['b', 'succeeded']]);
  });
});

describe('fleet: the matrix', () => {
  it('a cell per target and chart: the outcome, the failure, or why the target did not run', async () => {
    const { fleetMatrix, formatMatrix, formatMatrixJson } = await import('../../src/fleet/matrix.js');
    const stackResult = (charts: object[], ok: boolean) => ({ stack: 's', command: 'apply' as const, ok, interrupted: false, charts, counts: { succeeded: 0, failed: 0, skipped: 0, cancelled: 0 }, durationMs: 1 });
    const rows = fleetMatrix(
      {
        ok: false,
        budgetExceeded: true,
        durationMs: 1,
        targets: [
          { target: { name: 'a' }, wave: 'canary', status: 'succeeded', durationMs: 1, result: stackResult([{ name: 'db', status: 'succeeded', result: { outcome: 'unchanged' } }, { name: 'web', status: 'succeeded', result: { outcome: 'upgraded' } }], true) as never },
          { target: { name: 'b' }, wave: 'canary', status: 'failed', durationMs: 1, result: stackResult([{ name: 'db', status: 'failed', error: new Error('timed out, token hunter2') }, { name: 'web', status: 'skipped', reason: 'needs db' }], false) as never },
          { target: { name: 'c' }, wave: undefined, status: 'unreachable', durationMs: 1, error: new Error('connection refused') },
          { target: { name: 'd' }, wave: undefined, status: 'not-started', durationMs: 0, reason: 'not started: failure budget' },
        ],
      },
      ['db', 'web'],
      (text) => text.replaceAll('hunter2', '***'),
    );
    assert.deepEqual(rows.map((r) => [r.target, ...r.charts.map((c) => c.status)]), [['a', 'unchanged', 'upgraded'], ['b', 'failed', 'skipped'], ['c', 'unreachable', 'unreachable'], ['d', 'not started', 'not started']]);
    const text = formatMatrix(rows, ['db', 'web']);
    assert.match(text, /^TARGET\s+WAVE\s+DB\s+WEB\s+TARGET STATUS$/m);
    assert.match(text, /^b\s+canary\s+failed\s+skipped\s+failed$/m);
    assert.match(text, /b\/db: timed out, token \*\*\*/);
    assert.doesNotMatch(text, /hunter2/);
    assert.match(text, /c: connection refused/);
    assert.match(text, /fleet: 1 succeeded, 1 failed, 1 unreachable, 1 not started of 4 target\(s\)/);
    const json = formatMatrixJson(rows, false).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(json[0], { type: 'target', target: 'a', wave: 'canary', status: 'succeeded', durationMs: 1, charts: [{ chart: 'db', status: 'unchanged' }, { chart: 'web', status: 'upgraded' }] });
    assert.deepEqual(json.at(-1), { type: 'fleet-summary', ok: false, targets: 4, succeeded: 1 });
  });

  it("a target's own kubeconfig comes with its own context; the command line's are the default", async () => {
    const { connectionOf } = await import('../../src/cli/fleet-command.js');
    assert.deepEqual(connectionOf({ name: 'a' }, '/k', 'ctx'), { kubeconfig: '/k', kubeContext: 'ctx' });
    assert.deepEqual(connectionOf({ name: 'a', kubeContext: 'mine' }, '/k', 'ctx'), { kubeconfig: '/k', kubeContext: 'mine' });
    assert.deepEqual(connectionOf({ name: 'a', kubeconfig: '/own' }, '/k', 'ctx'), { kubeconfig: '/own', kubeContext: undefined });
  });
});
