// The HTML report as a person sees it: a real apply that succeeds and one that fails on the local
// cluster, with Helm 3 and Helm 4, each report rendered by headless Chromium. The checks read the
// real layout: the legend, the marks of failed and skipped charts, the failure text and its hint are
// visible, nothing covers them, and nothing is wider than the window (the failure text wraps rather
// than scrolls). The screenshots stay under test-output/report-browser/ (CI keeps them).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { chromiumBinary, probe, screenshot, type Box, type Probe } from '../support/chromium.js';
import { fixtures, helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const WEB = resolve(fixtures.web);
const STRICT = resolve('test/fixtures/charts/strict-values');
const OUT = resolve('test-output/report-browser');
/** A key the chart's schema refuses, too long for any window: helm's error names it, so it must wrap. */
const LONG_KEY = `notInTheSchema${'X'.repeat(180)}`;
const WIDTHS = [1280, 720] as const;

const created: { target: HelmUnderTest; namespace: string }[] = [];
after(async () => {
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
});

/** Applies the stack with --report; the report's path and the exit code. */
async function applyWithReport(target: HelmUnderTest, name: string, charts: object[]): Promise<{ code: number; report: string; stderr: string }> {
  const namespace = uniqueNamespace(`report-${name}-${target.label}`);
  created.push({ target, namespace });
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-report-browser-'));
  const file = join(dir, 'helmcycle.yaml');
  await writeFile(file, stringify({ defaults: { namespace, createNamespace: true }, charts }));
  await mkdir(OUT, { recursive: true });
  const report = join(OUT, `${target.label}-${name}.html`);
  let stderr = '';
  const code = await main(['-c', file, '--helm', target.binary, '--report', report, 'apply'], { stdout: () => {}, stderr: (t) => (stderr += t), interactive: false });
  return { code, report, stderr };
}

function assertShown(box: Box | null | undefined, what: string, viewportWidth: number): asserts box is Box {
  assert.ok(box, `${what} is on the page`);
  assert.ok(box.visible, `${what} is visible (has an area, not hidden)`);
  assert.ok(box.onTop, `${what} is not covered by anything`);
  assert.ok(box.left >= 0 && box.right <= viewportWidth + 0.5, `${what} is within the window (${box.left.toFixed(0)}–${box.right.toFixed(0)} of ${viewportWidth} px)`);
}

/** What both reports must show at every width: no sideways scrolling, the legend, the facts, one order. */
function assertCommon(page: Probe, expected: { helmVersion: string; context: string; helmcycleVersion: string }): void {
  const vw = page.viewportWidth;
  assert.ok(page.pageWidth <= vw, `the page is no wider than the window (${page.pageWidth} > ${vw} px)`);
  assertShown(page.legend, 'the legend', vw);
  for (const item of page.legendItems) assertShown(item, `legend item '${item.text}'`, vw);
  const legend = page.legendItems.map((i) => i.text);
  for (const entry of ['checkPrerequisites', 'exec', '✔succeeded', '✖failed', '↷skipped']) assert.ok(legend.includes(entry), `the legend names ${entry}: ${legend.join(' | ')}`);
  assertShown(page.timeline, 'the timeline', vw);
  assert.deepEqual(page.tableRows.map((r) => r.chart), page.rows.map((r) => r.chart), 'the table lists the charts in the timeline order');
  for (const row of page.rows) assertShown(row.label, `the timeline label of ${row.chart}`, vw);
  const fact = (name: string) => {
    const box = page.facts[name];
    assertShown(box, `the fact '${name}'`, vw);
    return box.text;
  };
  assert.match(fact('date'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  assert.match(fact('command'), /^helmcycle -c \S+helmcycle\.yaml --helm \S+ --report \S+\.html apply$/);
  assert.equal(fact('kube context'), expected.context);
  assert.match(fact('API server'), /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(fact('cluster version'), /^v1\.\d+\.\d+/);
  assert.equal(fact('helm version'), expected.helmVersion);
  assert.equal(fact('helmcycle version'), expected.helmcycleVersion);
  fact('kubeconfig');
}

async function keepScreenshot(report: string, name: string, width: number, height: number): Promise<void> {
  const png = join(OUT, `${name}-${width}px.png`);
  await screenshot(report, png, { width, height: Math.min(Math.ceil(height), 8_000) });
  console.log(`report screenshot: ${png}`);
}

for (const target of helmsUnderTest()) {
  describe(`the HTML report in headless Chromium with ${target.label}`, () => {
    let expected: { helmVersion: string; context: string; helmcycleVersion: string };
    before(async () => {
      const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
      expected = { helmVersion: (await target.helm.version()).version, context: target.kube.config.getCurrentContext(), helmcycleVersion: pkg.version };
    });

    it('a successful apply: the facts, the legend and a ✔ for every chart, within the window', async () => {
      chromiumBinary(); // no browser is a failure saying so, never a skip, and before the cluster is touched
      const run = await applyWithReport(target, 'success', [
        { name: 'base', chart: WEB },
        { name: 'api', chart: WEB, needs: ['base'] },
        { name: 'worker', chart: WEB, needs: ['base'] },
      ]);
      assert.equal(run.code, 0, run.stderr);
      for (const width of WIDTHS) {
        const page = await probe(run.report, width);
        assertCommon(page, expected);
        assert.deepEqual(page.rows.map((r) => [r.chart, r.state]).sort(), [['api', 'succeeded'], ['base', 'succeeded'], ['worker', 'succeeded']]);
        assert.equal(page.rows[0]?.chart, 'base', 'the chart the others need started first');
        for (const row of page.rows) assert.match(row.label!.text, new RegExp(`^✔ ${row.chart}$`));
        for (const row of page.tableRows) assert.match(row.outcome?.text ?? '', /^✔ succeeded/);
        assert.deepEqual(page.failures, []);
        if (width === WIDTHS[0]) await keepScreenshot(run.report, `${target.label}-success`, width, page.pageHeight);
      }
    });

    it('a failed apply: the ✖ and ↷ marks, the wrapped failure text and its hint are visible, within the window', async () => {
      chromiumBinary(); // no browser is a failure saying so, never a skip, and before the cluster is touched
      const run = await applyWithReport(target, 'failure', [
        { name: 'base', chart: WEB },
        { name: 'strict', chart: STRICT, setJson: { [LONG_KEY]: true } },
        { name: 'after', chart: WEB, needs: ['strict'] },
      ]);
      assert.equal(run.code, 1, run.stderr);
      for (const width of WIDTHS) {
        const page = await probe(run.report, width);
        const vw = page.viewportWidth;
        assertCommon(page, expected);
        const row = (chart: string) => page.rows.find((r) => r.chart === chart);
        assert.equal(row('strict')?.state, 'failed');
        assert.match(row('strict')!.label!.text, /^✖ strict$/, 'the failed chart is marked ✖, not only coloured');
        assert.ok(row('strict')!.failedMarks.length > 0, 'the failed phase carries a ✖');
        for (const mark of row('strict')!.failedMarks) {
          assertShown(mark, 'the ✖ on the failed phase', vw);
          assert.equal(mark.text, '✖');
        }
        assert.equal(row('after')?.state, 'skipped');
        assert.match(row('after')!.label!.text, /^↷ after$/);
        assertShown(row('after')!.notRun, 'the skip reason in the timeline', vw);
        assert.match(row('after')!.notRun!.text, /^↷ skipped: needs 'strict'/);
        const outcomes = Object.fromEntries(page.tableRows.map((r) => [r.chart, r.outcome?.text]));
        assert.match(outcomes.strict ?? '', /^✖ failed in exec/);
        assert.match(outcomes.after ?? '', /^↷ skipped/);
        assert.match(outcomes.base ?? '', /^✔ succeeded/);

        assert.equal(page.failures.length, 1);
        const failure = page.failures[0]!;
        assertShown(failure.heading, 'the failure heading', vw);
        assert.match(failure.heading.text, /^✖ strict: failed in exec/);
        assertShown(failure.pre, 'the failure text', vw);
        assert.ok(failure.pre.text.includes(LONG_KEY), "the failure text holds helm's message naming the key");
        assert.equal(failure.whiteSpace, 'pre-wrap');
        assert.ok(failure.preScrollWidth <= failure.preClientWidth, `the failure text does not scroll sideways (${failure.preScrollWidth} > ${failure.preClientWidth} px)`);
        assert.ok(failure.preLines > failure.textLines, `the long line wraps (${failure.preLines} lines shown for ${failure.textLines} lines of text)`);
        assertShown(failure.hint, 'the hint', vw);
        assert.match(failure.hint.text, /^hint: the chart did not render with these values/);
        await keepScreenshot(run.report, `${target.label}-failure`, width, page.pageHeight);
      }
    });
  });
}
