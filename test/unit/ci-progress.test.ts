// CI mode (the plain renderer): a line every 10 s per chart still running, naming what it waits on,
// driven by a fake clock; colours only when asked for; the closing summary and the report's path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paletteFor } from '../../src/cli/render/choose.js';
import { colorWanted, palette } from '../../src/cli/render/palette.js';
import { plainRenderer } from '../../src/cli/render/plain.js';
import { formatPlan } from '../../src/cli/format.js';
import type { StackEvent } from '../../src/stack/events.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import { FakeClock } from './fakes.js';

describe('CI progress lines', () => {
  it('says every 10 s what each running chart waits on, and nothing more often', () => {
    const clock = new FakeClock();
    const out: string[] = [];
    const renderer = plainRenderer((line) => out.push(line), { clock, reportPath: 'run.html' });
    const event = (e: Record<string, unknown>) => renderer.event({ ...e, at: clock.now() } as StackEvent);
    event({ type: 'stack-started', stack: 'demo', command: 'apply', charts: ['web', 'db'] });
    event({ type: 'chart-started', chart: 'web', action: 'deploy', namespace: 'apps' });
    event({ type: 'chart-started', chart: 'db', action: 'deploy', namespace: 'apps' });
    event({ type: 'phase-started', chart: 'web', phase: 'exec' });
    clock.advance(2_000);
    event({ type: 'wait-progress', chart: 'web', phase: 'exec', waitingOn: [{ kind: 'Deployment', name: 'web', message: '1 of 2 updated replicas available' }], workloads: 1, elapsedMs: 1_500, timeoutMs: 300_000 });
    clock.advance(7_900);
    assert.equal(out.filter((l) => /still/.test(l)).length, 0, 'nothing before 10 s');
    clock.advance(100);
    const still = () => out.filter((l) => /still/.test(l));
    assert.deepEqual(still(), [
      '[  10.0s] web: still deploying... [10s elapsed] exec: waiting on Deployment/web 1 of 2 updated replicas available, 9 s of 300 s',
      '[  10.0s] db: still deploying... [10s elapsed]',
    ]);
    // A line of the chart's own resets its 10 s.
    clock.advance(5_000);
    event({ type: 'message', chart: 'db', phase: 'preExec', level: 'info', message: 'migrating the schema' });
    clock.advance(5_000);
    assert.equal(still().length, 3);
    assert.match(still()[2]!, /^\[ {2}20\.0s\] web: still deploying\.\.\. \[20s elapsed\] exec: waiting on Deployment\/web .*, 19 s of 300 s$/);
    clock.advance(5_000);
    assert.match(still()[3]!, /^\[ {2}25\.0s\] db: still deploying\.\.\. \[25s elapsed\]$/);
    // A finished chart says nothing more; the phase's end drops the wait.
    event({ type: 'phase-finished', chart: 'web', phase: 'exec', durationMs: 24_000 });
    event({ type: 'phase-started', chart: 'web', phase: 'validate' });
    event({ type: 'chart-finished', chart: 'db', outcome: 'installed', durationMs: 25_000 });
    clock.advance(10_000);
    assert.deepEqual(still().slice(4), ['[  35.0s] web: still validating... [35s elapsed] validate']);
    event({ type: 'chart-finished', chart: 'web', outcome: 'upgraded', durationMs: 35_000 });
    event({ type: 'stack-finished', stack: 'demo', command: 'apply', ok: true, durationMs: 35_000, counts: { succeeded: 2, failed: 0, skipped: 0, cancelled: 0 } });
    clock.advance(30_000);
    assert.equal(still().length, 5, 'nothing after the charts ended');
    // A chart still running at close (a cancel that never came) gets no line after it.
    event({ type: 'chart-started', chart: 'late', action: 'deploy', namespace: 'apps' });
    renderer.close();
    assert.deepEqual(out.slice(-2), ['apply demo: done in 35.0 s: 1 installed, 1 upgraded', 'report: run.html']);
    const lines = out.length;
    assert.ok(!out.some((l) => l.includes('wait-progress') || /\u001B\[/.test(l)), 'progress events are not printed as such; no colours by default');
    clock.advance(30_000);
    assert.equal(out.length, lines, 'the timer stopped');
  });

  it('prints a multi-line failure indented under its line, without its escape codes', () => {
    const clock = new FakeClock();
    const out: string[] = [];
    const renderer = plainRenderer((line) => out.push(line), { clock });
    renderer.event({ type: 'stack-started', stack: 'demo', command: 'apply', charts: ['web'], at: clock.now() });
    renderer.event({ type: 'chart-failed', chart: 'web', phase: 'exec', durationMs: 1, error: 'first\n\u001B[31msecond\u001B[0m\r\n\tthird', code: 'X', at: clock.now() });
    assert.equal(out.at(-1), '[   0.0s] web: FAILED in exec: first\n  second\n    third');
  });
});

describe('colours', () => {
  const tty = { isTTY: true, write: () => true };
  it('are on for a terminal, off with NO_COLOR, --no-color, TERM=dumb or a pipe, forced with FORCE_COLOR, never for -o json', () => {
    assert.equal(colorWanted({ flag: true, env: {}, isTTY: true }), true);
    assert.equal(colorWanted({ flag: true, env: { NO_COLOR: '1' }, isTTY: true }), false);
    assert.equal(colorWanted({ flag: true, env: { NO_COLOR: '' }, isTTY: true }), true, 'an empty NO_COLOR does not count (no-color.org)');
    assert.equal(colorWanted({ flag: false, env: {}, isTTY: true }), false);
    assert.equal(colorWanted({ flag: true, env: {}, isTTY: false }), false);
    assert.equal(colorWanted({ flag: true, env: { TERM: 'dumb' }, isTTY: true }), false);
    assert.equal(colorWanted({ flag: true, env: { FORCE_COLOR: '1' }, isTTY: false }), true);
    assert.equal(colorWanted({ flag: false, env: { FORCE_COLOR: '1' }, isTTY: true }), false, '--no-color wins');
    assert.equal(paletteFor({ output: 'json', color: true, terminal: tty, env: { FORCE_COLOR: '1' } }).enabled, false);
    assert.equal(paletteFor({ output: 'text', color: true, terminal: tty, env: {} }).enabled, true);
    assert.equal(paletteFor({ output: 'text', color: true, terminal: undefined, env: {} }).enabled, false);
  });

  it('colour plan lines by action and diff lines by sign, not a YAML list item of a context line', () => {
    const plan: ChartPlan = {
      chart: 'web', namespace: 'apps', action: 'upgrade', reason: 'values changed', heldBy: undefined, predictions: [],
      changes: [{ resource: 'ConfigMap/apps/web', change: 'changed', patch: '@@ -1,3 +1,3 @@\n items:\n- - old\n+ - new\n - kept' }],
    } as unknown as ChartPlan;
    const text = formatPlan([plan], { paint: palette(true) });
    const lines = text.split('\n');
    assert.equal(lines[0], '\u001B[33m~ web (apps): upgrade: values changed\u001B[39m');
    assert.equal(lines[1], '    \u001B[33m~ ConfigMap/apps/web (changed)\u001B[39m');
    assert.deepEqual(lines.slice(2, 7), ['    \u001B[36m    @@ -1,3 +1,3 @@\u001B[39m', '         items:', '    \u001B[31m    - - old\u001B[39m', '    \u001B[32m    + - new\u001B[39m', '         - kept']);
    assert.doesNotMatch(formatPlan([plan]), /\u001B/, 'no colours unless asked');
  });
});
