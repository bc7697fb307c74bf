// The report's pure parts: round time ticks, the one chart order of the timeline and the table, the
// run's facts (no credential in them), the legend and the failure's hint.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartOrder, chartRows } from '../../src/report/chart-states.js';
import { buildReport } from '../../src/report/html.js';
import { formatRunDate, renderFacts, safeServerUrl } from '../../src/report/run-facts.js';
import { formatTick, tickStepMs, timeAxis } from '../../src/report/ticks.js';
import type { StackEvent } from '../../src/stack/events.js';

describe('time ticks', () => {
  it('steps by 1, 2 or 5 × 10^n seconds, the smallest giving at most 8 intervals', () => {
    const cases: [number, number][] = [
      [1, 1], [7, 1], [9, 2], [150, 20], [800, 100], [999, 200], [6_920, 1_000], [8_000, 1_000], [8_001, 2_000],
      [37_000, 5_000], [61_000, 10_000], [300_000, 50_000], [3_600_000, 500_000], [0, 1], [-5, 1],
    ];
    for (const [span, step] of cases) assert.equal(tickStepMs(span), step, `span ${span} ms`);
    for (let span = 1; span < 1e7; span = Math.ceil(span * 1.37)) {
      const step = tickStepMs(span);
      const mantissa = step / 10 ** Math.floor(Math.log10(step));
      assert.ok([1, 2, 5].includes(Number(mantissa.toPrecision(6))), `step ${step} ms for ${span} ms is 1, 2 or 5 × 10^n`);
      assert.ok(span / step <= 8 + 1e-9, `at most 8 intervals for ${span} ms`);
    }
  });

  it('ends the axis on the first tick at or after the end, and labels with the decimals the step needs', () => {
    assert.deepEqual(timeAxis(6_920), { stepMs: 1_000, endMs: 7_000, ticksMs: [0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000] });
    assert.deepEqual(timeAxis(1_000).ticksMs, [0, 200, 400, 600, 800, 1_000]);
    assert.deepEqual(timeAxis(0).ticksMs, [0, 1]);
    const axis = timeAxis(700);
    assert.deepEqual(axis.ticksMs.map((t) => formatTick(t, axis.stepMs)), ['0 s', '0.1 s', '0.2 s', '0.3 s', '0.4 s', '0.5 s', '0.6 s', '0.7 s']);
    assert.equal(formatTick(20_000, 5_000), '20 s');
    assert.equal(formatTick(20, 5), '0.020 s');
  });
});

const run: StackEvent[] = [
  { type: 'stack-started', stack: 'demo', command: 'apply', charts: ['db', 'cache', 'web', 'docs'], at: 1_000 },
  { type: 'chart-started', chart: 'cache', action: 'deploy', namespace: 'n', at: 1_010 },
  { type: 'chart-started', chart: 'db', action: 'deploy', namespace: 'n', at: 1_020 },
  { type: 'phase-started', chart: 'db', phase: 'exec', at: 1_100 },
  { type: 'phase-failed', chart: 'db', phase: 'exec', durationMs: 900, error: 'timed out', code: 'HELM_TIMEOUT', at: 2_000 },
  { type: 'chart-failed', chart: 'db', phase: 'exec', durationMs: 980, error: 'timed out\npods not ready', code: 'DEPLOY_FAILED', failureClass: 'readiness-timeout', hint: 'look at <the pods>', at: 2_000 },
  { type: 'chart-finished', chart: 'cache', outcome: 'installed', durationMs: 1_500, at: 2_510 },
  { type: 'chart-skipped', chart: 'web', reason: "needs 'db', which failed", at: 2_510 },
  { type: 'stack-finished', stack: 'demo', command: 'apply', ok: false, durationMs: 1_510, counts: { succeeded: 1, failed: 1, skipped: 1, cancelled: 0 }, at: 2_510 },
];

