// The CLI's shape (issue 25, item 8): each file of src/cli/commands registers one command, the program
// registers each file once, and every stack command reaches the fleet through the one fork
// (cli/stack-fork.ts): driven through the fakes, which only the fork's fleet options carry.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import type { CommandHost } from '../../src/cli/command-context.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { buildProgram, runCommandLine } from '../../src/cli/main.js';
import type { FleetTarget } from '../../src/stack/fleet-targets.js';
import { FakeHelm, FakeKube } from './fakes.js';

const COMMANDS_DIR = join(import.meta.dirname, '../../src/cli/commands');
const commandFiles = async () => (await readdir(COMMANDS_DIR)).filter((f) => f.endsWith('.ts')).sort();

const MANIFEST = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  message: hello\n';
const CHART = { name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', version: '1.0.0', timeoutSeconds: 1 };

/** A stack file in a folder of its own; `targets` makes it a fleet's. */
async function stackDir(targets?: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-commands-'));
  await writeFile(join(dir, 'helmcycle.yaml'), JSON.stringify({ name: 'shape', charts: [CHART], ...(targets ? { targets: targets.map((name) => ({ name })) } : {}) }));
  return dir;
}

/** Runs a command line in `dir`, each fleet target connected to fakes of its own (recorded by name). */
async function run(dir: string, args: string[]) {
  const connected: string[] = [];
  const worlds = new Map<string, { helm: FakeHelm; kube: FakeKube }>();
  const connectTarget = (target: FleetTarget) => {
    connected.push(target.name);
    const helm = new FakeHelm();
    helm.manifest = MANIFEST;
    helm.dryRunManifest = MANIFEST;
    const kube = Object.assign(new FakeKube(), { config: { getCurrentCluster: () => ({ server: 'https://fake:6443' }) } });
    worlds.set(target.name, { helm, kube });
    return { helm, kube };
  };
  let stdout = '';
  let stderr = '';
  const code = await runCommandLine(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd: dir }, { connectTarget });
  return { code, stdout, stderr, connected: [...new Set(connected)].sort(), worlds };
}

describe('one command per file', () => {
  it('each file of src/cli/commands registers exactly one command, named as the file', async () => {
    const files = await commandFiles();
    assert.ok(files.length >= 10, files.join(', '));
    for (const file of files) {
      const module = (await import(join(COMMANDS_DIR, file))) as { register?: (program: Command, host: CommandHost) => void };
      assert.equal(typeof module.register, 'function', `${file} exports register`);
      const program = new Command('helmcycle');
      module.register!(program, {} as CommandHost);
      assert.deepEqual(program.commands.map((c) => c.name()), [basename(file, '.ts')], file);
    }
  });

  it('the program registers every file once, and nothing else', async () => {
    const program = buildProgram({ stdout: () => {}, stderr: () => {}, interactive: false }, () => {});
    assert.deepEqual(program.commands.map((c) => c.name()).sort(), (await commandFiles()).map((f) => basename(f, '.ts')));
  });
});

describe('the fork to the fleet, in one place', () => {
  const STACK_COMMANDS = [['plan'], ['apply'], ['destroy', '--yes'], ['status'], ['validate']];

  it('every stack command on a stack with targets runs across them, through the fork (the only holder of the fakes)', async () => {
    const dir = await stackDir(['a', 'b']);
    // Nothing installed on the fakes: status says not installed (3), validate finds nothing to validate (1).
    const codes: Record<string, number> = { plan: EXIT.ok, apply: EXIT.ok, destroy: EXIT.ok, status: EXIT.notInstalled, validate: EXIT.chartFailed };
    for (const args of STACK_COMMANDS) {
      const got = await run(dir, ['-o', 'json', ...args]);
      assert.deepEqual(got.connected, ['a', 'b'], `${args[0]}: ${got.stderr}`);
      assert.equal(got.stderr, '', `${args[0]} never probed a real cluster`);
      assert.equal(got.code, codes[args[0]!], args[0]);
      const targets = got.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { target?: string }).target).filter(Boolean);
      // Targets run in parallel and each prints when it is done: the order of the targets is not fixed.
      assert.deepEqual([...new Set(targets)].sort(), ['a', 'b'], `${args[0]}: a line per target`);
    }
  });

  it('the fleet path does the command on each target: plan plans both, apply installs on both', async () => {
    const dir = await stackDir(['a', 'b']);
    const planned = await run(dir, ['-o', 'json', 'plan']);
    assert.equal(planned.code, EXIT.ok, planned.stderr);
    const lines = planned.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; target?: string; action?: string });
    assert.deepEqual(lines.filter((l) => l.type === 'plan').map((l) => `${l.target}: ${l.action}`), ['a: install', 'b: install']);
    const applied = await run(dir, ['-o', 'json', 'apply']);
    assert.equal(applied.code, EXIT.ok, applied.stderr);
    for (const [name, { helm }] of applied.worlds) assert.ok(helm.calls.includes('upgradeInstall'), `apply installed on ${name}`);
  });

  it('a target option on a stack without targets reaches the fleet too, which refuses it (exit 2), for every stack command', async () => {
    const dir = await stackDir();
    for (const args of STACK_COMMANDS) {
      const got = await run(dir, ['-t', 'env=prod', ...args]);
      assert.equal(got.code, EXIT.badInput, `${args[0]}: ${got.stderr}`);
      assert.match(got.stderr, /--targets, -t and --shard select targets, and this stack names none/, args[0]);
    }
  });

  it('list has no fleet form: a stack with targets lists its charts, connecting to none', async () => {
    const got = await run(await stackDir(['a', 'b']), ['-o', 'json', 'list']);
    assert.equal(got.code, EXIT.ok, got.stderr);
    assert.deepEqual(got.connected, []);
    assert.match(got.stdout, /"name":"web"/);
  });
});
