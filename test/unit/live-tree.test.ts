// The live tree and the CI lines, rendered against a virtual terminal and a fake clock: at 80 columns,
// with long multi-line failures, wide characters, more charts than rows, and a close after Ctrl-C.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import { announce } from '../../src/cli/render/live-view.js';
import { fitWidth } from '../../src/cli/render/fit.js';
import { palette } from '../../src/cli/render/palette.js';
import { TreeModel } from '../../src/cli/render/tree-model.js';
import { renderTree } from '../../src/cli/render/tree-view.js';
import { treeRenderer } from '../../src/cli/render/tree.js';
import type { StackEvent } from '../../src/stack/events.js';
import { VirtualTerminal } from '../support/virtual-terminal.js';
import { FakeClock } from './fakes.js';

const LONG_FAILURE = [
  `helm upgrade --install web ./charts/web failed: context deadline exceeded ${'while waiting for the Deployment to become ready '.repeat(4)}`,
  'Deployment/web not ready (0 of 2 updated replicas available); pods not ready: web-7d9c-abcde (ContainersNotReady), web-7d9c-fghij (ContainersNotReady)',
  '\tpod web-7d9c-abcde: Readiness probe failed: HTTP probe failed with statuscode: 503 \u001B[31m(coloured by the app)\u001B[0m',
  ...Array.from({ length: 12 }, (_, i) => `  event ${i}: ${'x'.repeat(150)}`),
].join('\n');

const CHARTS = ['base', 'データベース-primary', 'web', 'cache-🚀-redis', 'a-chart-with-a-really-quite-long-name-indeed', ...Array.from({ length: 30 }, (_, i) => `svc-${String(i).padStart(2, '0')}`)];

/** A run: events at the fake clock's times, with the clock moved between them (redraws on its ticks). */
function script(clock: FakeClock): { at: number; event: StackEvent }[] {
  const t0 = clock.time;
  const at = (s: number) => t0 + s * 1000;
  const out: { at: number; event: StackEvent }[] = [];
  const add = (s: number, event: Record<string, unknown>) => out.push({ at: at(s), event: { ...event, at: at(s) } as StackEvent });
  add(0, { type: 'stack-started', stack: 'demo', command: 'apply', charts: CHARTS });
  CHARTS.forEach((chart, i) => {
    const s = i * 0.5;
    add(s, { type: 'chart-started', chart, action: 'deploy', namespace: 'apps' });
    add(s, { type: 'phase-started', chart, phase: 'checkPrerequisites' });
    add(s + 0.1, { type: 'phase-finished', chart, phase: 'checkPrerequisites', durationMs: 100 });
    add(s + 0.1, { type: 'phase-started', chart, phase: 'exec' });
    add(s + 0.2, { type: 'message', chart, phase: 'exec', level: 'info', message: `upgrading ${chart} — 進行中 🎉 ${'detail '.repeat(20)}` });
    add(s + 1, { type: 'wait-progress', chart, phase: 'exec', waitingOn: [{ kind: 'Deployment', name: chart, message: '1 of 2 updated replicas available' }], workloads: 1, elapsedMs: 1000, timeoutMs: 300_000 });
  });
  // Charts end out of order: rows must not move.
  [...CHARTS].reverse().forEach((chart, i) => {
    const s = 20 + i * 0.5;
    if (chart === 'web') {
      add(s, { type: 'phase-failed', chart, phase: 'exec', durationMs: 5000, error: LONG_FAILURE, code: 'DEPLOY_FAILED' });
      add(s, { type: 'chart-failed', chart, phase: 'exec', durationMs: 6000, error: LONG_FAILURE, code: 'DEPLOY_FAILED', failureClass: 'readiness-timeout' });
    } else if (chart === 'cache-🚀-redis') {
      add(s, { type: 'chart-skipped', chart, reason: "needs 'web', which failed\nsecond line of the reason" });
    } else {
      add(s, { type: 'phase-finished', chart, phase: 'exec', durationMs: 4000 });
      add(s, { type: 'chart-finished', chart, outcome: i % 3 ? 'upgraded' : 'installed', durationMs: 4100 });
    }
  });
  add(20 + CHARTS.length * 0.5, { type: 'stack-finished', stack: 'demo', command: 'apply', ok: false, durationMs: 37_500, counts: { succeeded: 33, failed: 1, skipped: 1, cancelled: 0 } });
  return out;
}

const checkedUpTo = new WeakMap<VirtualTerminal, number>();

