// `helmcycle completion bash|zsh|fish`: the scripts are generated from the commander program, and each
// is loaded into the real shell (bash, fish: asked for completions; zsh: checked and registered).
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { main } from '../../src/cli/main.js';

async function script(shell: string): Promise<string> {
  let stdout = '';
  const code = await main(['completion', shell], { stdout: (t) => (stdout += t), stderr: () => undefined, interactive: false });
  assert.equal(code, 0);
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-completion-'));
  const file = join(dir, `helmcycle.${shell}`);
  await writeFile(file, stdout);
  return file;
}

describe('shell completion', () => {
  it('bash completes commands, options per command, option choices and files', async () => {
    const file = await script('bash');
    const complete = async (...words: string[]) => {
      const { stdout } = await execa('bash', ['-c', `source "$0"; COMP_WORDS=("\${@}"); COMP_CWORD=$(($# - 1)); _helmcycle; printf '%s\\n' "\${COMPREPLY[@]}"`, file, ...words], { cwd: tmpdir() });
      return stdout.split('\n').filter(Boolean);
    };
    assert.deepEqual(await complete('helmcycle', 'pl'), ['plan']);
    assert.deepEqual(await complete('helmcycle', 'plan', '--det'), ['--detailed-exitcode']);
    assert.deepEqual(await complete('helmcycle', '-c', 'stack.yaml', 'destroy', '--y'), ['--yes'], 'an option value is not taken for the command');
    assert.deepEqual(await complete('helmcycle', '-o', ''), ['text', 'json']);
    assert.deepEqual(await complete('helmcycle', 'completion', ''), ['bash', 'zsh', 'fish']);
    assert.ok((await complete('helmcycle', 'apply', '--')).includes('--fail-fast'));
    assert.ok((await complete('helmcycle', '--de')).includes('--debug'), 'global options complete too');
  });

  it('fish completes commands, option choices and per-command options', async () => {
    const file = await script('fish');
    const complete = async (line: string) => (await execa('fish', ['-c', `source $argv[1]; complete -C $argv[2]`, file, line])).stdout.split('\n').map((l) => l.split('\t')[0]);
    assert.deepEqual(await complete('helmcycle sta'), ['status']);
    assert.deepEqual((await complete('helmcycle -o ')).sort(), ['json', 'text']);
    assert.deepEqual((await complete('helmcycle completion ')).sort(), ['bash', 'fish', 'zsh']);
    assert.deepEqual(await complete('helmcycle plan --detailed'), ['--detailed-exitcode']);
  });

  it('zsh: the script parses, and registers its function with compinit', async () => {
    const file = await script('zsh');
    await execa('zsh', ['-n', file]);
    const dump = join(await mkdtemp(join(tmpdir(), 'helmcycle-zcompdump-')), 'zcompdump');
    const { stdout } = await execa('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -d ${dump} && source ${file} && print -r -- $_comps[helmcycle] && whence -w _helmcycle`]);
    assert.deepEqual(stdout.split('\n'), ['_helmcycle', '_helmcycle: function']);
  });

  it('an unknown shell is a usage error', async () => {
    let stderr = '';
    const code = await main(['completion', 'powershell'], { stdout: () => undefined, stderr: (t) => (stderr += t), interactive: false });
    assert.equal(code, 2);
    assert.match(stderr, /Allowed choices are bash, zsh, fish/);
  });
});
