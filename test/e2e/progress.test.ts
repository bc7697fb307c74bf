// What a run says while it waits, against the local cluster: in CI mode (a pipe) a "still deploying"
// line every 10 s naming the Deployment it waits on and the deadline, with no colours; under -o json the
// wait-progress events, uncoloured. The chart's pods never become ready (kwok stage pod-never-ready),
// so helm waits until the chart's timeout.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { fixtures, helmsUnderTest, uniqueNamespace } from './support.js';

const BIN = resolve('bin/helmcycle.mjs');

async function writeStack(namespace: string, timeoutSeconds: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-progress-'));
  const file = join(dir, 'helmcycle.yaml');
  const chart = { name: 'slow', chart: resolve(fixtures.neverReady), timeoutSeconds, remedies: { maxAttempts: 0 } };
  await writeFile(file, stringify({ name: 'progress', defaults: { namespace, createNamespace: true }, charts: [chart] }));
  return file;
}

for (const target of helmsUnderTest()) {
  describe(`progress while waiting with ${target.label}`, () => {
    it('CI mode prints a line every 10 s naming the Deployment it waits on and the deadline', async () => {
      const namespace = uniqueNamespace(`progress-${target.label}`);
      const file = await writeStack(namespace, 14);
      // stdout is a pipe: CI lines, no colours (CI unset, so a terminal would have had the tree).
      const result = await execa('node', [BIN, '-c', file, '--helm', target.binary, 'apply'], { reject: false, env: { CI: '', NO_COLOR: '', FORCE_COLOR: '' } });
      assert.equal(result.exitCode, 1, result.stderr);
      const still = result.stdout.split('\n').filter((line) => line.includes('still deploying'));
      assert.ok(still.length >= 1, `a progress line within the 14 s wait:\n${result.stdout}`);
      assert.match(still[0]!, /^\[ *1\d\.\ds\] slow: still deploying\.\.\. \[1\ds elapsed\] exec: waiting on Deployment\/slow 0 of 1 updated replicas available, \d+ s of 14 s$/);
      assert.match(result.stdout, /\napply progress: FAILED in \d+\.\d s: 1 failed$/, 'the closing summary');
      assert.doesNotMatch(result.stdout + result.stderr, /\u001B\[/, 'no escape codes in a pipe');
    });
  });
}

describe('progress under -o json (helm4)', () => {
  it('emits wait-progress events naming the Deployment, and nothing coloured', async () => {
    const helm4 = helmsUnderTest()[1]!;
    const file = await writeStack(uniqueNamespace('progress-json'), 6);
    const result = await execa('node', [BIN, '-c', file, '--helm', helm4.binary, '-o', 'json', 'apply'], { reject: false, env: { FORCE_COLOR: '1' } });
    assert.equal(result.exitCode, 1, result.stderr);
    assert.doesNotMatch(result.stdout, /\u001B\[/, '-o json is never coloured, even with FORCE_COLOR');
    const waits = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((e) => e.type === 'wait-progress');
    assert.ok(waits.length >= 1 && waits.length <= 8, `a few throttled events in 6 s, not one per read: ${waits.length}`);
    // The first reads may see the Deployment before its pods (another message); by the end, its pod is not ready.
    assert.deepEqual(waits.at(-1).waitingOn, [{ kind: 'Deployment', name: 'slow', message: '0 of 1 updated replicas available' }]);
    assert.equal(waits.at(-1).timeoutMs, 6_000);
  });
});
