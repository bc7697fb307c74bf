// Prune through the CLI against the local cluster, with Helm 3 and Helm 4: a 3-chart stack deployed,
// one chart removed from the file, plan shows it as "delete: no longer in the stack" (and without
// --prune as left), apply --prune uninstalls it; a release installed by hand with helm in the same
// namespace and another stack's release there are untouched, and the inventories read back.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { INVENTORY_NAMESPACE, inventoryName, parseInventory } from '../../src/stack/inventory.js';
import { fixtures, helmsUnderTest, runCli, uniqueNamespace, type HelmUnderTest } from './support.js';

const WEB = resolve(fixtures.web);
const run = promisify(execFile);

const created: { target: HelmUnderTest; namespace: string; stacks: string[] }[] = [];
after(async () => {
  for (const { target, namespace, stacks } of created) {
    await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
    for (const stack of stacks) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Secret', namespace: INVENTORY_NAMESPACE, name: inventoryName(stack) }).catch(() => undefined);
  }
});

// No pods (replicaCount 0): what is tested is which releases exist, not their workloads.
const chart = (name: string, needs: string[] = []) => ({ name, chart: WEB, set: { replicaCount: 0 }, ...(needs.length ? { needs } : {}) });

for (const target of helmsUnderTest()) {
  describe(`prune with ${target.label}`, () => {
    it('uninstalls the chart removed from the stack, and nothing the inventory does not list', async () => {
      const namespace = uniqueNamespace(`prune-${target.label}`);
      const name = `shop-${namespace}`;
      const other = `other-${namespace}`;
      created.push({ target, namespace, stacks: [name, other] });
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-prune-'));
      const file = join(dir, 'helmcycle.yaml');
      const otherFile = join(await mkdtemp(join(tmpdir(), 'helmcycle-prune-other-')), 'helmcycle.yaml');
      const defaults = { namespace, createNamespace: true, timeoutSeconds: 120 };
      const write = (charts: object[]) => writeFile(file, stringify({ name, defaults, charts }));
      const installed = async (release: string) => (await target.helm.status({ release, namespace }))?.status;
      const inventory = async (stack: string) => parseInventory(await target.kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace: INVENTORY_NAMESPACE, name: inventoryName(stack) }));

      await write([chart('db'), chart('api', ['db']), chart('web', ['api'])]);
      const first = await runCli(target, file, 'apply');
      assert.equal(first.code, 0, first.stderr + first.stdout);
      assert.deepEqual((await inventory(name))?.releases.map((e) => `${e.namespace}/${e.release}`), ['api', 'db', 'web'].map((r) => `${namespace}/${r}`));
      assert.equal((await inventory(name))?.file, 'helmcycle.yaml', 'the stack file, never an absolute path');
      assert.match((await inventory(name))?.identity ?? '', /^path:[0-9a-f]{64}$/, 'the stack known by a digest of its path, never the path');

      // An unrelated stack, also helmcycle.yaml (another folder), with the same release names in its own namespace.
      const twinNamespace = `${namespace}-twin`;
      const twin = `twin-${namespace}`;
      created.push({ target, namespace: twinNamespace, stacks: [twin] });
      const twinFile = join(await mkdtemp(join(tmpdir(), 'helmcycle-prune-twin-')), 'helmcycle.yaml');
      await writeFile(twinFile, stringify({ name: twin, defaults: { ...defaults, namespace: twinNamespace }, charts: [chart('db'), chart('api', ['db']), chart('web', ['api'])] }));
      const twinApplied = await runCli(target, twinFile, 'apply', '--prune');
      assert.equal(twinApplied.code, 0, `not taken for a renamed stack: ${twinApplied.stderr}${twinApplied.stdout}`);

      // Another stack's release and one installed by hand, in the same namespace.
      await writeFile(otherFile, stringify({ name: other, defaults, charts: [chart('cache')] }));
      const theirs = await runCli(target, otherFile, 'apply');
      assert.equal(theirs.code, 0, theirs.stderr + theirs.stdout);
      await run(target.binary, ['install', 'by-hand', WEB, '--namespace', namespace, '--set', 'replicaCount=0', '--wait', '--timeout', '120s']);

      await write([chart('db'), chart('api', ['db'])]);
      const listed = await runCli(target, file, 'plan', '--detailed-exitcode');
      assert.equal(listed.code, 0, `without --prune nothing would change: ${listed.stderr}${listed.stdout}`);
      assert.match(listed.stdout, /web \([^)]+\): none: no longer in the stack: would be pruned with --prune/);
      const planned = await runCli(target, file, 'plan', '--prune', '--detailed-exitcode');
      assert.equal(planned.code, 2, planned.stderr + planned.stdout);
      assert.match(planned.stdout, /- web \([^)]+\): delete: no longer in the stack/);
      assert.doesNotMatch(planned.stdout, /by-hand|cache/);
      const json = await runCli(target, file, '-o', 'json', 'plan', '--prune');
      const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { chart: string; action: string; reason: string; prune?: boolean });
      assert.deepEqual(lines.filter((l) => l.prune).map((l) => [l.chart, l.action, l.reason]), [['web', 'delete', 'no longer in the stack']]);

      const pruned = await runCli(target, file, 'apply', '--prune');
      assert.equal(pruned.code, 0, pruned.stderr + pruned.stdout);
      assert.equal(await installed('web'), undefined, 'web is gone');
      assert.deepEqual([await installed('db'), await installed('api'), await installed('by-hand'), await installed('cache')], ['deployed', 'deployed', 'deployed', 'deployed']);
      assert.deepEqual((await inventory(name))?.releases.map((e) => e.release), ['api', 'db']);
      assert.deepEqual((await inventory(other))?.releases.map((e) => e.release), ['cache']);
      const converged = await runCli(target, file, 'plan', '--prune', '--detailed-exitcode');
      assert.equal(converged.code, 0, converged.stderr + converged.stdout);
      const twinAfter = await Promise.all(['db', 'api', 'web'].map(async (release) => (await target.helm.status({ release, namespace: twinNamespace }))?.status));
      assert.deepEqual(twinAfter, ['deployed', 'deployed', 'deployed'], "the twin stack's releases are untouched");
      assert.deepEqual((await inventory(twin))?.releases.map((e) => e.release), ['api', 'db', 'web']);
      const twinPlan = await runCli(target, twinFile, 'plan', '--prune', '--detailed-exitcode');
      assert.equal(twinPlan.code, 0, twinPlan.stderr + twinPlan.stdout);
    });
  });
}
