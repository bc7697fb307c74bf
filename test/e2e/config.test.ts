// Stack configuration against the local cluster, with Helm 3 and Helm 4: a TypeScript stack chart's
// migrations run; the demo stack destroys cleanly (destroy runs no deploy checks); a chart's values-schema
// error is kept whole in the error, the JSON event and the report; a relative crds.path is read from the
// stack file's folder wherever helmcycle runs, and a missing one is exit 2 before anything changes;
// status says which charts are not installed and exits 3.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { parseManifest } from '../../src/kube/manifest.js';
import { deleteCrds } from '../../src/toolkit/crds.js';
import { env, helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const WEB = resolve('test/fixtures/charts/web');
const STRICT = resolve('test/fixtures/charts/strict-values');
const DEMO = resolve('examples/demo-stack/helmcycle.config.ts');
const BIN = resolve('bin/helmcycle.mjs');

async function cli(target: HelmUnderTest, file: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['-c', file, '--helm', target.binary, '--output', 'json', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false });
  const lines = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, stdout, stderr, lines };
}

async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `helmcycle-${prefix}-`));
}

const created: { target: HelmUnderTest; namespace: string }[] = [];
after(async () => {
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
});

for (const target of helmsUnderTest()) {
  describe(`stack configuration with ${target.label}`, () => {
    it('a TypeScript stack chart with migrations runs them when the installed version is in range', async () => {
      const namespace = uniqueNamespace(`cfg-mig-${target.label}`);
      created.push({ target, namespace });
      const dir = await tempDir('migrations');
      const file = join(dir, 'helmcycle.config.ts');
      await writeFile(
        file,
        `export default {
  defaults: { namespace: ${JSON.stringify(namespace)}, createNamespace: true },
  charts: [{
    name: 'web', chart: ${JSON.stringify(STRICT)},
    migrations: [{ name: 'from 1.x', from: '>=1.0.0 <2.0.0', steps: [{
      name: 'mark',
      async run(ctx) {
        await ctx.kube.createObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'migrated', namespace: ctx.spec.namespace }, data: { from: ctx.spec.name } });
      },
    }] }],
  }],
};
`,
      );
      const first = await cli(target, file, 'apply');
      assert.equal(first.code, 0, first.stderr + first.stdout);
      const marker = { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'migrated' };
      assert.equal(await target.kube.getObject(marker), undefined, 'nothing installed yet: no migration');
      const second = await cli(target, file, 'apply');
      assert.equal(second.code, 0, second.stderr + second.stdout);
      assert.ok(second.lines.some((e) => e.type === 'message' && /migration 'from 1\.x': mark done/.test(String(e.message))), 'the step ran');
      assert.deepEqual((await target.kube.getObject(marker))?.data, { from: 'web' });
    });

    it("the demo stack's destroy exits 0 and leaves no release and nothing the releases made", async () => {
      const namespace = uniqueNamespace(`cfg-demo-${target.label}`);
      created.push({ target, namespace }, { target, namespace: `${namespace}-system` });
      const demoEnv = { ...process.env, CI: 'true', HELMCYCLE_DEMO_NAMESPACE: namespace, HELMCYCLE_CHART_REPO_URL: env.repo };
      const run = (...args: string[]) => execa('node', [BIN, '-c', DEMO, '--helm', target.binary, ...args], { reject: false, env: demoEnv });
      const applied = await run('apply');
      assert.equal(applied.exitCode, 0, applied.stderr + applied.stdout);
      const made: { apiVersion: string; kind: string; name: string; namespace: string }[] = [];
      for (const [release, ns] of [['operator', `${namespace}-system`], ['widgets', namespace], ['web', namespace]] as const) {
        for (const object of parseManifest(await target.helm.getManifest({ release, namespace: ns }), ns)) {
          made.push({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace ?? ns });
        }
      }
      assert.ok(made.some((o) => o.kind === 'Widget') && made.some((o) => o.kind === 'Deployment'), 'the releases made workloads and custom resources');

      const destroyed = await run('destroy', '--yes');
      assert.equal(destroyed.exitCode, 0, destroyed.stderr + destroyed.stdout);
      assert.deepEqual([...(await target.helm.list(namespace)), ...(await target.helm.list(`${namespace}-system`))], [], 'no release is left');
      for (const ref of made) assert.equal(await target.kube.getObject(ref), undefined, `${ref.kind}/${ref.name} is gone`);
      const again = await run('destroy', '--yes');
      assert.equal(again.exitCode, 0, `a second destroy finds nothing to do: ${again.stderr}`);
    });

    it("a values-schema error keeps helm's whole message in the error, the JSON event and the report", async () => {
      const namespace = uniqueNamespace(`cfg-schema-${target.label}`);
      const dir = await tempDir('schema');
      const file = join(dir, 'helmcycle.yaml');
      const report = join(dir, 'run.html');
      await writeFile(file, stringify({ defaults: { namespace, createNamespace: true }, charts: [{ name: 'strict', chart: STRICT, setJson: { crd: { enabled: true } } }] }));
      const result = await cli(target, file, '--report', report, 'apply');
      assert.equal(result.code, 1);
      // Helm 3 and Helm 4 word it differently; each names the key.
      const named = target.label === 'helm3' ? /- \(root\): Additional property crd is not allowed/ : /- at '': additional properties 'crd' not allowed/;
      const failed = result.lines.find((e) => e.type === 'chart-failed');
      assert.match(String(failed?.error), named, 'the JSON event');
      assert.match(String(failed?.error), /values don't meet the specifications of the schema\(s\) in the following chart\(s\):\nstrict-values:\n- /);
      const html = (await readFile(report, 'utf8')).replace(/&#39;|&apos;/g, "'").replace(/&#40;/g, '(').replace(/&#41;/g, ')');
      assert.match(html, named, 'the report');
      assert.equal(await target.kube.namespaceExists(namespace) && (await target.helm.list(namespace)).some((r) => r.status === 'deployed'), false, 'nothing deployed');
      if (await target.kube.namespaceExists(namespace)) created.push({ target, namespace });
    });

    it("a relative crds.path is read from the stack file's folder, wherever helmcycle runs; a missing one is exit 2", async () => {
      const namespace = uniqueNamespace(`cfg-crds-${target.label}`);
      created.push({ target, namespace });
      const group = `${target.label}.config.fixtures.helmcycle.dev`;
      const crdName = `gadgets.${group}`;
      const root = await tempDir('crds-path');
      const stackDir = join(root, 'stacks', 'prod');
      const elsewhere = join(root, 'elsewhere');
      await mkdir(join(stackDir, 'crds'), { recursive: true });
      await mkdir(elsewhere);
      await writeFile(
        join(stackDir, 'crds', 'gadgets.yaml'),
        stringify({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: crdName },
          spec: {
            group, scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
            versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } } } } } }],
          },
        }),
      );
      const stack = (path: string) => stringify({ defaults: { namespace, createNamespace: true }, charts: [{ name: 'gadgets', chart: WEB, crds: { path } }] });
      const file = join(stackDir, 'helmcycle.yaml');
      try {
        await writeFile(file, stack('crds'));
        const applied = await execa('node', [BIN, '-c', '../stacks/prod/helmcycle.yaml', '--helm', target.binary, 'apply'], { cwd: elsewhere, reject: false, env: { CI: 'true' } });
        assert.equal(applied.exitCode, 0, applied.stderr + applied.stdout);
        assert.ok(await target.kube.getObject({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: crdName }), 'the CRD was applied');

        await writeFile(file, stack('missing-crds'));
        for (const command of ['plan', 'apply']) {
          const refused = await execa('node', [BIN, '-c', '../stacks/prod/helmcycle.yaml', '--helm', target.binary, command], { cwd: elsewhere, reject: false, env: { CI: 'true' } });
          assert.equal(refused.exitCode, 2, `${command}: ${refused.stderr}`);
          assert.match(refused.stderr, /stacks\/prod\/helmcycle\.yaml: chart 'gadgets' names a file that does not exist\n {2}- crds\.path: .*stacks\/prod\/missing-crds does not exist/, command);
        }
        assert.deepEqual((await target.helm.list(namespace)).map((r) => r.revision), [1], 'the refused apply changed nothing');
      } finally {
        await target.helm.uninstall({ release: 'gadgets', namespace, wait: false, timeoutSeconds: 60 }).catch(() => undefined);
        await deleteCrds(target.kube, [crdName], { force: true }).catch(() => undefined);
      }
    });

    it('status of a stack where nothing is installed says so per chart and exits 3', async () => {
      const namespace = uniqueNamespace(`cfg-status-${target.label}`);
      const file = join(await tempDir('status'), 'helmcycle.yaml');
      await writeFile(file, stringify({ defaults: { namespace }, charts: [{ name: 'a', chart: WEB }, { name: 'b', chart: WEB }] }));
      const json = await cli(target, file, 'status');
      assert.equal(json.code, 3, json.stderr);
      assert.deepEqual(json.lines.map((l) => [l.type, l.chart, l.status, l.health]), [['status', 'a', 'not installed', 'not-installed'], ['status', 'b', 'not installed', 'not-installed'], ['status-summary', undefined, undefined, undefined]]);
      assert.deepEqual(json.lines[2], { type: 'status-summary', ready: 0, degraded: 0, notInstalled: 2, exitCode: 3 });
      const text = await execa('node', [BIN, '-c', file, '--helm', target.binary, 'status'], { reject: false, env: { CI: 'true' } });
      assert.equal(text.exitCode, 3);
      assert.match(text.stdout, /^status: 0 ready, 0 degraded, 2 not installed \(a, b: apply installs them\)$/m);
    });
  });
}
