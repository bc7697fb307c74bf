import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { releaseDigest } from '../../src/lifecycle/digest.js';
import { buildReport } from '../../src/report/html.js';
import { parseChartSpec } from '../../src/config/parse.js';
import type { StackEvent } from '../../src/stack/events.js';
import { diffManifests, formatManifestDiff } from '../../src/stack/manifest-diff.js';
import { stackJsonSchema } from '../../src/stack/schema.js';
import { TreeModel } from '../../src/cli/render/tree-model.js';
import { renderTree } from '../../src/cli/render/tree-view.js';
import { jsonRenderer } from '../../src/cli/render/json.js';

const configMap = (message: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  message: ${message}\n`;
const secret = (password: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: ${password}\n  user: admin\n`;

describe('manifest diff', () => {
  it('lists added, removed and changed resources with a unified patch', () => {
    const changes = diffManifests(`${configMap('a')}---\n${secret('p1')}`, `${configMap('b')}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n`, 'apps');
    assert.deepEqual(changes.map((c) => [c.resource, c.change]), [
      ['ConfigMap/apps/web', 'changed'],
      ['Secret/apps/creds', 'removed'],
      ['Service/apps/web', 'added'],
    ]);
    assert.match(formatManifestDiff(changes), /~ ConfigMap\/apps\/web \(changed\)\n.*\n(.*\n)*\s+- {2}message: a\n\s+\+ {2}message: b/);
    assert.deepEqual(diffManifests(configMap('same'), configMap('same'), 'apps'), []);
  });

  it('never shows Secret values, only which keys changed', () => {
    const [change] = diffManifests(secret('hunter2'), secret('correct-horse'), 'apps');
    assert.ok(change);
    assert.doesNotMatch(change.patch, /hunter2|correct-horse/);
    assert.match(change.patch, /\+ {2}password: \(secret value of password, changed\)/);
    assert.doesNotMatch(change.patch, /[-+] {2}user:/, 'an unchanged key is not a change');
  });
});

describe('release digest', () => {
  const spec = parseChartSpec({ name: 'web', chart: 'web', repository: 'http://charts.example', set: { a: 1 }, setSensitive: { password: 'xxxx' } });
  // The namespace's digest key (digest-key.ts): sensitive values enter only through an HMAC with it.
  const sensitiveKey = Buffer.alloc(32, 7);
  const digest = (overrides: Partial<Parameters<typeof releaseDigest>[0]> = {}) =>
    releaseDigest({ spec, chartVersion: '1.0.0', valuesFileContents: ['a: 1'], localChartHash: undefined, sensitiveKey, ...overrides });

  it('is a stable label value that changes with the chart version, values files and sensitive values', () => {
    assert.match(digest(), /^[0-9a-f]{40}$/);
    assert.equal(digest(), digest());
    assert.notEqual(digest({ chartVersion: '1.0.1' }), digest());
    assert.notEqual(digest({ valuesFileContents: ['a: 2'] }), digest());
    assert.notEqual(digest({ spec: { ...spec, setSensitive: { password: 'yyyy' } } }), digest());
  });

  it('ignores how helm is asked to wait, which does not change the release', () => {
    assert.equal(digest({ spec: { ...spec, timeoutSeconds: 999, atomic: true, upgradeRetry: { attempts: 3, delayMs: 1 } } }), digest());
  });
});

const events: StackEvent[] = [
  { type: 'stack-started', stack: 'demo', command: 'apply', charts: ['db', 'web'], at: 1000 },
  { type: 'chart-started', chart: 'db', action: 'deploy', namespace: 'apps', at: 1000 },
  { type: 'phase-started', chart: 'db', phase: 'exec', at: 1100 },
  { type: 'phase-failed', chart: 'db', phase: 'exec', durationMs: 900, error: 'timed out <waiting>', code: 'HELM_TIMEOUT', at: 2000 },
  { type: 'chart-failed', chart: 'db', phase: 'exec', durationMs: 1000, error: 'timed out <waiting>\npods not ready', code: 'DEPLOY_FAILED', at: 2000 },
  { type: 'chart-skipped', chart: 'web', reason: "needs 'db', which failed", at: 2000 },
  { type: 'stack-finished', stack: 'demo', command: 'apply', ok: false, durationMs: 1000, counts: { succeeded: 0, failed: 1, skipped: 1, cancelled: 0 }, at: 2000 },
];

describe('report and live tree', () => {
  it('writes a self-contained report with a Gantt bar per phase and each failure, escaped', () => {
    const html = buildReport(events);
    assert.match(html, /<svg[^>]*>.*<rect class="bar failed"[^>]*stroke="#b00020"[^>]*><title>db exec: 0\.90 s \(failed\)<\/title>/s);
    assert.match(html, /<h3>✖ db: failed in exec<\/h3><pre>timed out &lt;waiting&gt;\npods not ready<\/pre>/);
    assert.match(html, /<td>web<\/td><td><span class="mark">↷<\/span> skipped<\/td><td><\/td><td>needs &#39;db&#39;, which failed<\/td>/);
    assert.doesNotMatch(html, /<script|<link|src=|url\((?!#)|@import/, 'nothing loads from elsewhere');
  });

  it('renders charts with their state, opening a running chart to its phases', () => {
    const model = new TreeModel();
    for (const event of events.slice(0, 3)) model.apply(event);
    assert.deepEqual(renderTree(model, { now: 1600, width: 79 }), ['apply demo  0 of 2 done, 0.6s', ' ▶ db        exec                      0.6s', '     └ exec                   0.5s…', ' · web       waiting']);
    for (const event of events.slice(3)) model.apply(event);
    const screen = renderTree(model, { now: 3000, width: 79 }).join('\n');
    assert.match(screen, / ✖ db +failed in exec +1\.0s\n {7}timed out <waiting>\n {7}pods not ready\n/);
    assert.match(screen, / ↷ web +skipped +needs 'db', which failed\n/);
    assert.match(screen, /\napply demo: FAILED in 1\.0 s: 1 failed, 1 not run$/);
  });
});

describe('JSON output', () => {
  it('writes the events of one turn of the event loop in one write, in order, and the rest on close', async () => {
    const writes: string[] = [];
    const renderer = jsonRenderer((text) => writes.push(text));
    const event = (chart: string): StackEvent => ({ type: 'chart-started', chart, action: 'deploy', namespace: 'apps', at: 1 });
    renderer.event(event('a'));
    renderer.event(event('b'));
    assert.equal(writes.length, 0, 'nothing written within the turn');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes.map((w) => w.split('\n').map((line) => (JSON.parse(line) as { chart: string }).chart)), [['a', 'b']]);
    renderer.event(event('c'));
    renderer.close();
    assert.equal(writes.length, 2);
    assert.equal((JSON.parse(writes[1]!) as { chart: string }).chart, 'c', 'close writes what is left at once');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.length, 2, 'and nothing twice');
  });
});

describe('published JSON Schema', () => {
  it('is the one the zod schema generates (run `npm run schema` after changing the spec)', async () => {
    const published = JSON.parse(await readFile(new URL('../../schema/helmcycle.schema.json', import.meta.url), 'utf8'));
    assert.deepEqual(published, JSON.parse(JSON.stringify(stackJsonSchema())));
  });
});

async function cli(files: Record<string, string>, args: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-cli-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd: dir });
  return { code, stdout, stderr, dir };
}

describe('CLI input errors (exit 2, before any cluster call)', () => {
  const chart = (name: string, extra = '') => `  - name: ${name}\n    chart: ./charts/${name}\n${extra}`;

  it('a cycle', async () => {
    const r = await cli({ 'helmcycle.yaml': `charts:\n${chart('a', '    needs: [b]\n')}${chart('b', '    needs: [a]\n')}` }, ['plan']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /helmcycle\.yaml: the charts' needs form a cycle: a → b → a/);
  });

  it('an unknown need', async () => {
    const r = await cli({ 'helmcycle.yaml': `charts:\n${chart('a', '    needs: [ghost]\n')}` }, ['apply']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /helmcycle\.yaml: chart 'a' needs 'ghost', which is not a chart of this stack\n {2}- needs: unknown chart 'ghost'; known: a/);
  });

  it('a field of the wrong type names the file, the chart and the field', async () => {
    const r = await cli({ 'helmcycle.yaml': `charts:\n${chart('a', '    timeoutSeconds: soon\n')}` }, ['apply']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /helmcycle\.yaml: chart 'a' has an invalid spec:\n {2}- timeoutSeconds: Invalid input: expected number, received string/);
  });

  it('a missing values file', async () => {
    const r = await cli({ 'helmcycle.yaml': `charts:\n${chart('a', '    valuesFiles: [missing.yaml]\n')}` }, ['apply']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /helmcycle\.yaml: chart 'a' names a file that does not exist\n {2}- valuesFiles\[0\]: .*missing\.yaml does not exist/);
  });

  it('YAML that does not parse, an unknown environment and an unknown option', async () => {
    assert.match((await cli({ 'helmcycle.yaml': 'charts: [\n' }, ['plan'])).stderr, /helmcycle\.yaml: not valid YAML/);
    const env = await cli({ 'helmcycle.yaml': `charts:\n${chart('a')}` }, ['--env', 'prod', 'plan']);
    assert.deepEqual([env.code, /unknown environment 'prod' \(the stack defines none\)/.test(env.stderr)], [2, true]);
    assert.equal((await cli({}, ['apply', '--no-such-flag'])).code, 2);
  });
});