describe('one order for the timeline and the table', () => {
  it('by when each chart started, then the charts that never started in the stack order', () => {
    assert.deepEqual(chartOrder(run), ['cache', 'db', 'web', 'docs']);
    const { rows, failures } = chartRows(run);
    assert.deepEqual(rows.map((r) => [r.chart, r.state]), [['cache', 'succeeded'], ['db', 'failed'], ['web', 'skipped'], ['docs', 'unfinished']]);
    assert.deepEqual(failures.map((f) => [f.chart, f.hint]), [['db', 'look at <the pods>']]);
  });

  it('keeps the stack order between charts that started at the same moment', () => {
    const same: StackEvent[] = [
      { type: 'stack-started', stack: 's', command: 'apply', charts: ['b', 'a'], at: 0 },
      { type: 'chart-started', chart: 'a', action: 'deploy', namespace: 'n', at: 5 },
      { type: 'chart-started', chart: 'b', action: 'deploy', namespace: 'n', at: 5 },
    ];
    assert.deepEqual(chartOrder(same), ['b', 'a']);
  });

  it('the report lists the timeline rows and the table rows in that order', () => {
    const html = buildReport(run);
    const inOrder = (pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]);
    assert.deepEqual(inOrder(/<g class="row" data-chart="([^"]+)"/g), ['cache', 'db', 'web', 'docs']);
    assert.deepEqual(inOrder(/<tr class="[a-z]+" data-chart="([^"]+)"/g), ['cache', 'db', 'web', 'docs']);
  });
});

describe('marks, legend and failure text', () => {
  const html = buildReport(run);

  it('marks failed and skipped charts with a symbol and a word, not colour alone', () => {
    assert.match(html, /<g class="row" data-chart="db" data-state="failed"><text class="label"[^>]*><title>db: failed<\/title>✖ db<\/text>/);
    assert.match(html, /<g class="failed-mark">.*?✖<\/text><\/g>/);
    assert.match(html, /<g class="row" data-chart="web" data-state="skipped">.*?<text class="not-run"[^>]*>↷ skipped: needs &#39;db&#39;, which failed<\/text>/);
    assert.match(html, /<tr class="failed" data-chart="db"><td>db<\/td><td><span class="mark">✖<\/span> failed in exec<\/td>/);
  });

  it('has a legend naming each phase shown and each mark', () => {
    const legend = /<div class="legend">(.*?)<\/div>/s.exec(html)?.[1] ?? '';
    assert.match(legend, /exec<\/li>/);
    assert.doesNotMatch(legend, /preExec/, 'only the phases that appear');
    for (const word of ['✔</span>succeeded', '✖</span>failed', '↷</span>skipped', '⊘</span>cancelled', 'a phase that failed']) assert.ok(legend.includes(word), word);
  });

  it('wraps the failure text instead of scrolling it, and shows the hint (escaped)', () => {
    assert.match(html, /pre\{[^}]*white-space:pre-wrap[^}]*overflow-wrap:anywhere/);
    assert.match(html, /<pre>timed out\npods not ready<\/pre><p class="hint"><strong>hint:<\/strong> look at &lt;the pods&gt;<\/p>/);
  });
});

describe("the run's facts", () => {
  it('renders every fact in a fixed order, escaped, and names the ones the run never learnt', () => {
    const html = renderFacts({ command: 'helmcycle --report <r>.html apply', kubeconfig: '/home/me/.kube/config', kubeContext: 'kind-dev', server: 'https://10.0.0.1:6443', clusterVersion: 'v1.33.1', helmVersion: 'v3.17.2', helmcycleVersion: '0.1.0' }, Date.UTC(2025, 11, 2, 8, 15, 3, 250));
    const pairs = [...html.matchAll(/<dt>([^<]+)<\/dt><dd[^>]*>([^<]*)<\/dd>/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(pairs, [
      ['date', '2025-12-02 08:15:03 UTC'],
      ['command', 'helmcycle --report &lt;r&gt;.html apply'],
      ['kubeconfig', '/home/me/.kube/config'],
      ['kube context', 'kind-dev'],
      ['API server', 'https://10.0.0.1:6443'],
      ['cluster version', 'v1.33.1'],
      ['helm version', 'v3.17.2'],
      ['helmcycle version', '0.1.0'],
    ]);
    const partial = renderFacts({ helmcycleVersion: '0.1.0' }, undefined);
    assert.equal((partial.match(/<dd class="unknown">not known<\/dd>/g) ?? []).length, 7);
  });

  it('never shows a user, password, token or query of the server URL', () => {
    assert.equal(safeServerUrl('https://admin:s3cret@api.example:6443/k8s?token=abc#x'), 'https://api.example:6443/k8s');
    assert.equal(safeServerUrl('not a url'), undefined);
    assert.equal(safeServerUrl(undefined), undefined);
    const html = buildReport(run, { server: 'https://admin:s3cret@api.example:6443/?token=abc' });
    assert.doesNotMatch(html, /s3cret|admin|token=abc/);
  });

  it('dates the run in UTC to the second', () => {
    assert.equal(formatRunDate(Date.UTC(2024, 0, 9, 23, 59, 59, 999)), '2024-01-09 23:59:59 UTC');
  });
});