/** Asserts the terminal holds chart rows in the stack's order (each once at most) and nothing wrapped. */
function assertSane(term: VirtualTerminal, context: string) {
  assert.equal(term.wraps, 0, `${context}: a line wrapped`);
  // Every physical line written is at most 80 columns: the raw output (since the last check), split
  // where the cursor moves to another line or column.
  const from = checkedUpTo.get(term) ?? 0;
  const start = term.raw.lastIndexOf('\n', from) + 1;
  for (const segment of term.raw.slice(start).split(/\n|\u001B\[\d*[ABG]/)) assert.ok(segment.length <= 80 || stringWidth(segment) <= 80, `${context}: ${JSON.stringify(stripAnsi(segment))} is ${stringWidth(segment)} columns`);
  checkedUpTo.set(term, term.raw.length);
  const screen = term.screen();
  for (const line of screen) assert.ok(stringWidth(line) <= 80, `${context}: screen line too wide: ${line}`);
  const positions = CHARTS.map((chart) => screen.findIndex((line) => new RegExp(`^ . ${fitWidth(chart, 24).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `).test(line)));
  const seen = positions.filter((p) => p >= 0);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b), `${context}: rows out of order`);
  for (const chart of CHARTS) {
    const rows = screen.filter((line) => line.startsWith(' ') && line.includes(` ${fitWidth(chart, 24)} `) && /^ [·▶✔✖↷⊘] /.test(line));
    assert.ok(rows.length <= 1, `${context}: ${chart} has ${rows.length} rows`);
  }
}

function play(term: VirtualTerminal, clock: FakeClock, options: { stopAt?: number; colour?: boolean } = {}) {
  // Redraws every 500 ms of the fake clock: some 100 frames a run, between the events' own redraws.
  const renderer = treeRenderer({ stream: term.stream(), clock, paint: palette(options.colour ?? false), reportPath: '/tmp/helmcycle-report.html', redrawMs: 500 });
  const steps = script(clock);
  let played = 0;
  for (const { at, event } of steps) {
    if (options.stopAt !== undefined && at > options.stopAt) break;
    clock.advance(at - clock.time);
    renderer.event(event);
    played++;
    if (played % 7 === 0) assertSane(term, `after ${event.type} of ${'chart' in event ? event.chart : 'the stack'}`);
  }
  return { renderer, steps, played };
}

describe('live tree at 80 columns', () => {
  it('never wraps a line and keeps rows in order, with long failures, wide characters and more charts than rows', () => {
    for (const colour of [false, true]) {
      const clock = new FakeClock();
      const term = new VirtualTerminal(80, 24);
      const { renderer } = play(term, clock, { colour });
      clock.advance(5_000);
      renderer.close();
      assertSane(term, `final frame (colour ${colour})`);
      const screen = term.screen();
      // The final frame holds every chart, in order, the failure's first lines and the summary.
      const rowsOf = CHARTS.map((chart) => screen.findIndex((line) => /^ [·▶✔✖↷⊘] /.test(line) && line.includes(` ${fitWidth(chart, 24)} `)));
      assert.ok(rowsOf.every((p) => p >= 0), `every chart has a row: ${rowsOf}`);
      assert.deepEqual(rowsOf, [...rowsOf].sort((a, b) => a - b));
      assert.match(screen.join('\n'), / ✖ web +failed in exec \[readiness-timeout\] +6\.0s\n {7}helm upgrade --install web .*…\n {7}Deployment\/web not ready .*…\n {9}pod web-7d9c-abcde: Readiness probe failed: HTTP probe failed with st…\n {7}… 12 more line\(s\), printed when the run ends/);
      assert.doesNotMatch(screen.join('\n'), /coloured by the app\)\u001B|\t/, "the app's escape codes and tabs are not passed through");
      assert.equal(stripAnsi(screen.at(-2)!), 'apply demo: FAILED in 37.5 s: 21 upgraded, 12 installed, 1 not run, 1 failed');
      assert.equal(screen.at(-1), 'report: /tmp/helmcycle-report.html');
      // The prompt comes on a fresh line under the frame.
      assert.deepEqual([term.row, term.col], [term.lines.length - 1, 0]);
      assert.equal(term.text().at(-1), '');
    }
  });

  it('shows what a running chart waits on, with the deadline ticking, and its last message', () => {
    const clock = new FakeClock();
    const term = new VirtualTerminal(80, 200);
    const t0 = clock.time;
    const { renderer } = play(term, clock, { stopAt: t0 + 3_000 });
    clock.advance(t0 + 41_000 - clock.time);
    const screen = term.screen().join('\n');
    assert.match(screen, / ▶ base +exec +41\.0s\n {5}├ checkPrerequisites +0\.1s\n {5}└ exec +40\.9s…\n {7}⧗ Deployment\/base 1 of 2 updated replicas available, 41 s of 300 s\n {7}› upgrading base — 進行中 🎉 detail .*…\n/);
    assert.match(screen, / {7}⧗ Deployment\/データベース-primary 1 of 2 updated replica…, 40 s of 300 s\n/, 'a long wait is cut before its deadline');
    renderer.close();
  });

  it('leaves a clean last frame after Ctrl-C: the notice in the frame, no stale row or "^C", the prompt under it', () => {
    const clock = new FakeClock();
    const term = new VirtualTerminal(80, 24);
    const t0 = clock.time;
    const { renderer } = play(term, clock, { stopAt: t0 + 4_000 });
    // What the terminal does on Ctrl-C: echo ^C at the cursor; then entry.ts announces the cancel.
    term.write('^C');
    assert.equal(announce('helmcycle: SIGINT: cancelling running charts (again to exit now)'), true, 'a live view took the notice');
    assert.match(term.screen().join('\n'), /helmcycle: SIGINT: cancelling running charts/);
    assert.doesNotMatch(term.screen().join('\n'), /\^C/, 'the echoed ^C is erased by the redraw');
    clock.advance(300);
    const running = CHARTS.slice(0, 9);
    for (const chart of running) renderer.event({ type: 'chart-cancelled', chart, reason: 'cancelled in exec', at: clock.now() });
    for (const chart of CHARTS.slice(9)) renderer.event({ type: 'chart-cancelled', chart, reason: 'cancelled before it started', at: clock.now() });
    renderer.event({ type: 'stack-finished', stack: 'demo', command: 'apply', ok: false, durationMs: 4300, counts: { succeeded: 0, failed: 0, skipped: 0, cancelled: CHARTS.length }, at: clock.now() });
    renderer.close();
    assertSane(term, 'after the interrupt');
    // The scrollback ends with exactly the last frame: nothing of the live frames is left above or below it.
    const final = term.screen();
    const expected = [...final.slice(final.length - (CHARTS.length + 4))];
    assert.equal(expected[0]?.startsWith('apply demo  35 of 35 done'), true, `the last frame starts with its title: ${expected[0]}`);
    assert.equal(final.filter((line) => line.startsWith('apply demo  ')).length, 1, 'one title: no stale frame');
    assert.deepEqual(expected.slice(-3), ['interrupted: the running charts were cancelled', 'apply demo: FAILED in 4.3 s: 35 cancelled', 'report: /tmp/helmcycle-report.html']);
    assert.doesNotMatch(final.join('\n'), /\^C|again to exit now/);
    assert.deepEqual([term.row, term.col], [term.lines.length - 1, 0], 'the prompt starts on a line of its own');
    assert.equal(announce('late'), false, 'the closed view let go of the notices');
  });

  it('a second Ctrl-C draws the last frame at once; events after it draw nothing', () => {
    const clock = new FakeClock();
    const term = new VirtualTerminal(80, 24);
    const { renderer } = play(term, clock, { stopAt: clock.time + 2_000 });
    assert.equal(announce('helmcycle: SIGINT again: stopping helm and exiting', { final: true }), true);
    const after = term.raw.length;
    renderer.event({ type: 'chart-cancelled', chart: 'base', reason: 'cancelled in exec', at: clock.now() });
    clock.advance(1_000);
    renderer.close();
    assert.equal(term.raw.length, after, 'nothing drawn after the last frame');
    assert.equal(term.screen().at(-1), 'helmcycle: SIGINT again: stopping helm and exiting');
    assertSane(term, 'after a second Ctrl-C');
  });
});

