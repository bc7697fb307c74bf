// Charts pinned by digest, against the local OCI registry, under Helm 3 and Helm 4. A chart is pushed
// under one tag twice with different content (what a re-pushed tag looks like), and its digests are
// read from the registry's own API, not from helmcycle or helm:
// - pinned to the first push while the tag holds the second: plan and apply fail naming both digests,
//   and no release exists;
// - pinned to what the tag holds: apply installs, the next plan says unchanged;
// - the pin moved to a third push of the same tag: plan shows the change, apply upgrades, plan is
//   unchanged again.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { env, fixtures, helmsUnderTest, runCli, uniqueNamespace, type HelmUnderTest } from './support.js';

const created: { target: HelmUnderTest; namespace: string }[] = [];
after(async () => {
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
});

/** Packages the web fixture as `name` 1.0.0 with a note that makes this push's content its own, and pushes it. */
async function push(target: HelmUnderTest, name: string, note: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-digest-'));
  const chart = join(dir, name);
  await cp(resolve(fixtures.web), chart, { recursive: true });
  const meta = await readFile(join(chart, 'Chart.yaml'), 'utf8');
  await writeFile(join(chart, 'Chart.yaml'), meta.replace(/^name: web$/m, `name: ${name}`).replace(/^description: .*$/m, `description: ${note}`));
  await execa(target.binary, ['package', chart, '--destination', dir]);
  await execa(target.binary, ['push', join(dir, `${name}-1.0.0.tgz`), env.oci, '--plain-http']);
}

/** The digest of the manifest the tag points at, from the registry's API (sha256 of the manifest bytes). */
async function registryDigest(name: string): Promise<string> {
  const [host, ...path] = env.oci.replace(/^oci:\/\//, '').split('/');
  const response = await fetch(`http://${host}/v2/${[...path, name].join('/')}/manifests/1.0.0`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(response.status, 200);
  return `sha256:${createHash('sha256').update(new Uint8Array(await response.arrayBuffer())).digest('hex')}`;
}

async function stack(dir: string, namespace: string, name: string, digest: string): Promise<string> {
  const file = join(dir, 'helmcycle.yaml');
  const chart = { name: 'pinned', chart: `${env.oci}/${name}`, version: '1.0.0', digest, plainHttp: true };
  await writeFile(file, stringify({ name: 'pinned', defaults: { namespace, createNamespace: true, timeoutSeconds: 120 }, charts: [chart] }));
  return file;
}

for (const target of helmsUnderTest()) {
  describe(`charts pinned by digest, ${target.label}`, () => {
    it('installs only the pinned content of a re-pushed tag, and plans a moved pin as a change', { timeout: 600_000 }, async () => {
      const namespace = uniqueNamespace(`digest-${target.label}`);
      created.push({ target, namespace });
      const name = `pinned-${namespace}`;
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-digest-stack-'));
      await push(target, name, 'first push');
      const first = await registryDigest(name);
      await push(target, name, 'second push, same tag');
      const second = await registryDigest(name);
      assert.notEqual(first, second, 'the second push changed what the tag points at');

      const stale = await stack(dir, namespace, name, first);
      const plan = await runCli(target, stale, 'plan');
      assert.equal(plan.code, 1, plan.stdout + plan.stderr);
      assert.match(plan.stdout + plan.stderr, new RegExp(`the registry served digest ${second}, the spec pins ${first}`));
      const refused = await runCli(target, stale, 'apply');
      assert.equal(refused.code, 1, refused.stdout + refused.stderr);
      assert.match(refused.stdout + refused.stderr, new RegExp(`the registry served digest ${second}, the spec pins ${first}`));
      assert.equal(await target.helm.status({ release: 'pinned', namespace }), undefined, 'nothing was installed from the wrong content');

      const pinned = await stack(dir, namespace, name, second);
      const installed = await runCli(target, pinned, 'apply');
      assert.equal(installed.code, 0, installed.stdout + installed.stderr);
      const release = await target.helm.status({ release: 'pinned', namespace });
      assert.equal(release?.chartVersion, '1.0.0');
      const settled = await runCli(target, pinned, 'plan', '--detailed-exitcode');
      assert.equal(settled.code, 0, `converged: ${settled.stdout}`);

      await push(target, name, 'third push, same tag');
      const third = await registryDigest(name);
      const moved = await stack(dir, namespace, name, third);
      const change = await runCli(target, moved, 'plan', '--detailed-exitcode');
      assert.equal(change.code, 2, `the moved pin is a change: ${change.stdout}`);
      assert.match(change.stdout, /pinned.*upgrade/);
      const upgraded = await runCli(target, moved, 'apply');
      assert.equal(upgraded.code, 0, upgraded.stdout + upgraded.stderr);
      assert.equal((await target.helm.history({ release: 'pinned', namespace })).length, 2);
      const after = await runCli(target, moved, 'plan', '--detailed-exitcode');
      assert.equal(after.code, 0, `converged again: ${after.stdout}`);
    });
  });
}
