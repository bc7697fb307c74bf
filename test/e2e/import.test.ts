// helmcycle import against the local cluster, with Helm 3 and Helm 4: the helmfile fixtures are
// converted, and the converted stack's plan (and apply) hold each release the helmfile declared, with
// the values that reach the manifest.
import assert from 'node:assert/strict';
import { access, cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import { env, helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const FIXTURES = resolve('test/fixtures/helmfile');

/** The fixtures in a fresh folder, pointed at the local chart repository and the test's namespace. */
async function helmfiles(namespace: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-e2e-'));
  await cp(FIXTURES, dir, { recursive: true });
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.yaml')) continue;
    const text = await readFile(join(dir, name), 'utf8');
    await writeFile(join(dir, name), text.replaceAll('http://charts.example.invalid', env.repo).replaceAll('import-ns', namespace));
  }
  return dir;
}

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd });
  return { code, stdout, stderr };
}

async function plan(target: HelmUnderTest, dir: string, ...args: string[]): Promise<Record<string, ChartPlan>> {
  const out = await run(['-c', 'helmcycle.yaml', '--helm', target.binary, ...args, '--output', 'json', 'plan'], dir);
  assert.equal(out.code, 0, out.stderr);
  return Object.fromEntries(out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ChartPlan).map((p) => [p.chart, p]));
}

const patchOf = (p: ChartPlan, resource: string) => p.changes.find((c) => c.resource === resource)?.patch ?? '';
const exists = (path: string) => access(path).then(() => true, () => false);

for (const target of helmsUnderTest()) {
  describe(`helmcycle import with ${target.label}`, () => {
    const namespaces: string[] = [];
    after(async () => {
      for (const namespace of namespaces) {
        for (const release of await target.helm.list(namespace)) await target.helm.uninstall({ release: release.name, namespace, wait: false, timeoutSeconds: 60 });
        await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
      }
    });

    it('plans every release of a plain helmfile: name, namespace, chart version and the values in its manifest', async () => {
      const namespace = uniqueNamespace(`import-${target.label}`);
      namespaces.push(namespace);
      const dir = await helmfiles(namespace);
      const imported = await run(['import', 'plain.yaml'], dir);
      assert.equal(imported.code, 0, imported.stderr);
      const plans = await plan(target, dir);
      assert.deepEqual(Object.keys(plans).sort(), ['frontend', 'metrics']);
      for (const p of Object.values(plans)) {
        assert.equal(p.namespace, namespace);
        assert.equal(p.action, 'install');
        assert.equal(p.targetVersion, '1.0.0');
      }
      const configMap = patchOf(plans.frontend!, `ConfigMap/${namespace}/frontend-web`);
      assert.match(configMap, /message: "?from-inline"?/);
      assert.match(configMap, /source: "?values-file"?/);
      assert.match(configMap, /build: "0042"/);
      assert.match(patchOf(plans.frontend!, `Deployment/${namespace}/frontend-web`), /replicas: 2/);
      assert.ok(plans.metrics!.changes.length > 0, 'monitor-stack renders objects');
    });

    it('imports a hostile helmfile to TypeScript: its text reaches helm as values, never runs', async () => {
      const namespace = uniqueNamespace(`import-hostile-${target.label}`);
      namespaces.push(namespace);
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-import-hostile-e2e-'));
      const marker = join(dir, 'PWNED');
      const run$ = `process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`;
      const message = `line one\n${run$}//\u2028${run$}//\n\u0000helmcycle-env:HOME + String(${run$})`;
      await writeFile(join(dir, 'helmfile.yaml'), stringify({
        repositories: [{ name: 'local', url: env.repo }],
        releases: [{ name: 'hostile', namespace, chart: 'local/web', version: '1.0.0', needs: [`elsewhere\n${run$}//`], [`x\n${run$}//`]: 1, values: [{ message }] }],
      }));
      const imported = await run(['import', 'helmfile.yaml', '--ts'], dir);
      assert.equal(imported.code, 0, imported.stderr);
      const config = join(dir, 'helmcycle.config.ts');
      // 'helmcycle/config' resolves only where helmcycle is installed; here the source stands in for it.
      await writeFile(config, (await readFile(config, 'utf8')).replace("'helmcycle/config'", JSON.stringify(resolve('src/config.ts'))));
      const applied = await run(['-c', 'helmcycle.config.ts', '--helm', target.binary, '--output', 'json', 'apply'], dir);
      assert.equal(applied.code, 0, applied.stderr + applied.stdout);
      assert.equal(await exists(marker), false, 'helmfile text ran as code');
      assert.equal(((await target.helm.getValues({ release: 'hostile', namespace })) as { message?: unknown }).message, message);
    });

    it('plans environments, needs and installed: false, and applies the production values', async () => {
      const namespace = uniqueNamespace(`import-env-${target.label}`);
      namespaces.push(namespace);
      const dir = await helmfiles(namespace);
      const imported = await run(['import', 'environments.yaml'], dir);
      assert.equal(imported.code, 0, imported.stderr);

      const plans = await plan(target, dir);
      assert.equal(plans.database!.action, 'install');
      assert.equal(plans.api!.action, 'install');
      assert.equal(plans.legacy!.action, 'none', 'installed: false is planned as a destroy of a release that is not there');
      assert.match(plans.legacy!.reason, /nothing to delete/);
      assert.match(patchOf(plans.api!, `ConfigMap/${namespace}/api-web`), /message: "?hello-default"?/);

      const production = await plan(target, dir, '--env', 'production');
      assert.match(patchOf(production.api!, `ConfigMap/${namespace}/api-web`), /message: "?hello-production"?/);
      assert.match(patchOf(production.api!, `ConfigMap/${namespace}/api-web`), /environment: "?production"?/);
      assert.match(patchOf(production.api!, `Deployment/${namespace}/api-web`), /replicas: 3/);

      const applied = await run(['-c', 'helmcycle.yaml', '--helm', target.binary, '--env', 'production', '--output', 'json', 'apply'], dir);
      assert.equal(applied.code, 0, applied.stderr + applied.stdout);
      const values = await target.helm.getValues({ release: 'api', namespace });
      assert.equal((values as { message?: unknown }).message, 'hello-production');
      assert.equal((values as { replicaCount?: unknown }).replicaCount, 3);
      assert.deepEqual((await target.helm.list(namespace)).map((r) => r.name).sort(), ['api', 'database']);

      // The same helmfile with legacy installed, applied; the imported one then plans legacy's removal.
      const installedText = (await readFile(join(dir, 'environments.yaml'), 'utf8')).replace('installed: false', 'installed: true');
      await writeFile(join(dir, 'legacy-on.yaml'), installedText);
      assert.equal((await run(['import', 'legacy-on.yaml', '--out', 'legacy-on.stack.yaml'], dir)).code, 0);
      const on = await run(['-c', 'legacy-on.stack.yaml', '--helm', target.binary, '--output', 'json', 'apply'], dir);
      assert.equal(on.code, 0, on.stderr + on.stdout);
      assert.deepEqual((await target.helm.list(namespace)).map((r) => r.name).sort(), ['api', 'database', 'legacy']);
      const removal = await plan(target, dir);
      assert.equal(removal.legacy!.action, 'delete');
    });
  });
}
