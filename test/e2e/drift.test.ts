// Drift through the CLI, against the local cluster with Helm 3 and Helm 4: after a Deployment is scaled
// and a ConfigMap edited by hand (kubectl), plan lists both fields with their declared and live values
// and plans an upgrade to repair them; apply puts the declared values back; a second plan is a skip.
// With --ignore-drift, plan skips and apply leaves the hand edits. A chart shaped like community charts
// (zero values, empty maps, defaulted fields, quantities, int-or-string), installed and untouched, plans
// as unchanged; a hand edit of each kind of field is still found, and apply repairs it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { configMapData, env, helmsUnderTest, uniqueNamespace, runCli, type HelmUnderTest } from './support.js';

const run = promisify(execFile);
const created: { target: HelmUnderTest; namespace: string }[] = [];
after(async () => {
  for (const { target, namespace } of created) {
    await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
    // defaults-heavy's templated CRD is cluster-scoped, named after the namespace.
    await target.kube.deleteObject({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: `gauges.dh.${namespace}.drift.fixtures.helmcycle.dev` }).catch(() => undefined);
  }
});

const DEFAULTS_HEAVY = resolve('test/fixtures/charts/defaults-heavy');

/**
 * Stands in for an ingress controller while `during` runs: the cluster has none, and validate waits for
 * an Ingress to be given an address. Writes status only (a subresource no drift reads).
 */
async function admittingIngresses<T>(namespace: string, during: () => Promise<T>): Promise<T> {
  let running = true;
  const admit = (async () => {
    while (running) {
      const listed = await run('kubectl', ['get', 'ingress', '-n', namespace, '-o', 'json'], { env: process.env }).catch(() => undefined);
      const items = listed ? (JSON.parse(listed.stdout) as { items: { metadata: { name: string }; status?: { loadBalancer?: { ingress?: unknown[] } } }[] }).items : [];
      for (const ingress of items.filter((i) => !i.status?.loadBalancer?.ingress?.length)) {
        await kubectl('patch', 'ingress', ingress.metadata.name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } })).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  try {
    return await during();
  } finally {
    running = false;
    await admit;
  }
}

const cli = runCli;

async function kubectl(...args: string[]): Promise<void> {
  await run('kubectl', args, { env: process.env });
}

interface PlannedDrift { resource: string; fields: { path: string; declared: unknown; live: unknown }[] }
interface PlannedChart { action: string; reason: string; drift?: PlannedDrift[] }

/** Drift in a stable order: by resource, each resource's fields by path. */
function sorted(drift: PlannedDrift[] = []): PlannedDrift[] {
  return [...drift].map((d) => ({ ...d, fields: [...d.fields].sort((a, b) => a.path.localeCompare(b.path)) })).sort((a, b) => a.resource.localeCompare(b.resource));
}

function planOf(stdout: string): PlannedChart {
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as PlannedChart & { type: string });
  return lines.find((line) => line.type === 'plan')!;
}

