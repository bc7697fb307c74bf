// Headless Chromium for tests that look at a page as a person would: a screenshot, and a probe that
// measures what is visible. The probe is a copy of the page with a script that reads the real layout
// (boxes, computed styles, which element is on top at a point) and writes it into the page; Chromium's
// --dump-dom hands the result back. The page itself is never changed: the screenshot is of the original.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** HELMCYCLE_CHROMIUM, else chromium on PATH; a missing browser is an error, never a skipped test. */
export function chromiumBinary(): string {
  const candidates = process.env.HELMCYCLE_CHROMIUM
    ? [process.env.HELMCYCLE_CHROMIUM]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).flatMap((dir) => ['chromium', 'chromium-browser'].map((name) => join(dir, name)));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`no Chromium found (${process.env.HELMCYCLE_CHROMIUM ? `HELMCYCLE_CHROMIUM=${process.env.HELMCYCLE_CHROMIUM} is not executable` : 'chromium is not on PATH'}): install Debian's chromium (apt-get install chromium, as npm test does first: scripts/ensure-test-tools.sh) or set HELMCYCLE_CHROMIUM`);
}

async function chromium(args: string[]): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'helmcycle-chromium-'));
  try {
    const { stdout } = await run(chromiumBinary(), [
      '--headless',
      // Chromium's sandbox refuses to start as root (CI runs as root).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--no-default-browser-check', '--disable-extensions',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--user-data-dir=${profile}`,
      ...args,
    ], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** A PNG of the page at this window size. */
export async function screenshot(page: string, png: string, size: { width: number; height: number }): Promise<void> {
  await chromium([`--window-size=${size.width},${size.height}`, `--screenshot=${png}`, pathToFileURL(page).href]);
  accessSync(png, constants.R_OK);
}

export interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
  /** Has an area, and is not display:none, visibility:hidden or transparent (itself or an ancestor). */
  visible: boolean;
  /** After scrolling it into view, the element at its centre is it (or inside it): nothing covers it. */
  onTop: boolean;
  text: string;
}

// Runs in the page. Kept as plain JavaScript text: it is not part of the project's code.
const PROBE = String.raw`
(() => {
  const seen = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
    }
    return true;
  };
  // The text a reader sees: an SVG <title> is a tooltip, not shown.
  const shown = (el) => [...el.childNodes].filter((n) => n.nodeName !== 'title').map((n) => (n.nodeType === 1 ? shown(n) : n.textContent)).join('').trim();
  const box = (el) => {
    if (!el) return null;
    el.scrollIntoView({ block: 'center', inline: 'nearest' });
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const absolute = { left: r.left + scrollX, right: r.right + scrollX, top: r.top + scrollY, bottom: r.bottom + scrollY };
    return { ...absolute, width: r.width, height: r.height, visible: r.width > 0 && r.height > 0 && seen(el),
      onTop: !!hit && (hit === el || el.contains(hit)), text: shown(el) };
  };
  // Lines as laid out: the distinct tops of the text's line boxes (a wrapped line adds one).
  const visualLines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  };
  const all = (selector) => [...document.querySelectorAll(selector)];
  const result = {
    viewportWidth: document.documentElement.clientWidth,
    pageWidth: document.documentElement.scrollWidth,
    pageHeight: document.documentElement.scrollHeight,
    legend: box(document.querySelector('.legend')),
    legendItems: all('.legend li').map(box),
    timeline: box(document.querySelector('svg.timeline')),
    rows: all('svg.timeline g.row').map((g) => ({ chart: g.dataset.chart, state: g.dataset.state, label: box(g.querySelector('text.label')),
      notRun: box(g.querySelector('text.not-run')), failedMarks: [...g.querySelectorAll('.failed-mark')].map(box) })),
    tableRows: all('table.charts tr[data-chart]').map((tr) => ({ chart: tr.dataset.chart, outcome: box(tr.children[1]) })),
    failures: all('section.failure').map((s) => {
      const pre = s.querySelector('pre');
      const style = getComputedStyle(pre);
      return { chart: s.dataset.chart, heading: box(s.querySelector('h3')), pre: box(pre), hint: box(s.querySelector('.hint')),
        whiteSpace: style.whiteSpace, preScrollWidth: pre.scrollWidth, preClientWidth: pre.clientWidth,
        preLines: visualLines(pre),
        textLines: pre.textContent.split('\n').length };
    }),
    facts: Object.fromEntries(all('dl.facts dt').map((dt) => [dt.textContent.trim(), box(dt.nextElementSibling)])),
  };
  const out = document.createElement('pre');
  out.id = 'helmcycle-probe';
  out.textContent = btoa(unescape(encodeURIComponent(JSON.stringify(result))));
  document.body.appendChild(out);
})();
`;

export interface Probe {
  viewportWidth: number;
  pageWidth: number;
  pageHeight: number;
  legend: Box | null;
  legendItems: Box[];
  timeline: Box | null;
  rows: { chart: string; state: string; label: Box | null; notRun: Box | null; failedMarks: Box[] }[];
  tableRows: { chart: string; outcome: Box | null }[];
  failures: { chart: string; heading: Box | null; pre: Box | null; hint: Box | null; whiteSpace: string; preScrollWidth: number; preClientWidth: number; preLines: number; textLines: number }[];
  facts: Record<string, Box | null>;
}

/** What a reader sees of the page at this window width (measured in a copy that carries the probe). */
export async function probe(page: string, width: number): Promise<Probe> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-probe-'));
  try {
    const copy = join(dir, 'probe.html');
    const html = await readFile(page, 'utf8');
    if (!html.includes('</body>')) throw new Error(`${page} has no </body>`);
    await writeFile(copy, html.replace('</body>', `<script>${PROBE}</script></body>`));
    // A short window: the probe scrolls each element into view before asking what is on top there.
    const dom = await chromium([`--window-size=${width},900`, '--dump-dom', pathToFileURL(copy).href]);
    const encoded = /<pre id="helmcycle-probe">([A-Za-z0-9+/=]+)<\/pre>/.exec(dom)?.[1];
    if (!encoded) throw new Error(`the probe wrote nothing into ${page} (did the page load?):\n${dom.slice(0, 500)}`);
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Probe;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