describe('live tree before the run starts', () => {
  it('draws nothing for a run that fails before its first event, and shows a Ctrl-C notice given then', () => {
    const clock = new FakeClock();
    const term = new VirtualTerminal(80, 24);
    const renderer = treeRenderer({ stream: term.stream(), clock });
    clock.advance(1_000);
    renderer.close();
    assert.equal(term.raw, '');
    const second = treeRenderer({ stream: term.stream(), clock });
    announce('helmcycle: SIGINT: cancelling running charts (again to exit now)');
    assert.deepEqual(term.screen(), ['helmcycle: SIGINT: cancelling running charts (again to exit now)']);
    second.close();
  });
});

describe('fitting rows', () => {
  it('cuts by display width, never past it, with an ellipsis, and leaves short rows alone', () => {
    const samples = ['日本語のテキストがとても長い行', 'ab🚀cd👍🏽ef🇩🇪gh', `\u001B[31m赤い文字\u001B[39m and more text`, 'e\u0301'.repeat(40), 'plain'];
    for (const sample of samples) {
      for (let width = 1; width <= 20; width++) {
        const fitted = fitWidth(sample, width);
        assert.ok(stringWidth(fitted) <= width, `${JSON.stringify(fitted)} at ${width}`);
        if (stringWidth(sample) <= width) assert.equal(fitted, sample);
        else assert.ok(fitted.endsWith('…'));
      }
    }
    assert.equal(fitWidth('\u001B[31mred text here\u001B[39m', 5), '\u001B[31mred \u001B[39m…', 'colour closed at the cut');
  });

  it('renderTree keeps the frame within the height, hiding finished rows first and counting them', () => {
    const model = new TreeModel();
    const clock = new FakeClock();
    for (const { event } of script(clock)) model.apply(event);
    model.apply({ type: 'chart-started', chart: 'svc-29', action: 'deploy', namespace: 'apps', at: clock.time });
    const lines = renderTree(model, { now: clock.time + 60_000, width: 79, height: 10 });
    assert.ok(lines.length <= 10, `${lines.length} lines`);
    assert.match(lines.join('\n'), /… \d+ more: \d+ done/);
    assert.match(lines.join('\n'), / ✖ web /, 'the failure stays in view');
  });
});