for (const target of helmsUnderTest()) {
  describe(`drift with ${target.label}`, () => {
    it('plans and repairs a hand-scaled Deployment and a hand-edited ConfigMap; --ignore-drift leaves them', async () => {
      const namespace = uniqueNamespace(`drift-${target.label}`);
      created.push({ target, namespace });
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-drift-'));
      const file = join(dir, 'helmcycle.yaml');
      await writeFile(file, stringify({ name: 'drift', defaults: { namespace, createNamespace: true, timeoutSeconds: 120 }, charts: [{ name: 'web', chart: 'web', repository: env.repo, version: '1.0.0', set: { message: 'declared' } }] }));
      const replicas = async () => ((await target.kube.getObject({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'web-web' }))?.spec as { replicas?: number } | undefined)?.replicas;
      const drift = async () => {
        await kubectl('-n', namespace, 'scale', 'deployment/web-web', '--replicas=3');
        await kubectl('-n', namespace, 'patch', 'configmap/web-web', '--type=merge', '-p', '{"data":{"message":"edited by hand"}}');
      };

      const installed = await cli(target, file, 'apply');
      assert.equal(installed.code, 0, installed.stderr + installed.stdout);
      await drift();

      const planned = await cli(target, file, '-o', 'json', 'plan');
      assert.equal(planned.code, 0, planned.stderr + planned.stdout);
      const plan = planOf(planned.stdout);
      assert.equal(plan.action, 'upgrade');
      assert.match(plan.reason, /repair drift/);
      const byResource = [...(plan.drift ?? [])].sort((a, b) => a.resource.localeCompare(b.resource));
      assert.deepEqual(byResource, [
        { resource: `ConfigMap/${namespace}/web-web`, fields: [{ path: 'data.message', declared: 'declared', live: 'edited by hand' }] },
        { resource: `Deployment/${namespace}/web-web`, fields: [{ path: 'spec.replicas', declared: 1, live: 3 }] },
      ]);
      const text = await cli(target, file, 'plan');
      assert.match(text.stdout, new RegExp(`drift Deployment/${namespace}/web-web: spec.replicas declared 1, live 3`));

      const ignoredPlan = planOf((await cli(target, file, '-o', 'json', 'plan', '--ignore-drift')).stdout);
      assert.equal(ignoredPlan.action, 'skip');
      assert.deepEqual(ignoredPlan.drift, []);

      const repaired = await cli(target, file, '-o', 'json', 'apply');
      assert.equal(repaired.code, 0, repaired.stderr + repaired.stdout);
      const finished = repaired.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; outcome?: string; repairedDrift?: { resource: string }[] }).find((e) => e.type === 'chart-finished');
      assert.equal(finished?.outcome, 'upgraded');
      assert.deepEqual(finished?.repairedDrift?.map((d) => d.resource).sort(), [`ConfigMap/${namespace}/web-web`, `Deployment/${namespace}/web-web`]);
      assert.equal(await replicas(), 1, 'the declared replicas are back');
      assert.equal((await configMapData(target.kube, namespace, 'web-web')).message, 'declared', 'the declared ConfigMap data is back');
      const converged = planOf((await cli(target, file, '-o', 'json', 'plan')).stdout);
      assert.deepEqual([converged.action, converged.drift], ['skip', []]);

      await drift();
      const left = await cli(target, file, 'apply', '--ignore-drift');
      assert.equal(left.code, 0, left.stderr + left.stdout);
      assert.equal(await replicas(), 3, '--ignore-drift leaves the hand-scaled replicas');
      assert.equal((await configMapData(target.kube, namespace, 'web-web')).message, 'edited by hand');
      assert.equal((await target.helm.status({ release: 'web', namespace }))?.revision, 2, 'and upgrades nothing');
    });

    it('plans an untouched community-shaped chart as unchanged with no drift, and still finds a hand edit of each kind of field', async () => {
      const namespace = uniqueNamespace(`drift-defaults-${target.label}`);
      created.push({ target, namespace });
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-drift-'));
      const file = join(dir, 'helmcycle.yaml');
      await writeFile(file, stringify({ name: 'drift', defaults: { namespace, createNamespace: true, timeoutSeconds: 180 }, charts: [{ name: 'dh', chart: DEFAULTS_HEAVY }] }));
      const installed = await admittingIngresses(namespace, () => cli(target, file, 'apply'));
      assert.equal(installed.code, 0, installed.stderr + installed.stdout);

      const untouched = await cli(target, file, '-o', 'json', 'plan');
      assert.equal(untouched.code, 0, untouched.stderr + untouched.stdout);
      const quiet = planOf(untouched.stdout);
      assert.deepEqual([quiet.action, quiet.drift], ['skip', []], `installed and untouched, yet: ${quiet.reason}`);

      const at = (kind: string, name: string) => [kind, name, '-n', namespace];
      await kubectl('scale', ...at('deployment', 'dh-dh-controller'), '--replicas=2');
      await kubectl('set', 'env', ...at('deployment', 'dh-dh-controller'), 'POD_PORT=9090');
      await kubectl('label', '--overwrite', ...at('deployment', 'dh-dh-controller'), 'helm.sh/chart=edited');
      await kubectl('label', ...at('service', 'dh-dh'), 'app.kubernetes.io/name-');
      await kubectl('patch', ...at('configmap', 'dh-dh'), '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/data/message', value: 'edited' }, { op: 'remove', path: '/data/enabled' }]));
      await kubectl('set', 'image', ...at('statefulset', 'dh-dh-store'), 'store=registry.invalid/helmcycle/other:2.0');
      await kubectl('patch', ...at('dial', 'dh-dh'), '--type=merge', '-p', JSON.stringify({ spec: { ratio: 0.75 } }));
      await kubectl('delete', ...at('ingress', 'dh-dh'));

      const edited = planOf((await cli(target, file, '-o', 'json', 'plan')).stdout);
      assert.equal(edited.action, 'upgrade');
      assert.deepEqual(sorted(edited.drift), [
        { resource: `ConfigMap/${namespace}/dh-dh`, fields: [{ path: 'data.enabled', declared: 'false' }, { path: 'data.message', declared: 'hello', live: 'edited' }] },
        { resource: `Deployment/${namespace}/dh-dh-controller`, fields: [
          { path: 'metadata.labels.helm.sh/chart', declared: 'defaults-heavy-1.0.0', live: 'edited' },
          { path: 'spec.replicas', declared: 1, live: 2 },
          { path: 'spec.template.spec.containers[name=controller].env[name=POD_PORT].value', declared: '8080', live: '9090' },
        ] },
        { resource: `Dial/${namespace}/dh-dh`, fields: [{ path: 'spec.ratio', declared: 0.5, live: 0.75 }] },
        { resource: `Ingress/${namespace}/dh-dh`, fields: [{ path: '', declared: 'present', live: 'missing' }] },
        { resource: `Service/${namespace}/dh-dh`, fields: [{ path: 'metadata.labels.app.kubernetes.io/name', declared: 'defaults-heavy' }] },
        { resource: `StatefulSet/${namespace}/dh-dh-store`, fields: [{ path: 'spec.template.spec.containers[name=store].image', declared: 'registry.invalid/helmcycle/web:1.0', live: 'registry.invalid/helmcycle/other:2.0' }] },
      ]);

      // Helm 3 upgrades a custom resource with a two-way merge of the old and new manifests, blind to the
      // live object, so its repair cannot put a hand-edited custom resource back; that edit is undone by hand.
      await kubectl('patch', ...at('dial', 'dh-dh'), '--type=merge', '-p', JSON.stringify({ spec: { ratio: 0.5 } }));
      const repaired = await admittingIngresses(namespace, () => cli(target, file, 'apply'));
      assert.equal(repaired.code, 0, repaired.stderr + repaired.stdout);
      const converged = planOf((await cli(target, file, '-o', 'json', 'plan')).stdout);
      assert.deepEqual([converged.action, converged.drift], ['skip', []], `repaired, yet: ${converged.reason}`);
    });

    it("shows a Secret's drift as its path and (sensitive), never a value, and puts the declared data back", async () => {
      const namespace = uniqueNamespace(`drift-secret-${target.label}`);
      created.push({ target, namespace });
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-drift-'));
      const file = join(dir, 'helmcycle.yaml');
      // A chart whose Secret comes from a sensitive value, as community charts render a given password.
      const chart = join(dir, 'api-client');
      await mkdir(join(chart, 'templates'), { recursive: true });
      await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: api-client\nversion: 1.0.0\n');
      await writeFile(join(chart, 'values.yaml'), 'apiToken: ""\n');
      await writeFile(join(chart, 'templates', 'secret.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-credentials\ntype: Opaque\ndata:\n  password: {{ .Values.apiToken | b64enc | quote }}\n');
      await writeFile(file, stringify({ name: 'drift', defaults: { namespace, createNamespace: true, timeoutSeconds: 120 }, charts: [{ name: 'cred', chart, setSensitive: { apiToken: 'declared-token-5519' } }] }));
      const password = async () => ((await target.kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace, name: 'cred-credentials' }))?.data as Record<string, string>).password!;
      const installed = await cli(target, file, 'apply');
      assert.equal(installed.code, 0, installed.stderr + installed.stdout);
      const declared = await password();
      const edited = 'edited-by-hand-7781';
      await kubectl('-n', namespace, 'patch', 'secret/cred-credentials', '--type=merge', '-p', JSON.stringify({ stringData: { password: edited } }));

      const json = await cli(target, file, '-o', 'json', 'plan');
      const text = await cli(target, file, 'plan');
      assert.deepEqual(planOf(json.stdout).drift, [{ resource: `Secret/${namespace}/cred-credentials`, fields: [{ path: 'data.password', declared: '(sensitive)', live: '(sensitive)' }] }]);
      assert.match(text.stdout, /drift Secret\/.*: data\.password declared "\(sensitive\)", live "\(sensitive\)"/);
      const applied = await cli(target, file, '-o', 'json', 'apply');
      assert.equal(applied.code, 0, applied.stderr + applied.stdout);
      for (const output of [json.stdout, text.stdout, applied.stdout, applied.stderr]) {
        for (const value of [declared, Buffer.from(declared, 'base64').toString(), edited, Buffer.from(edited).toString('base64')]) assert.ok(!output.includes(value), 'no Secret value in the output');
      }
      assert.equal(Buffer.from(await password(), 'base64').toString(), 'declared-token-5519', 'the declared password is back');
    });
  });
}
