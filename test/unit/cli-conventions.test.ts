// The command-line conventions of issue 14: plan's detailed exit codes, destroy's confirmation, and the
// parts of --debug, completion and a closed pipe that need no cluster.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DetailedPlanError, EXIT, exitCodeForError } from '../../src/cli/exit-codes.js';
import { main, type CliIo } from '../../src/cli/main.js';
import { detailedPlanExitCode, usageErrorCode } from '../../src/cli/plan-exit.js';
import { CancelledError, StackConfigError } from '../../src/errors.js';
import type { ChartPlan } from '../../src/stack/plan.js';

const plan = (action: ChartPlan['action'], predicted = 0): Pick<ChartPlan, 'action' | 'predictions'> => ({
  action,
  predictions: Array.from({ length: predicted }, () => ({ class: 'immutable-field', detail: 'Deployment/web: spec.selector is immutable', remedy: 'recreate-retry', remedyReason: 'the policy' })),
});

async function cliIn(files: Record<string, string>, args: string[], io: Partial<CliIo> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-conv-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd: dir, ...io });
  return { code, stdout, stderr, dir };
}

describe('plan --detailed-exitcode', () => {
  it('is 0 when every chart is skipped or has nothing to delete, 2 when any changes, 1 when any failure is predicted', () => {
    assert.equal(detailedPlanExitCode([plan('skip'), plan('none')]), EXIT.ok);
    assert.equal(detailedPlanExitCode([]), EXIT.ok);
    for (const action of ['install', 'upgrade', 'reinstall', 'restore', 'recover', 'delete'] as const) {
      assert.equal(detailedPlanExitCode([plan('skip'), plan(action)]), 2, action);
    }
    assert.equal(detailedPlanExitCode([plan('upgrade'), plan('skip', 1)]), 1, 'a predicted failure wins over changes');
  });

  it('makes every error 1 (bad input too), keeps Ctrl-C 130, and leaves other commands alone', () => {
    const bad = new StackConfigError('bad');
    assert.equal(exitCodeForError(bad, false), EXIT.badInput);
    const wrapped = new DetailedPlanError(bad);
    assert.equal(exitCodeForError(wrapped, false), 1);
    assert.equal(wrapped.message, bad.message);
    assert.equal(wrapped.hint, bad.hint);
    assert.equal(exitCodeForError(wrapped, true), EXIT.interrupted);
    assert.equal(exitCodeForError(new DetailedPlanError(new CancelledError()), false), EXIT.interrupted);
    assert.equal(usageErrorCode(['plan', '--detailed-exitcode', '--bogus']), 1);
    assert.equal(usageErrorCode(['plan', '--bogus']), 2);
  });

  it('answers 1, not 2, for a config that does not load, and an unknown option next to the flag', async () => {
    const broken = await cliIn({ 'helmcycle.yaml': 'charts: [\n' }, ['plan', '--detailed-exitcode']);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /helmcycle\.yaml: not valid YAML/);
    const unknown = await cliIn({ 'helmcycle.yaml': 'charts: []\n' }, ['plan', '--detailed-exitcode', '--bogus']);
    assert.equal(unknown.code, 1);
    assert.equal((await cliIn({ 'helmcycle.yaml': 'charts: [\n' }, ['plan'])).code, 2, 'without the flag, bad input stays 2');
  });
});

