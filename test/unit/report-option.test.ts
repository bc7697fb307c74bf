// `--report` is checked before anything runs: refused on commands that write no report, and on a path
// that cannot be written (a folder, a missing folder, no permission), with exit 2 and nothing created.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { checkReportCommand, checkReportPath } from '../../src/cli/report-option.js';
import { UsageError } from '../../src/errors.js';

const NOBODY = 65534;

async function cli(args: string[], cwd: string) {
  let stderr = '';
  const code = await main(args, { stdout: () => {}, stderr: (t) => (stderr += t), interactive: false, cwd });
  return { code, stderr };
}

/** checkReportPath's error message as another user (root may write anywhere, so it cannot be denied). */
async function checkAsNobody(report: string, cwd: string): Promise<string> {
  const script = `import('./src/cli/report-option.ts').then((m) => m.checkReportPath(${JSON.stringify(report)}, ${JSON.stringify(cwd)})).then((p) => console.log('ok ' + p), (e) => console.log(e.message))`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: tmpdir() } });
  return stdout.trim();
}

describe('--report on a command', () => {
  it('is refused where no report is written, and allowed on apply, destroy and validate', () => {
    for (const command of ['plan', 'status', 'template', 'list']) {
      assert.throws(() => checkReportCommand(command, 'r.html'), (e: unknown) => e instanceof UsageError && new RegExp(`'${command}' writes no report`).test(e.message));
      assert.doesNotThrow(() => checkReportCommand(command, undefined));
    }
    for (const command of ['apply', 'destroy', 'validate']) assert.doesNotThrow(() => checkReportCommand(command, 'r.html'));
  });

  it('exits 2 before the config is even read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-report-'));
    for (const command of ['plan', 'status', 'template', 'list']) {
      const r = await cli(['--report', 'r.html', command], dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`--report: '${command}' writes no report \\(only apply, destroy, validate do\\)\\n  hint: drop --report`));
    }
    assert.deepEqual(await readdir(dir), [], 'nothing was written');
  });
});

describe('the report path', () => {
  it('resolves a writable file against the working folder, existing or not, and creates nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-report-'));
    assert.equal(await checkReportPath('run.html', dir), join(dir, 'run.html'));
    await writeFile(join(dir, 'old.html'), 'x');
    assert.equal(await checkReportPath(join(dir, 'old.html'), '/'), join(dir, 'old.html'));
    assert.deepEqual(await readdir(dir), ['old.html']);
  });

  it('refuses a folder, a path ending in a slash, a missing folder and a file used as a folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-report-'));
    await writeFile(join(dir, 'file'), 'x');
    const cases: [string, RegExp][] = [
      [dir, new RegExp(`^--report ${dir}: ${dir} is a folder; name a file in it, such as ${dir}/report\\.html$`)],
      ['new/', /^--report new\/: names a folder \(it ends in a slash\)/],
      ['missing/run.html', new RegExp(`^--report missing/run\\.html: the folder ${dir}/missing does not exist$`)],
      ['file/run.html', new RegExp(`^--report file/run\\.html: ${dir}/file is not a folder$`)],
      ['', /no file name given/],
    ];
    for (const [report, message] of cases) {
      await assert.rejects(checkReportPath(report, dir), (e: unknown) => e instanceof UsageError && message.test(e.message) && /nothing was run/.test(e.hint ?? ''), report);
    }
  });

  it('refuses a folder or a file the user may not write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-report-'));
    await chmod(dir, 0o755);
    await mkdir(join(dir, 'locked'), { mode: 0o555 });
    await writeFile(join(dir, 'readonly.html'), 'x', { mode: 0o444 });
    const asUser = process.getuid?.() === 0
      ? (report: string) => checkAsNobody(report, dir)
      : (report: string) => checkReportPath(report, dir).then((p) => `ok ${p}`, (e: Error) => e.message);
    assert.equal(await asUser('locked/run.html'), `--report locked/run.html: cannot create a file in ${dir}/locked: permission denied`);
    assert.equal(await asUser('readonly.html'), `--report readonly.html: cannot write ${dir}/readonly.html: permission denied`);
    assert.equal(await asUser(join(tmpdir(), 'helmcycle-nobody-may-write.html')), `ok ${join(tmpdir(), 'helmcycle-nobody-may-write.html')}`, 'the same user may write elsewhere');
  });

  it('makes apply exit 2 before the config is read, naming the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-report-'));
    // The config is broken too: the report's path is what is named, so nothing of the stack ran.
    await writeFile(join(dir, 'helmcycle.yaml'), 'charts: [');
    for (const [args, message] of [
      [['--report', 'nowhere/run.html', 'apply'], /--report nowhere\/run\.html: the folder .*\/nowhere does not exist\n  hint: give a file in an existing folder/],
      [['--report', dir, 'destroy'], /is a folder/],
      [['--report', '.', 'validate'], /is a folder/],
    ] as const) {
      const r = await cli([...args], dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /helmcycle\.yaml/, 'the config was not read');
    }
  });
});
