// Stacks through the CLI against the local cluster: ordering under needs, skip of dependents, fail-fast,
// reverse destroy, plan for each kind of change, skip-unchanged, selectors, JSON events, bad input.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import type { StackEvent } from '../../src/stack/events.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import { env, eventually, fixtures, helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const WEB = resolve(fixtures.web);
const NEVER_READY = resolve(fixtures.neverReady);
const BIN = resolve('bin/helmcycle.mjs');

async function writeStack(stack: object): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-stack-'));
  const file = join(dir, 'helmcycle.yaml');
  await writeFile(file, stringify(stack));
  return file;
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  lines: (StackEvent & Record<string, unknown>)[];
}

async function cli(target: HelmUnderTest, file: string, ...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(['-c', file, '--helm', target.binary, '--output', 'json', ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    interactive: false,
  });
  // --output json: every line on stdout is one JSON object.
  const lines = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  return { code, stdout, stderr, lines };
}

const indexOf = (lines: CliResult['lines'], type: string, chart: string) => lines.findIndex((e) => e.type === type && e.chart === chart);
const outcomes = (lines: CliResult['lines']) => Object.fromEntries(lines.filter((e) => e.type === 'chart-finished').map((e) => [e.chart, (e as { outcome: string }).outcome]));

async function revisions(target: HelmUnderTest, namespace: string): Promise<Record<string, string>> {
  const releases = await target.helm.list(namespace);
  return Object.fromEntries(releases.map((r) => [r.name, `${r.revision}:${r.status}`]));
}

const [helm3, helm4] = helmsUnderTest() as [HelmUnderTest, HelmUnderTest];

for (const target of [helm3, helm4]) {
  describe(`stack apply and destroy with ${target.label}`, () => {
    it('runs charts after what they need, skips them when unchanged, and destroys in reverse', async () => {
      const namespace = uniqueNamespace(`stack-${target.label}`);
      const chart = (name: string, needs: string[] = []) => ({ name, chart: WEB, needs, labels: { tier: name === 'a' ? 'base' : 'app' } });
      const file = await writeStack({
        name: 'diamond',
        defaults: { namespace, createNamespace: true, timeoutSeconds: 60 },
        charts: [chart('a'), chart('b', ['a']), chart('c', ['a']), chart('d', ['b', 'c'])],
      });
      const needs: [string, string][] = [['b', 'a'], ['c', 'a'], ['d', 'b'], ['d', 'c']];

      const applied = await cli(target, file, 'apply', '--concurrency', '2');
      assert.equal(applied.code, 0, applied.stderr);
      for (const event of applied.lines) assert.equal(typeof event.type, 'string');
      assert.equal(applied.lines[0]?.type, 'stack-started');
      assert.equal(applied.lines.at(-1)?.type, 'stack-finished');
      for (const [chartName, need] of needs) {
        assert.ok(indexOf(applied.lines, 'chart-started', chartName) > indexOf(applied.lines, 'chart-finished', need), `${chartName} started after ${need} finished`);
      }
      assert.deepEqual(await revisions(target, namespace), { a: '1:deployed', b: '1:deployed', c: '1:deployed', d: '1:deployed' });

      const again = await cli(target, file, 'apply');
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(outcomes(again.lines), { a: 'unchanged', b: 'unchanged', c: 'unchanged', d: 'unchanged' });
      assert.deepEqual(await revisions(target, namespace), { a: '1:deployed', b: '1:deployed', c: '1:deployed', d: '1:deployed' });

      const forced = await cli(target, file, 'apply', '--force-upgrade', '-l', 'tier=base');
      assert.equal(forced.code, 0, forced.stderr);
      assert.deepEqual(forced.lines[0]?.charts, ['a'], 'the selector kept only chart a');
      assert.deepEqual(outcomes(forced.lines), { a: 'upgraded' });
      assert.equal((await revisions(target, namespace)).a, '2:deployed');

      const destroyed = await cli(target, file, 'destroy', '--yes');
      assert.equal(destroyed.code, 0, destroyed.stderr);
      for (const [chartName, need] of needs) {
        assert.ok(indexOf(destroyed.lines, 'chart-started', need) > indexOf(destroyed.lines, 'chart-finished', chartName), `${need} destroyed after ${chartName}`);
      }
      assert.deepEqual(await revisions(target, namespace), {});
    });
  });
}

