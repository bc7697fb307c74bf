// Chart provenance (verify: true with a keyring) against the loopback OCI registry, under Helm 3 and
// Helm 4. A key is made here; the web fixture is packaged under a name of this run's, its .prov written
// as `helm package --sign` writes it (Chart.yaml, `...`, the archive's sha256) and clearsigned with that
// key, and both are pushed (helm push sends the .prov beside the archive). The stack's keyring is the
// public key, a file in the stack's folder:
// - signed by the keyring's key: apply installs, from the verified archive;
// - signed by another key, or pushed with no .prov at all: plan and apply fail naming the chart, and no
//   release exists.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { createCleartextMessage, generateKey, readPrivateKey, sign } from 'openpgp';
import { stringify } from 'yaml';
import { env, fixtures, helmsUnderTest, runCli, uniqueNamespace, type HelmUnderTest } from './support.js';

const created: { target: HelmUnderTest; namespace: string }[] = [];
after(async () => {
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
});

const newKey = (name: string) => generateKey({ type: 'ecc', userIDs: [{ name, email: `${name}@example.invalid` }], format: 'armored' });

/** The web fixture as `name` 1.0.0, pushed with a .prov signed by `privateKey` (none when undefined). */
async function pushSigned(target: HelmUnderTest, name: string, privateKey: string | undefined): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-prov-chart-'));
  const chart = join(dir, name);
  await cp(resolve(fixtures.web), chart, { recursive: true });
  const meta = (await readFile(join(chart, 'Chart.yaml'), 'utf8')).replace(/^name: web$/m, `name: ${name}`);
  await writeFile(join(chart, 'Chart.yaml'), meta);
  await execa(target.binary, ['package', chart, '--destination', dir]);
  const archive = join(dir, `${name}-1.0.0.tgz`);
  if (privateKey) {
    const sha = createHash('sha256').update(await readFile(archive)).digest('hex');
    const text = `${meta.trimEnd()}\n\n...\nfiles:\n  ${name}-1.0.0.tgz: sha256:${sha}\n`;
    await writeFile(`${archive}.prov`, await sign({ message: await createCleartextMessage({ text }), signingKeys: await readPrivateKey({ armoredKey: privateKey }) }));
  }
  await execa(target.binary, ['push', archive, env.oci, '--plain-http']);
}

async function stack(dir: string, namespace: string, name: string): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  const chart = { name: 'signed', chart: `${env.oci}/${name}`, version: '1.0.0', plainHttp: true, verify: true, keyring: './keyring.asc' };
  await writeFile(file, stringify({ name: 'provenance', defaults: { namespace, createNamespace: true, timeoutSeconds: 120 }, charts: [chart] }));
  return file;
}

for (const target of helmsUnderTest()) {
  describe(`chart provenance, ${target.label}`, () => {
    it('installs a chart signed by a key of the keyring, and refuses one signed by another key or not signed', { timeout: 600_000 }, async () => {
      const namespace = uniqueNamespace(`prov-${target.label}`);
      created.push({ target, namespace });
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-prov-stack-'));
      const [ours, theirs] = await Promise.all([newKey('chart-signer'), newKey('someone-else')]);
      await writeFile(join(dir, 'keyring.asc'), ours.publicKey);

      for (const [name, key] of [[`forged-${namespace}`, theirs.privateKey], [`unsigned-${namespace}`, undefined]] as const) {
        await pushSigned(target, name, key);
        const file = await stack(dir, namespace, name);
        const plan = await runCli(target, file, 'plan');
        assert.equal(plan.code, 1, plan.stdout + plan.stderr);
        const applied = await runCli(target, file, 'apply');
        assert.equal(applied.code, 1, applied.stdout + applied.stderr);
        const reason = key ? 'its signature is not valid for any key of the keyring' : 'the registry or repository has no \\.prov file for it';
        assert.match(applied.stdout + applied.stderr, new RegExp(`chart 'signed': chart oci://\\S+/${name} 1\\.0\\.0: provenance not verified: ${reason}`));
        assert.doesNotMatch(applied.stdout + applied.stderr, /does not resolve/);
        assert.equal(await target.helm.status({ release: 'signed', namespace }), undefined, 'nothing was installed');
      }

      const name = `signed-${namespace}`;
      await pushSigned(target, name, ours.privateKey);
      const file = await stack(dir, namespace, name);
      const applied = await runCli(target, file, 'apply');
      assert.equal(applied.code, 0, applied.stdout + applied.stderr);
      assert.equal((await target.helm.status({ release: 'signed', namespace }))?.chartVersion, '1.0.0');
      const settled = await runCli(target, file, 'plan', '--detailed-exitcode');
      assert.equal(settled.code, 0, `converged: ${settled.stdout}`);
    });
  });
}
