// Local charts whose dependencies are not built, through the CLI against the local cluster with Helm 3
// and Helm 4: an umbrella chart shaped as community ones are (a repository subchart under an alias with
// a condition and import-values, a library chart beside it as file://, a vendored unpacked subchart)
// whose charts/ holds only the vendored one renders, plans and applies; its dependencies are built once
// per run in a private copy, so the user's folder is left as it was; a bumped constraint upgrades; a
// dependency no repository has fails with the dependency named, and the release stays as it was.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { configMapData, env, helmsUnderTest, uniqueNamespace, runCli, type HelmUnderTest } from './support.js';

const UMBRELLA = resolve('test/fixtures/umbrella');

const created: { target: HelmUnderTest; namespace: string }[] = [];
const folders: string[] = [];
after(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
});

const cli = runCli;

/** The user's copy of the umbrella and its library chart, the repository URL written in. */
async function userCharts(): Promise<{ dir: string; shop: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-umbrella-'));
  folders.push(dir);
  await cp(UMBRELLA, dir, { recursive: true });
  const shop = join(dir, 'shop');
  const chartYaml = join(shop, 'Chart.yaml');
  await writeFile(chartYaml, (await readFile(chartYaml, 'utf8')).replace('REPOSITORY_URL', env.repo));
  return { dir, shop };
}

async function setConstraint(shop: string, constraint: string): Promise<void> {
  const chartYaml = join(shop, 'Chart.yaml');
  await writeFile(chartYaml, (await readFile(chartYaml, 'utf8')).replace(/version: "~[^"]+"/, `version: "${constraint}"`));
}

for (const target of helmsUnderTest()) {
  describe(`local charts with unbuilt dependencies with ${target.label}`, () => {
    it('template, plan and apply build them once in a private copy; a bump upgrades; an unresolvable one fails naming it', async () => {
      const namespace = uniqueNamespace(`deps-${target.label}`);
      created.push({ target, namespace });
      const { dir, shop } = await userCharts();
      const file = join(dir, 'helmcycle.yaml');
      // No pods (replicaCount 0): what is tested is what helm rendered from the built dependencies.
      await writeFile(file, stringify({ name: 'deps', defaults: { namespace, createNamespace: true, timeoutSeconds: 60 }, charts: [{ name: 'shop', chart: shop, values: { storefront: { replicaCount: 0 } } }] }));
      const before = (await readdir(join(shop, 'charts'))).sort();
      assert.deepEqual(before, ['metrics']);

      const rendered = await cli(target, file, 'template');
      assert.equal(rendered.code, 0, rendered.stderr);
      assert.match(rendered.stdout, /storefrontChartVersion: "1\.0\.0"/);
      assert.match(rendered.stdout, /storefrontServicePort: "80"/, 'the subchart\'s service values were imported');
      assert.match(rendered.stdout, /app\.kubernetes\.io\/part-of: shop/, 'the file:// library chart was packaged in');
      assert.match(rendered.stdout, /# Source: shop\/charts\/storefront\/templates\/deployment.yaml/, 'the aliased repository subchart rendered');
      assert.match(rendered.stdout, /# Source: shop\/charts\/metrics\//, 'the vendored subchart rendered');

      const planned = await cli(target, file, 'plan', '--detailed-exitcode');
      assert.equal(planned.code, 2, `changes pending: ${planned.stderr}${planned.stdout}`);
      assert.match(planned.stdout, /\+ shop .*install 1\.0\.0[\s\S]*Deployment\/\S+\/shop-web \(added\)/);

      const applied = await cli(target, file, 'apply');
      assert.equal(applied.code, 0, applied.stderr + applied.stdout);
      assert.deepEqual(await configMapData(target.kube, namespace, 'shop-shop'), { storefrontChartVersion: '1.0.0', storefrontServicePort: '80' });
      assert.deepEqual((await readdir(join(shop, 'charts'))).sort(), before, 'the user\'s charts/ is left as it was');
      assert.deepEqual((await readdir(shop)).sort(), ['Chart.yaml', 'charts', 'templates', 'values.yaml'], 'no Chart.lock written into the user\'s folder');

      const converged = await cli(target, file, 'plan', '--detailed-exitcode');
      assert.equal(converged.code, 0, `nothing to do: ${converged.stderr}${converged.stdout}`);

      await setConstraint(shop, '~1.1.0');
      const bumped = await cli(target, file, 'apply');
      assert.equal(bumped.code, 0, bumped.stderr + bumped.stdout);
      assert.equal((await configMapData(target.kube, namespace, 'shop-shop')).storefrontChartVersion, '1.1.0');
      const upgraded = await target.helm.status({ release: 'shop', namespace });
      assert.deepEqual([upgraded?.revision, upgraded?.status], [2, 'deployed']);

      await setConstraint(shop, '~9.0.0');
      const broken = await cli(target, file, 'apply');
      assert.notEqual(broken.code, 0);
      assert.match(broken.stderr + broken.stdout, /could not build the dependencies of the local chart \S*shop: web from http:\/\/127\.0\.0\.1:\d+ \(/);
      const untouched = await target.helm.status({ release: 'shop', namespace });
      assert.deepEqual([untouched?.revision, untouched?.status], [2, 'deployed'], 'nothing changed in the cluster');
    });
  });
}