describe('stack failures (helm4)', () => {
  it('skips the charts that need a failed one, and runs independent branches to the end', async () => {
    const namespace = uniqueNamespace('stack-fail');
    const file = await writeStack({
      defaults: { namespace, createNamespace: true },
      charts: [
        { name: 'broken', chart: NEVER_READY, timeoutSeconds: 4 },
        { name: 'child', chart: WEB, needs: ['broken'] },
        { name: 'grandchild', chart: WEB, needs: ['child'] },
        { name: 'independent', chart: WEB },
      ],
    });
    const result = await cli(helm4, file, 'apply');
    assert.equal(result.code, 1);
    const skipped = Object.fromEntries(result.lines.filter((e) => e.type === 'chart-skipped').map((e) => [e.chart, (e as { reason: string }).reason]));
    assert.deepEqual(skipped, { child: "needs 'broken', which failed", grandchild: "needs 'child', which was skipped" });
    assert.deepEqual(outcomes(result.lines), { independent: 'installed' });
    const failed = result.lines.find((e) => e.type === 'chart-failed');
    assert.equal(failed?.chart, 'broken');
    assert.match(String(failed?.error), /pods not ready/);
    const releases = await revisions(helm4, namespace);
    assert.deepEqual(Object.keys(releases).sort(), ['broken', 'independent']);
  });

  it('--fail-fast cancels running charts and starts no more, leaving no release pending', async () => {
    const namespace = uniqueNamespace('stack-ff');
    const file = await writeStack({
      defaults: { namespace, createNamespace: true },
      concurrency: 2,
      charts: [
        { name: 'slow', chart: NEVER_READY, timeoutSeconds: 120 },
        { name: 'broken', chart: NEVER_READY, timeoutSeconds: 3 },
        { name: 'later', chart: WEB },
      ],
    });
    const started = Date.now();
    const result = await cli(helm4, file, 'apply', '--fail-fast');
    assert.equal(result.code, 1);
    assert.ok(Date.now() - started < 60_000, 'the slow chart did not run to its 120 s timeout');
    assert.equal(result.lines.find((e) => e.type === 'chart-failed')?.chart, 'broken');
    const cancelled = result.lines.filter((e) => e.type === 'chart-cancelled').map((e) => e.chart).sort();
    assert.deepEqual(cancelled, ['later', 'slow']);
    const releases = await revisions(helm4, namespace);
    assert.equal(releases.later, undefined, 'later never started');
    for (const [name, state] of Object.entries(releases)) assert.doesNotMatch(state, /pending/, `${name} is ${state}`);
  });
});

describe('plan (helm4)', () => {
  it('says what apply would do to each chart, and changes nothing', async () => {
    const namespace = uniqueNamespace('stack-plan');
    const base = {
      defaults: { namespace, createNamespace: true, timeoutSeconds: 60 },
      charts: [
        { name: 'keep', chart: WEB },
        { name: 'change', chart: WEB },
        { name: 'breaking', chart: 'web', repository: env.repo, version: '1.0.0' },
        { name: 'stuck', chart: WEB },
        { name: 'gone', chart: WEB },
      ],
    };
    const applied = await cli(helm4, await writeStack(base), 'apply');
    assert.equal(applied.code, 0, applied.stderr);

    // Leave `stuck` in pending-upgrade: kill helm while it waits on pods that never get ready.
    const upgrade = execa(helm4.binary, ['upgrade', 'stuck', WEB, '-n', namespace, '--set', 'fakeBehavior=never-ready', '--wait', '--timeout', '120s'], { reject: false });
    await eventually('stuck to be pending', async () => ((await helm4.helm.status({ release: 'stuck', namespace }))?.status === 'pending-upgrade' ? true : undefined));
    upgrade.kill('SIGKILL');
    await upgrade;

    const next = {
      ...base,
      environments: { next: { charts: { change: { set: { message: 'planned' } } } } },
      charts: [
        ...base.charts.filter((c) => !['breaking', 'gone'].includes(c.name)),
        { name: 'breaking', chart: 'web', repository: env.repo, version: '2.0.0', lastBreakingVersionRequiringRestart: '2.0.0' },
        { name: 'gone', chart: WEB, action: 'destroy' },
        { name: 'fresh', chart: WEB },
      ],
    };
    const file = await writeStack(next);
    const before = await revisions(helm4, namespace);
    const result = await cli(helm4, file, '--env', 'next', 'plan');
    assert.equal(result.code, 0, result.stderr);
    const plans: Record<string, ChartPlan> = Object.fromEntries(result.lines.map((line) => [line.chart, line as unknown as ChartPlan]));
    assert.deepEqual(
      Object.fromEntries(Object.entries(plans).map(([name, p]) => [name, p.action])),
      { keep: 'skip', change: 'upgrade', stuck: 'recover', breaking: 'reinstall', gone: 'delete', fresh: 'install' },
    );
    const configChange = plans.change!.changes.find((c) => c.resource === `ConfigMap/${namespace}/change-web`);
    assert.equal(configChange?.change, 'changed');
    assert.match(configChange!.patch, /\+ {2}message: planned/);
    assert.match(plans.stuck!.reason, /stuck in pending-upgrade: roll back to revision 1/);
    assert.match(plans.breaking!.reason, /installed chart 1\.0\.0 is older than the last breaking version 2\.0\.0/);
    assert.deepEqual(plans.fresh!.changes.map((c) => c.change), ['added', 'added', 'added']);
    assert.deepEqual(plans.gone!.changes.map((c) => c.change), ['removed', 'removed', 'removed']);
    assert.deepEqual(await revisions(helm4, namespace), before, 'plan changed nothing');

    let textOut = '';
    const text = await main(['-c', file, '--helm', helm4.binary, '--env', 'next', 'plan'], { stdout: (t) => (textOut += t), stderr: () => {}, interactive: false });
    assert.equal(text, 0);
    assert.match(textOut, /^~ change \(.*\): upgrade: chart 1\.0\.0: 2 resource\(s\) change$/m);
    assert.match(textOut, /^ {8}\+ {2}message: planned$/m);
    assert.match(textOut, /^plan: 1 to install, 1 to upgrade, 1 to reinstall, 1 to recover, 1 to delete, 1 unchanged; 1 predicted failure\(s\)$/m);
    assert.match(textOut, /^ {4}! predicted stuck-release: .*\n {6}apply would take: unlock-retry/m);
  });
});

