// A helmfile as a platform team writes it, imported and deployed on the local cluster with Helm 3 and
// Helm 4, against what helmfile itself deploys. The helmfile (test/fixtures/helmfile/deploy/) is a
// multi-document .gotmpl: environments with gotmpl values, releases under a range and an if, a SOPS
// `secrets:` file (test/fixtures/sops/token-client.sops.yaml, sealed by sops to a test-only age key) and
// an OCI chart pinned by digest, pushed here to the loopback registry. CI has no helmfile, so helmfile's
// side is recorded: test/fixtures/helmfile/deploy/record.ts ran `helmfile -e ENV template` and
// `helmfile -e ENV list --output json` (helmfile 1.x, Helm 3; the SOPS file decrypted by sops for it, as
// helm-secrets would) into helmfile-output/. Each environment is applied from the imported stack, and
// the releases (name, namespace, chart, version) and every object of their manifests (helm get manifest)
// must equal the recording. The SOPS sentinel must appear in no output, no helm argv (sampled from
// /proc while the commands run), no file written under the run's TMPDIR (the HTML run reports are
// written there too), nor the stack.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { concreteHelmfile, DEPLOY_FIXTURE, HELMFILE, listedReleases, manifestsByKey, PINNED_CHART, SENTINEL } from './import-deploy-fixture.js';
import { helmfileOnPath } from '../../src/cli/helmfile-process.js';
import { env, fixtures, helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const BIN = resolve('bin/helmcycle.mjs');
const AGE_KEY = resolve('test/fixtures/sops/age-key.txt');
const recorded = (name: string) => readFile(join(DEPLOY_FIXTURE, 'helmfile-output', name), 'utf8');
const forms = (value: string) => [value, value.toLowerCase(), Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')];

/** Every process's argv seen while commands run (sampled from /proc every 50 ms). */
function sampleArgv(): { argv: string[]; stop: () => void } {
  const argv = new Set<string>();
  const tick = () => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        argv.add(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '));
      } catch {
        // exited
      }
    }
  };
  const timer = setInterval(tick, 50);
  tick();
  return { get argv() { return [...argv]; }, stop: () => clearInterval(timer) };
}

async function filesUnder(dir: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) out.push(...(await filesUnder(path)));
    else if (info?.isFile() && info.size < 4_000_000) out.push({ path, text: await readFile(path, 'latin1') });
  }
  return out;
}