describe('destroy asks first', () => {
  const stack = 'name: shop\ncharts:\n  - { name: db, chart: ./db }\n  - { name: web, chart: ./web, needs: [db] }\n';

  it('needs --yes without a terminal: exit 2, before the stack or the cluster is touched', async () => {
    const r = await cliIn({ 'helmcycle.yaml': 'charts: [\n' }, ['destroy']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /destroy asks for confirmation, and there is no terminal to ask on/);
    assert.match(r.stderr, /hint: nothing was changed; pass --yes to destroy without asking/);
    const noStdin = await cliIn({ 'helmcycle.yaml': 'charts: [\n' }, ['destroy'], { interactive: true });
    assert.equal(noStdin.code, 2, 'a terminal on stdout but not on stdin cannot answer');
  });

  it('on a terminal, names the stack and every chart it would remove; anything but "yes" changes nothing (exit 1)', async () => {
    const questions: string[] = [];
    for (const answer of ['no', 'y', '', undefined]) {
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-destroy-'));
      await mkdir(join(dir, 'db'));
      await mkdir(join(dir, 'web'));
      await writeFile(join(dir, 'helmcycle.yaml'), stack);
      let stderr = '';
      const code = await main(['destroy'], { stdout: () => undefined, stderr: (t) => (stderr += t), interactive: true, cwd: dir, ask: async (q) => (questions.push(q), answer) });
      assert.equal(code, 1, String(answer));
      assert.match(stderr, /destroy cancelled: nothing was changed/);
    }
    assert.match(questions[0]!, /^Destroy 2 chart\(s\) of stack shop: web, db\?\n.*Type 'yes' to continue: $/);
  });

  it('"yes" is the only answer that confirms', async () => {
    const { confirms } = await import('../../src/cli/confirm.js');
    assert.deepEqual(['yes', ' yes\n', 'YES', 'y', '', undefined].map(confirms), [true, true, false, false, false, false]);
  });
});

describe('--debug lines', () => {
  it('show the argv as a shell reads it back, the duration and the outcome, masked', async () => {
    const { formatHelmCall, shellQuote } = await import('../../src/helm/debug-line.js');
    const { createMasker } = await import('../../src/secrets/masker.js');
    assert.equal(shellQuote('--set=a.b=1'), '--set=a.b=1');
    assert.equal(shellQuote("it's here"), `'it'\\''s here'`);
    const call = { binary: '/usr/bin/helm', argv: ['upgrade', '--install', 'web', '--set', 'token=s3cr3t-value', '--description', 'two words'], durationMs: 1234.4, exitCode: 0, cancelled: false, timedOut: false };
    const line = formatHelmCall(call, createMasker(['s3cr3t-value']));
    assert.equal(line, "helmcycle debug: /usr/bin/helm upgrade --install web --set token=*** --description 'two words' (1234 ms, exit 0)");
    assert.match(formatHelmCall({ ...call, exitCode: undefined, cancelled: true }, createMasker([])), /\(1234 ms, cancelled\)$/);
    assert.match(formatHelmCall({ ...call, exitCode: 1 }, createMasker([])), /\(1234 ms, exit 1\)$/);
  });
});

describe('a closed output pipe', () => {
  it('ends an output-only command quietly with exit 0 (the real binary, its stdout piped into a reader that has gone)', async () => {
    const { execa } = await import('execa');
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-pipe-'));
    const charts = Array.from({ length: 400 }, (_, i) => `  - { name: chart-${i}, chart: ./chart }`).join('\n');
    await mkdir(join(dir, 'chart'));
    await writeFile(join(dir, 'helmcycle.yaml'), `charts:\n${charts}\n`);
    const bin = new URL('../../bin/helmcycle.mjs', import.meta.url).pathname;
    for (const args of [['list'], ['completion', 'bash'], ['--help']]) {
      // `true` reads nothing and exits at once: every write of helmcycle's meets a closed pipe.
      const r = await execa('bash', ['-c', 'node "$@" | true; echo "exit ${PIPESTATUS[0]}"', 'sh', bin, ...args], { cwd: dir, reject: false, env: { ...process.env, CI: 'true' } });
      assert.equal(r.stdout.trim(), 'exit 0', `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /EPIPE|Error/, args.join(' '));
    }
  });

  it('lets a command that changes something run on, its output dropped; other stream errors still throw', async () => {
    const { PassThrough } = await import('node:stream');
    const { guardClosedPipe } = await import('../../src/cli/closed-pipe.js');
    let exits = 0;
    let command: string | undefined = 'apply';
    const stream = new PassThrough();
    const out = guardClosedPipe(stream, { command: () => command, exitQuietly: () => exits++ });
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    assert.equal(exits, 0, 'apply is not cut short');
    assert.equal(out.closed, true);
    out.write('dropped');
    assert.equal(stream.read(), null);
    command = 'template';
    const second = new PassThrough();
    guardClosedPipe(second, { command: () => command, exitQuietly: () => exits++ });
    second.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    assert.equal(exits, 1, 'template ends at once');
    assert.throws(() => second.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' })), /disk full/);
  });
});