describe('bad stack files, through the real binary', () => {
  it('each give one clear error, exit 2, and change nothing', async () => {
    const namespace = uniqueNamespace('stack-bad');
    const web = (name: string, extra: object = {}) => ({ name, chart: WEB, namespace, createNamespace: true, ...extra });
    const cases: [string, object, RegExp][] = [
      ['cycle', { charts: [web('a', { needs: ['b'] }), web('b', { needs: ['a'] })] }, /the charts' needs form a cycle: a → b → a/],
      ['unknown need', { charts: [web('a', { needs: ['ghost'] })] }, /chart 'a' needs 'ghost', which is not a chart of this stack/],
      ['wrong type', { charts: [web('a', { atomic: 'yes' })] }, /chart 'a' has an invalid spec:\n {2}- atomic: Invalid input: expected boolean, received string/],
      ['missing file', { charts: [web('a', { valuesFiles: ['nope.yaml'] })] }, /chart 'a' names a file that does not exist\n {2}- valuesFiles\[0\]: .*nope\.yaml does not exist/],
    ];
    await Promise.all(
      cases.map(async ([label, stack, expected]) => {
        const file = await writeStack(stack);
        const result = await execa('node', [BIN, '-c', file, '--helm', helm4.binary, 'apply'], { reject: false, env: { CI: 'true' } });
        assert.equal(result.exitCode, 2, `${label}: ${result.stderr}`);
        assert.match(result.stderr, new RegExp(`^helmcycle: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `), `${label} names the file`);
        assert.match(result.stderr, expected, label);
        assert.equal(result.stderr.split('\n').filter((l) => l.startsWith('helmcycle:')).length, 1, `${label}: one error`);
      }),
    );
    assert.equal(await helm4.kube.namespaceExists(namespace), false, 'nothing was created');
  });
});

describe('status, validate, template and list (helm4)', () => {
  it('report on what is deployed without changing it', async () => {
    const namespace = uniqueNamespace('stack-status');
    const file = await writeStack({ defaults: { namespace, createNamespace: true }, charts: [{ name: 'web', chart: WEB, labels: { tier: 'app' } }, { name: 'absent', chart: WEB }] });
    assert.equal((await cli(helm4, file, '--only', 'web', 'apply')).code, 0);

    const status = await cli(helm4, file, 'status');
    assert.equal(status.code, 3, 'one chart is not installed (and none is degraded): the documented exit code 3');
    const byChart = Object.fromEntries(status.lines.map((l) => [l.chart, l as unknown as { revision?: number; status: string; health: string }]));
    assert.deepEqual([byChart.web?.revision, byChart.web?.status, byChart.web?.health], [1, 'deployed', 'ready']);
    assert.deepEqual([byChart.absent?.status, byChart.absent?.health], ['not installed', 'not-installed']);

    const validated = await cli(helm4, file, '--only', 'web', 'validate');
    assert.equal(validated.code, 0, validated.stderr);
    assert.deepEqual(outcomes(validated.lines), { web: 'unchanged' });
    const notInstalled = await cli(helm4, file, '--only', 'absent', 'validate');
    assert.equal(notInstalled.code, 1);
    assert.match(String(notInstalled.lines.find((e) => e.type === 'chart-failed')?.error), /release 'absent' is not installed/);

    let rendered = '';
    assert.equal(await main(['-c', file, '--helm', helm4.binary, '--only', 'web', 'template'], { stdout: (t) => (rendered += t), stderr: () => {}, interactive: false }), 0);
    assert.match(rendered, /^# chart: web\n/);
    assert.match(rendered, /kind: Deployment\nmetadata:\n {2}name: web-web/);

    const listed = await cli(helm4, file, '-l', 'tier=app', 'list');
    assert.deepEqual(listed.lines.map((l) => l.name), ['web']);
    assert.deepEqual(await revisions(helm4, namespace), { web: '1:deployed' }, 'nothing changed');
  });
});