/** The web fixture renamed and pushed to the loopback registry; the digest the registry serves for it. */
async function pushPinned(target: HelmUnderTest): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-deploy-chart-'));
  const chart = join(dir, PINNED_CHART);
  await cp(resolve(fixtures.web), chart, { recursive: true });
  await writeFile(join(chart, 'Chart.yaml'), (await readFile(join(chart, 'Chart.yaml'), 'utf8')).replace(/^name: web$/m, `name: ${PINNED_CHART}`));
  await execa(target.binary, ['package', chart, '--destination', dir]);
  await execa(target.binary, ['push', join(dir, `${PINNED_CHART}-1.0.0.tgz`), env.oci, '--plain-http']);
  await rm(dir, { recursive: true, force: true });
  const [host, ...path] = env.oci.replace(/^oci:\/\//, '').split('/');
  const response = await fetch(`http://${host}/v2/${[...path, PINNED_CHART].join('/')}/manifests/1.0.0`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(response.status, 200);
  return `sha256:${createHash('sha256').update(new Uint8Array(await response.arrayBuffer())).digest('hex')}`;
}

for (const target of helmsUnderTest()) {
  describe(`an imported helmfile deploys as helmfile would, ${target.label}`, () => {
    const namespaces: string[] = [];
    const folders: string[] = [];
    after(async () => {
      for (const namespace of namespaces) {
        for (const release of await target.helm.list(namespace)) await target.helm.uninstall({ release: release.name, namespace, wait: false, timeoutSeconds: 60 });
        await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
      }
      for (const folder of folders) await rm(folder, { recursive: true, force: true });
    });

    it('imports a multi-document gotmpl helmfile with SOPS secrets and a digest pin, and deploys each environment as helmfile renders it', { timeout: 600_000 }, async () => {
      const namespace = uniqueNamespace(`import-deploy-${target.label}`);
      namespaces.push(namespace);
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-deploy-'));
      folders.push(dir);
      const digest = await pushPinned(target);
      await concreteHelmfile(dir, { repo: env.repo, oci: env.oci, namespace, digest });
      const outputs: string[] = [];
      const sampler = sampleArgv();
      const cli = async (args: string[]) => {
        const result = await execa(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, SOPS_AGE_KEY_FILE: AGE_KEY, TMPDIR: dir }, reject: false });
        outputs.push(String(result.stdout), String(result.stderr));
        assert.equal(result.exitCode, 0, `${args.join(' ')}: ${String(result.stderr)}${String(result.stdout)}`);
        return String(result.stdout);
      };
      try {
        await cli(['import', HELMFILE]);
        const stack = await readFile(join(dir, 'helmcycle.yaml'), 'utf8');
        assert.ok(stack.includes(digest), 'the digest pin is in the stack');
        assert.match(stack, /secretValuesFiles:\n\s+- "?\.\/secrets\/token\.sops\.yaml"?/);
        for (const environment of ['default', 'production']) {
          // The default environment is the stack's charts; every other one is --env NAME.
          await cli(['-c', 'helmcycle.yaml', '--helm', target.binary, ...(environment === 'default' ? [] : ['--env', environment]), '--report', `report-${environment}.html`, 'apply']);
          assert.ok((await stat(join(dir, `report-${environment}.html`))).size > 0, 'the run report was written (and is searched below)');
          const releases = (await target.helm.list(namespace)).map((r) => ({ name: r.name, namespace: r.namespace, chart: r.chartName, version: r.chartVersion }));
          const expected = JSON.parse(await recorded(`${environment}.releases.json`)) as unknown[];
          assert.deepEqual(listedReleases(JSON.stringify(releases), namespace), expected, `${environment}: the releases helmfile lists`);
          let manifests = '';
          for (const release of releases) manifests += `---\n${await target.helm.getManifest({ release: release.name, namespace })}`;
          assert.deepEqual(manifestsByKey(manifests), (await import('yaml')).parse(await recorded(`${environment}.manifests.yaml`)), `${environment}: the manifests helmfile renders`);
        }
        // The pinned release came from the pushed artifact, and a moved tag would have failed (spec digest).
        assert.equal((await target.helm.status({ release: 'pinned', namespace }))?.chartVersion, '1.0.0');
      } finally {
        sampler.stop();
      }
      const leaks: string[] = [];
      const look = (where: string, text: string) => forms(SENTINEL).forEach((form) => text.includes(form) && leaks.push(`${where}: ${form}`));
      outputs.forEach((text, i) => look(`output ${i}`, text));
      sampler.argv.forEach((argv) => look(`argv ${argv.slice(0, 80)}`, argv));
      assert.ok(sampler.argv.some((a) => a.includes(target.binary) && a.includes('--values=-')), 'helm processes were sampled, reading values from stdin');
      for (const { path, text } of await filesUnder(dir)) look(path, text);
      assert.deepEqual(leaks, []);
    });

    // import --check runs the real helmfile: only where one is at hand (HELMCYCLE_HELMFILE, or helmfile on
    // PATH); otherwise this test says it is skipped (test/unit/import-check.test.ts runs the check, and
    // its differences, with a fake helmfile everywhere). helm-secrets is not installed with the helmfile
    // here, so this copy has no secrets:.
    it('import --check agrees with the real helmfile (releases, versions, digest, manifests in both environments)', { timeout: 600_000 }, async (t) => {
      const helmfile = process.env.HELMCYCLE_HELMFILE ?? (await helmfileOnPath(process.env.PATH));
      if (!helmfile) return t.skip('no helmfile binary here (set HELMCYCLE_HELMFILE or put helmfile on PATH)');
      const namespace = uniqueNamespace(`import-check-${target.label}`);
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-check-'));
      folders.push(dir);
      const file = await concreteHelmfile(dir, { repo: env.repo, oci: env.oci, namespace, digest: await pushPinned(target) });
      await writeFile(file, (await readFile(file, 'utf8')).replace('    secrets:\n      - secrets/token.sops.yaml\n', ''));
      const path = `${dirname(helmfile)}:${process.env.PATH}`;
      const cli = (args: string[]) => execa(process.execPath, [BIN, '--helm', target.binary, ...args], { cwd: dir, env: { ...process.env, PATH: path, HELM_CONFIG_HOME: join(dir, '.helm') }, reject: false });
      const checked = await cli(['import', HELMFILE, '--check']);
      assert.equal(checked.exitCode, 0, `${String(checked.stderr)}${String(checked.stdout)}`);
      assert.match(String(checked.stdout), /check: the stack matches helmfile's rendering in default, production/);
    });
  });
}
