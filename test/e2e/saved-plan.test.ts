// Saved plans and plan's detailed exit codes through the CLI, against the local cluster with Helm 3 and
// Helm 4: a saved plan applies; after a value changed, or after another run upgraded the release, the
// saved plan refuses (exit 5) and changes nothing. A plan made with --ignore-drift is applied with it
// (a hand edit stays), and a plan file names no config that is run.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { fixtures, helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const WEB = resolve(fixtures.web);
const SECRET = 'plan-file-secret-3141';
// No pods: what is tested is the plan, not the workloads (and the run is lighter on a shared cluster).

const created: { target: HelmUnderTest; namespace: string }[] = [];
after(async () => {
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
});

async function cli(target: HelmUnderTest, file: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['-c', file, '--helm', target.binary, ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false });
  return { code, stdout, stderr };
}

for (const target of helmsUnderTest()) {
  describe(`saved plans with ${target.label}`, () => {
    it('applies a saved plan; refuses one whose config changed, or whose release another run upgraded since', async () => {
      const namespace = uniqueNamespace(`plan-${target.label}`);
      created.push({ target, namespace });
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-saved-plan-'));
      const file = join(dir, 'helmcycle.yaml');
      const write = (message: string) =>
        writeFile(file, stringify({ name: 'saved', defaults: { namespace, createNamespace: true, timeoutSeconds: 60 }, charts: [{ name: 'web', chart: WEB, set: { message, replicaCount: 0 }, setSensitive: { 'config.token': SECRET } }] }));
      const release = async () => {
        const r = await target.helm.status({ release: 'web', namespace });
        return r ? `${r.revision}:${r.status}` : 'none';
      };
      const message = async () => (await target.kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'web-web' }))?.data as Record<string, string> | undefined;

      await write('one');
      const first = join(dir, 'first.plan');
      const planned = await cli(target, file, 'plan', '--out', first, '--detailed-exitcode');
      assert.equal(planned.code, 2, `changes pending: ${planned.stderr}${planned.stdout}`);
      assert.match(planned.stdout, /plan saved to .*first\.plan/);
      assert.equal((await stat(first)).mode & 0o777, 0o600, 'the plan file is private');
      const text = await readFile(first, 'utf8');
      assert.ok(!text.includes(SECRET), 'no sensitive value in the plan file');
      assert.match(text, /"action": "install"/);
      assert.equal(await release(), 'none', 'plan changed nothing');

      const applied = await cli(target, file, 'apply', first);
      assert.equal(applied.code, 0, applied.stderr + applied.stdout);
      assert.equal(await release(), '1:deployed');
      assert.equal((await message())?.message, 'one');
      const converged = await cli(target, file, 'plan', '--detailed-exitcode');
      assert.equal(converged.code, 0, `nothing to do: ${converged.stderr}${converged.stdout}`);

      // A value changes after the plan was saved: the plan would no longer do what it showed.
      await write('two');
      const second = join(dir, 'second.plan');
      assert.equal((await cli(target, file, 'plan', '--out', second)).code, 0);
      await write('three');
      const changed = await cli(target, file, 'apply', second);
      assert.equal(changed.code, 5, changed.stderr + changed.stdout);
      assert.match(changed.stderr, /second\.plan: the saved plan is stale:\n {2}- the config of web changed since the plan/);
      assert.match(changed.stderr, /hint: nothing was changed; run 'helmcycle plan --out .*second\.plan' again/);
      assert.equal(await release(), '1:deployed', 'the refused plan changed nothing');

      // Another run upgrades the release between plan and apply.
      const third = join(dir, 'third.plan');
      assert.equal((await cli(target, file, 'plan', '--out', third)).code, 0);
      const other = await cli(target, file, 'apply');
      assert.equal(other.code, 0, other.stderr + other.stdout);
      assert.equal(await release(), '2:deployed');
      const moved = await cli(target, file, 'apply', third);
      assert.equal(moved.code, 5, moved.stderr + moved.stdout);
      assert.match(moved.stderr, /web: the plan saw revision 1 deployed, the release is now revision 2 deployed/);
      assert.equal(await release(), '2:deployed');
      assert.equal((await message())?.message, 'three');
    });

    it('plan --ignore-drift --out, then a hand edit: apply FILE leaves it as the plan said; a plan file naming another config runs nothing', async () => {
      const namespace = uniqueNamespace(`plan-drift-${target.label}`);
      created.push({ target, namespace });
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-saved-plan-'));
      const file = join(dir, 'helmcycle.yaml');
      await writeFile(file, stringify({ name: 'saved', defaults: { namespace, createNamespace: true, timeoutSeconds: 60 }, charts: [{ name: 'web', chart: WEB, set: { message: 'declared', replicaCount: 0 } }] }));
      const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'web-web' };
      const state = async () => {
        const r = await target.helm.status({ release: 'web', namespace });
        return `${r?.revision}:${r?.status}:${((await target.kube.getObject(ref))?.data as Record<string, string> | undefined)?.message}`;
      };
      const installed = await cli(target, file, 'apply');
      assert.equal(installed.code, 0, installed.stderr + installed.stdout);

      const saved = join(dir, 'ignore.plan');
      const planned = await cli(target, file, 'plan', '--ignore-drift', '--out', saved);
      assert.equal(planned.code, 0, planned.stderr + planned.stdout);
      assert.match(await readFile(saved, 'utf8'), /"ignoreDrift": true/);
      // A hand edit, as kubectl edit makes one.
      await target.kube.patchObject(ref, { data: { message: 'edited by hand' } });
      assert.equal(await state(), '1:deployed:edited by hand');

      const applied = await cli(target, file, 'apply', saved);
      assert.equal(applied.code, 0, applied.stderr + applied.stdout);
      assert.equal(await state(), '1:deployed:edited by hand', 'no upgrade: the plan was made with --ignore-drift');
      const flagged = await cli(target, file, 'apply', saved, '--ignore-drift');
      assert.equal(flagged.code, 2, flagged.stderr + flagged.stdout);
      assert.match(flagged.stderr, /drop --ignore-drift \(the plan's: with\)/);

      // The plan file edited to name a TypeScript config: apply loads the stack it finds (no -c here), never that one.
      const marker = join(dir, 'marker');
      const evil = join(dir, 'other', 'helmcycle.config.ts');
      await mkdir(join(dir, 'other'));
      await writeFile(evil, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { charts: [{ name: 'web', chart: 'web', namespace: ${JSON.stringify(namespace)} }] };\n`);
      const plan = JSON.parse(await readFile(saved, 'utf8')) as { stack: { file: string } };
      await writeFile(saved, JSON.stringify({ ...plan, stack: { ...plan.stack, file: evil } }));
      let stderr = '';
      const code = await main(['--helm', target.binary, 'apply', saved], { stdout: () => {}, stderr: (t) => (stderr += t), interactive: false, cwd: dir });
      assert.equal(code, 5, stderr);
      assert.match(stderr, /the plan was made from the stack file .*other\/helmcycle\.config\.ts, this run loaded .*helmcycle\.yaml/);
      await assert.rejects(stat(marker), { code: 'ENOENT' }, 'the config the plan file named never ran');
      assert.equal(await state(), '1:deployed:edited by hand');
    });
  });
}
