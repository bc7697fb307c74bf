// Whole-stack rollback against the real cluster, Helm 3 and Helm 4: a stack whose third chart needs the
// first two; a second apply upgrades the first two and the third fails for good.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { configMapData, helmsUnderTest, uniqueNamespace } from './support.js';

const BIN = resolve('bin/helmcycle.mjs');
const SETTINGS = resolve('test/fixtures/charts/settings');
const NEVER_READY = resolve('test/fixtures/charts/never-ready');

function stackFile(folder: string, namespace: string, color: string, third: string, extra: boolean): string {
  const file = join(folder, `helmcycle-${color}.yaml`);
  const lines = [
    `defaults: { namespace: ${namespace}, createNamespace: true, timeoutSeconds: 20 }`,
    'charts:',
    `  - { name: one, chart: ${SETTINGS}, set: { color: ${color} } }`,
    `  - { name: two, chart: ${SETTINGS}, set: { color: ${color} } }`,
    ...(extra ? [`  - { name: fresh, chart: ${SETTINGS}, set: { color: ${color} } }`] : []),
    `  - { name: three, chart: ${third}, needs: [one, two${extra ? ', fresh' : ''}], remedies: { maxAttempts: 0 } }`,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

for (const target of helmsUnderTest()) {
  describe(`stack rollback (${target.label})`, () => {
    const run = (file: string, ...args: string[]) => execa('node', [BIN, '-c', file, '--helm', target.binary, 'apply', ...args], { reject: false, env: { CI: 'true' } });

    it('puts back the upgraded charts, uninstalls the fresh one, and fails; without the flag nothing is rolled back', async () => {
      const namespace = uniqueNamespace('stack-rollback');
      const folder = mkdtempSync(join(tmpdir(), 'helmcycle-rollback-'));
      try {
        const first = await run(stackFile(folder, namespace, 'v1', SETTINGS, false));
        assert.equal(first.exitCode, 0, first.stderr);

        const failing = stackFile(folder, namespace, 'v2', NEVER_READY, true);
        const second = await run(failing, '--rollback-stack-on-failure');
        assert.equal(second.exitCode, 1, second.stderr);
        for (const name of ['one', 'two']) {
          assert.equal((await configMapData(target.kube, namespace, `${name}-settings`)).color, 'v1', `${name} is back at v1`);
          const history = await target.helm.history({ release: name, namespace });
          assert.deepEqual(history.map((h) => [h.revision, h.status, h.description]), [[1, 'superseded', 'Install complete'], [2, 'superseded', 'Upgrade complete'], [3, 'deployed', 'Rollback to 1']]);
        }
        assert.equal(await target.helm.status({ release: 'fresh', namespace }), undefined, 'the chart this run installed is uninstalled');
        assert.match(second.stderr, /stack rollback \(4 step\(s\)/);
        assert.match(second.stderr, /three: rollback from revision 2 to revision 1/);
        assert.match(second.stderr, /fresh: uninstall \(this run installed it, revision 1\)/);
        assert.match(second.stderr, /two: rollback from revision 2 to revision 1/);
        assert.match(second.stderr, /one: rollback from revision 2 to revision 1/);

        const unflagged = await run(failing);
        assert.equal(unflagged.exitCode, 1, unflagged.stderr);
        assert.equal((await configMapData(target.kube, namespace, 'one-settings')).color, 'v2', 'without the flag the upgrade stays');
        assert.doesNotMatch(unflagged.stderr, /stack rollback/);
      } finally {
        await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => {});
      }
    });
  });
}
