// Hostile stacks refused clearly (issue 24, item 13): exit 2, the file named, a message a screen can
// hold, no stack trace; a deep `needs` chain that is valid still loads.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';

async function cliIn(files: Record<string, string>, args: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-limits-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd: dir });
  return { code, stdout, stderr, dir };
}

const screen = (text: string) => text.length <= 2_000 && text.split('\n').length <= 25;

describe('hostile stacks at load', () => {
  it('names the TS config whose getter throws, as bad input, without a stack trace', async () => {
    const run = await cliIn({ 'helmcycle.config.ts': 'export default { get charts() { throw new Error("boom in getter"); } };\n' }, ['list']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`${join(run.dir, 'helmcycle.config.ts')}: the config's code threw while its stack was read: boom in getter`));
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    assert.ok(screen(run.stderr));
  });

  it('names the TS config that throws something other than an Error, or exports a Proxy that throws', async () => {
    for (const [source, message] of [
      ['throw "a plain string";\nexport default {};\n', /could not load: a plain string/],
      ['export default new Proxy({}, { get() { throw 42; } });\n', /the config's code threw while it was loaded: 42/],
    ] as const) {
      const run = await cliIn({ 'helmcycle.config.ts': source }, ['list']);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`${join(run.dir, 'helmcycle.config.ts')}: ${message.source}`));
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    }
  });

  it('lists a needs chain 6,000 deep', async () => {
    const depth = 6_000;
    const charts = Array.from({ length: depth }, (_, i) => ({ name: `c${i}`, chart: 'oci://r.example/c', ...(i < depth - 1 ? { needs: [`c${i + 1}`] } : {}) }));
    const run = await cliIn({ 'helmcycle.yaml': JSON.stringify({ charts }) }, ['list']);
    assert.equal(run.code, 0, run.stderr.slice(0, 500));
    assert.equal(run.stdout.trim().split('\n').length, depth + 1);
  });

  it('refuses a 2,000-chart cycle in one screen naming the file', async () => {
    const size = 2_000;
    const charts = Array.from({ length: size }, (_, i) => ({ name: `chart-number-${i}`, chart: 'oci://r.example/c', needs: [`chart-number-${(i + 1) % size}`] }));
    const run = await cliIn({ 'helmcycle.yaml': JSON.stringify({ charts }) }, ['list']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /helmcycle\.yaml: the charts' needs form a cycle: chart-number-0 → .*\(2000 charts in all\)/);
    assert.ok(screen(run.stderr), `${run.stderr.length} characters`);
  });

  it('refuses an alias bomb in a YAML stack naming the file', async () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [from, to] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g']]) rows.push(`${to}: &${to} [${Array(9).fill(`*${from}`).join(',')}]`);
    rows.push('charts: [{name: web, chart: ./c, values: {x: *g}}]');
    const run = await cliIn({ 'helmcycle.yaml': `${rows.join('\n')}\n` }, ['list']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /helmcycle\.yaml: not valid YAML: its aliases expand too far/);
    assert.ok(screen(run.stderr));
  });
});
