// Values that no longer mean anything (issue 27.3), on the local control plane under Helm 3 and Helm 4.
// web comes from the loopback chart repository (no schema: the render check judges its typo);
// monitoring-bundle (kube-prometheus-stack shaped, test/fixtures/values-charts) is copied as 87.1.0 with a
// key its 88.0.0 drops, installed, then planned at 88.0.0: plan names the removed key, --strict-values
// refuses with unused-values and changes nothing, and `helmcycle types` writes declarations tsc accepts.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import ts from 'typescript';
import { stringify } from 'yaml';
import { env, helmsUnderTest, runCli, uniqueNamespace, type HelmUnderTest } from './support.js';

const created: { target: HelmUnderTest; namespace: string }[] = [];
after(async () => {
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
});

/** monitoring-bundle as 87.1.0: its prometheusSpec still has scrapeInterval, which 88.0.0 dropped. */
async function bundleVersions(dir: string): Promise<{ v87: string; v88: string }> {
  const v88 = join(dir, 'monitoring-bundle-88.0.0');
  const v87 = join(dir, 'monitoring-bundle-87.1.0');
  await cp(resolve('test/fixtures/values-charts/monitoring-bundle'), v88, { recursive: true });
  await cp(v88, v87, { recursive: true });
  await writeFile(join(v87, 'Chart.yaml'), (await readFile(join(v87, 'Chart.yaml'), 'utf8')).replace('version: 88.0.0', 'version: 87.1.0'));
  await writeFile(join(v87, 'values.yaml'), (await readFile(join(v87, 'values.yaml'), 'utf8')).replace('    retention: 10d\n', '    retention: 10d\n    scrapeInterval: 30s\n'));
  await writeFile(join(v87, 'templates', 'prometheus.yaml'), `${await readFile(join(v87, 'templates', 'prometheus.yaml'), 'utf8')}  scrapeInterval: {{ .Values.prometheus.prometheusSpec.scrapeInterval | quote }}\n`);
  return { v87, v88 };
}

function tscDiagnostics(file: string): string[] {
  const program = ts.createProgram([file], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

for (const target of helmsUnderTest()) {
  describe(`values checks, ${target.label}`, () => {
    it('warns, refuses under --strict-values with nothing changed, names a removed key, and types a TS config', { timeout: 300_000 }, async () => {
      const namespace = uniqueNamespace(`values-${target.label}`);
      created.push({ target, namespace });
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-values-'));
      const { v87, v88 } = await bundleVersions(dir);
      const file = join(dir, 'helmcycle.yaml');
      const mon = (chart: string) => ({ name: 'mon', chart, values: { prometheus: { prometheusSpec: { scrapeInterval: '15s', retention: '5d' } }, grafana: { adminUser: 'root' } } });
      const web = { name: 'web', chart: 'web', repository: env.repo, version: '1.0.0', values: { message: 'hi', mesage: 'typo', config: { color: 'blue' } } };
      const write = (charts: object[]) => writeFile(file, stringify({ name: 'values', defaults: { namespace, createNamespace: true, timeoutSeconds: 120 }, charts }));

      await write([mon(v87)]);
      const installed = await runCli(target, file, 'apply');
      assert.equal(installed.code, 0, installed.stderr + installed.stdout);

      await write([web, mon(v88)]);
      const plan = await runCli(target, file, 'plan');
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(plan.stdout, /! value mesage: not read by web 1\.0\.0: not in its values\.yaml or values\.schema\.json, and the chart renders the same without it/);
      assert.match(plan.stdout, /! value prometheus\.prometheusSpec\.scrapeInterval: no longer in 88\.0\.0 \(the defaults of 87\.1\.0 have it\)/);
      assert.doesNotMatch(plan.stdout, /value (message|config\.color|grafana\.adminUser|prometheus\.prometheusSpec\.retention):/, 'keys the charts read are not reported');

      const strict = await runCli(target, file, 'plan', '--strict-values', '--detailed-exitcode', '-o', 'json');
      assert.equal(strict.code, 1, 'a predicted failure under --detailed-exitcode');
      const lines = strict.stdout.split('\n').filter((l) => l.includes('"type":"plan"')).map((l) => JSON.parse(l) as { chart: string; valueFindings?: { path: string; kind: string }[]; predictions: { class: string; detail: string }[] });
      const byChart = Object.fromEntries(lines.map((l) => [l.chart, l]));
      assert.deepEqual(byChart.web!.valueFindings?.map((f) => [f.path, f.kind]), [['mesage', 'unused']]);
      assert.deepEqual(byChart.mon!.valueFindings?.map((f) => [f.path, f.kind]), [['prometheus.prometheusSpec.scrapeInterval', 'removed']]);
      assert.ok(lines.every((l) => l.predictions.some((p) => p.class === 'unused-values')));

      const refused = await runCli(target, file, 'apply', '--strict-values');
      assert.equal(refused.code, 1, refused.stderr + refused.stdout);
      assert.match(refused.stderr, /✖ web: refusing to deploy chart web with 1 value\(s\) it does not read: mesage/);
      assert.match(refused.stderr, /✖ mon: refusing to deploy chart mon with 1 value\(s\) it does not read: prometheus\.prometheusSpec\.scrapeInterval/);
      // Nothing changed: web is not installed, mon still runs 87.1.0 at its first revision.
      assert.equal(await target.helm.status({ release: 'web', namespace }), undefined);
      const monStatus = await target.helm.status({ release: 'mon', namespace });
      assert.deepEqual([monStatus?.revision, monStatus?.chartVersion], [1, '87.1.0']);

      const typed = await runCli(target, file, 'types');
      assert.equal(typed.code, 0, typed.stderr);
      assert.match(typed.stdout, /web: .*helmcycle-types\/web\.d\.ts \(WebValues, from values\.yaml\)/);
      const config = join(dir, 'helmcycle.config.ts');
      const source = (webValues: string) => [
        "import type { WebValues } from './helmcycle-types/web.js';",
        "import type { MonValues } from './helmcycle-types/mon.js';",
        `export const web = ${webValues} satisfies WebValues;`,
        "export const mon = { prometheus: { prometheusSpec: { retention: '5d' } }, grafana: { adminUser: 'root' } } satisfies MonValues;",
        '',
      ].join('\n');
      await writeFile(join(dir, 'package.json'), '{"type":"module"}');
      await writeFile(config, source("{ message: 'hi', config: { color: 'blue' } }"));
      assert.deepEqual(tscDiagnostics(config), []);
      await writeFile(config, source("{ message: 'hi', mesage: 'typo' }"));
      assert.match(tscDiagnostics(config).join('\n'), /'mesage' does not exist in type 'WebValues'/);
    });
  });
}
