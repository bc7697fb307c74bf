// CRD evolution on the local cluster, with Helm 3 and Helm 4 (docs/crd-evolution.md). gizmo-operator
// moves its Gizmo CRD v1alpha1 -> v1beta1 -> v1 across 1.0.0, 2.0.0 and 3.0.0 (3.0.0 drops v1alpha1,
// which status.storedVersions still lists: the API server would refuse the CRD), and its Gadget CRD gains
// a required field, enums and CEL rules in 3.0.0. Objects are created at each version; after the
// upgrade every one is read back. A second test kills the CLI (kill -9) inside the storage migration and
// runs it again. The CRD group (*.crdevo.helmcycle.dev) belongs to these tests alone.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import type { CrdEvolution } from '../../src/crd-evolution/assess.js';
import type { KubeObject } from '../../src/kube/types.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition } from '../../src/lifecycle/types.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import { deleteCrds } from '../../src/toolkit/crds.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const GROUP = 'ops.crdevo.helmcycle.dev';
const GIZMOS = `gizmos.${GROUP}`;
const GADGETS = `gadgets.${GROUP}`;
const BIN = resolve('bin/helmcycle.mjs');
const chartPath = (version: string) => resolve('test/fixtures/charts', `gizmo-operator-${version}`);
const crdRef = (name: string) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });

type Kube = HelmUnderTest['kube'];

async function storedVersions(kube: Kube, name: string): Promise<string[]> {
  return ((await kube.getObject(crdRef(name)))?.status as { storedVersions?: string[] } | undefined)?.storedVersions ?? [];
}

async function servedVersions(kube: Kube, name: string): Promise<string[]> {
  const crd = await kube.getObject(crdRef(name));
  return ((crd?.spec as { versions?: { name: string; storage: boolean }[] } | undefined)?.versions ?? []).map((v) => `${v.name}${v.storage ? '*' : ''}`).sort();
}

function gizmo(version: string, namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: `${GROUP}/${version}`, kind: 'Gizmo', metadata: { name, namespace }, spec };
}

async function writeStack(chart: string, namespace: string, version: string, crds: Record<string, unknown> = {}, set: Record<string, unknown> = {}): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'helmcycle-crdevo-')), 'helmcycle.yaml');
  await writeFile(file, stringify({ charts: [{ name: chart, namespace, createNamespace: true, chart: chartPath(version), timeoutSeconds: 120, set, crds: { upgrade: true, ...crds } }] }));
  return file;
}

/** `helmcycle plan` in this process: exit code and output. */
async function plan(file: string, binary: string, ...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['-c', file, '--helm', binary, ...args], { stdout: (t) => (out += t), stderr: (t) => (out += t), interactive: false });
  return { code, out };
}

function jsonPlans(out: string): ChartPlan[] {
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as ChartPlan & { type?: string }).filter((p) => p.type === 'plan');
}

for (const target of helmsUnderTest()) {
  const { helm, kube, binary } = target;

  describe(`CRD evolution with ${target.label}`, () => {
    it('v1alpha1 -> v1beta1 -> v1 with objects at each: plan shows the migration and the findings, apply refuses them, then migrates with crds.allowInvalid; every object read back', async () => {
      await deleteCrds(kube, [GIZMOS, GADGETS], { force: true });
      const namespace = uniqueNamespace(`crdevo-${target.label}`);
      const users = uniqueNamespace(`crdevo-users-${target.label}`);
      await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: users } });
      const chart = (version: string, crds: Record<string, unknown> = {}): ChartDefinition => ({
        name: 'gizmo', namespace, createNamespace: true, chart: chartPath(version), timeoutSeconds: 120, crds: { upgrade: true, ...crds },
      });

      // 1.0.0: objects at v1alpha1, in the release's namespace and another one.
      await runChart(chart('1.0.0'), { helm, kube });
      assert.deepEqual(await storedVersions(kube, GIZMOS), ['v1alpha1']);
      const created: Record<string, Record<string, unknown>> = {
        [`${namespace}/alpha-one`]: { size: 2, mode: 'fast', port: 'http', image: 'registry.invalid/gizmo:1.0', settings: { cache: { ttl: '5m' }, flags: ['a', 'b'] } },
        [`${users}/alpha-two`]: { size: 7, mode: 'safe', port: 8443 },
      };
      await kube.createObject(gizmo('v1alpha1', namespace, 'alpha-one', created[`${namespace}/alpha-one`]!));
      await kube.createObject(gizmo('v1alpha1', users, 'alpha-two', created[`${users}/alpha-two`]!));
      await kube.patchObjectStatus({ apiVersion: `${GROUP}/v1alpha1`, kind: 'Gizmo', namespace, name: 'alpha-one' }, { status: { phase: 'Running', readyReplicas: 2 } });

      // 2.0.0: v1beta1 becomes the storage version, v1alpha1 stays served; objects at v1beta1.
      await runChart(chart('2.0.0'), { helm, kube });
      assert.deepEqual(await storedVersions(kube, GIZMOS), ['v1alpha1', 'v1beta1']);
      created[`${users}/beta-one`] = { size: 3, port: 9090, settings: { replicasPerZone: 1 } };
      await kube.createObject(gizmo('v1beta1', users, 'beta-one', created[`${users}/beta-one`]!));
      // A Gadget 3.0.0's schema refuses: no tier (now required), a mode outside the new enum, replicas over the CEL rule's bound.
      await kube.createObject({ apiVersion: `${GROUP}/v1`, kind: 'Gadget', metadata: { name: 'legacy', namespace: users }, spec: { mode: 'standby', replicas: 12 } });

      // plan 3.0.0: the migration, every finding with its path and rule, the rules not checked; text and JSON.
      const stack = await writeStack('gizmo', namespace, '3.0.0');
      const json = await plan(stack, binary, '--output', 'json', 'plan');
      assert.equal(json.code, 0, json.out);
      const [planned] = jsonPlans(json.out);
      assert.match(planned!.reason, new RegExp(`migrate 4 objects of ${GIZMOS.replaceAll('.', '\\.')} from v1alpha1 to v1`));
      const evolution = (name: string) => (planned!.crdEvolution ?? []).find((e: CrdEvolution) => e.crd === name);
      assert.deepEqual(evolution(GIZMOS)?.migration && [evolution(GIZMOS)!.migration!.from, evolution(GIZMOS)!.migration!.to, evolution(GIZMOS)!.migration!.objects], [['v1alpha1'], 'v1', 4]);
      assert.deepEqual(evolution(GIZMOS)?.compatibility.findings, [], 'every Gizmo fits v1');
      assert.deepEqual(evolution(GADGETS)?.compatibility.findings.map((f) => [f.object, f.path, f.rule]).sort(), [
        [`${users}/legacy`, 'spec', 'x-kubernetes-validations: !has(self.replicas) || self.replicas <= 10'],
        [`${users}/legacy`, 'spec.mode', 'enum'],
        [`${users}/legacy`, 'spec.tier', 'required'],
      ]);
      assert.deepEqual(evolution(GADGETS)?.compatibility.unchecked.map((u) => [u.path, u.rule]), [['spec.tier', 'self == oldSelf']], 'the transition rule is listed as not checked');
      assert.deepEqual(planned!.predictions.map((p) => [p.class, p.remedy]), [['crd-invalid-resources', 'none']]);
      const text = await plan(stack, binary, 'plan');
      assert.match(text.out, new RegExp(`migrate 4 objects of ${GIZMOS.replaceAll('.', '\\.')} from v1alpha1 to v1`));
      assert.match(text.out, new RegExp(`! ${GADGETS.replaceAll('.', '\\.')} ${users}/legacy: spec\\.tier: required field is missing \\[required\\]`));
      assert.match(text.out, /! predicted crd-invalid-resources: refusing to upgrade CRD gadgets/);
      assert.equal((await plan(stack, binary, 'plan', '--detailed-exitcode')).code, 1, 'a predicted failure is exit 1 under --detailed-exitcode');

      // apply refuses, before changing anything.
      const refused = await expectChartFailure(runChart(chart('3.0.0'), { helm, kube }));
      assert.equal(refused.failure?.class, 'crd-invalid-resources', refused.message);
      assert.match(refused.message, /users-[^/]*\/legacy: spec\.tier: required field is missing/);
      assert.deepEqual(await storedVersions(kube, GIZMOS), ['v1alpha1', 'v1beta1'], 'no migration ran');
      assert.deepEqual(await servedVersions(kube, GIZMOS), ['v1alpha1', 'v1beta1*']);
      assert.equal((await helm.status({ release: 'gizmo', namespace }))?.chartVersion, '2.0.0');

      // With crds.allowInvalid: plan predicts no failure (exit 2: changes), apply migrates and upgrades.
      const allowing = await writeStack('gizmo', namespace, '3.0.0', { allowInvalid: true });
      assert.equal((await plan(allowing, binary, 'plan', '--detailed-exitcode')).code, 2);
      await runChart(chart('3.0.0', { allowInvalid: true }), { helm, kube });
      assert.equal((await helm.status({ release: 'gizmo', namespace }))?.chartVersion, '3.0.0');
      assert.deepEqual(await storedVersions(kube, GIZMOS), ['v1']);
      assert.deepEqual(await servedVersions(kube, GIZMOS), ['v1*', 'v1beta1']);

      // Every object, read back at v1: the same spec, the status kept, v1's default filled in.
      const live = await kube.listObjects(`${GROUP}/v1`, 'Gizmo');
      const ours = live.filter((o) => o.metadata.namespace === namespace || o.metadata.namespace === users);
      assert.deepEqual(ours.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort(), [...Object.keys(created), `${namespace}/gizmo-default`].sort());
      for (const object of ours) {
        const key = `${object.metadata.namespace}/${object.metadata.name}`;
        if (created[key]) assert.deepEqual(object.spec, { ...created[key], paused: false }, key);
      }
      assert.deepEqual(ours.find((o) => o.metadata.name === 'alpha-one')?.status, { phase: 'Running', readyReplicas: 2 });
      assert.ok(await kube.getObject({ apiVersion: `${GROUP}/v1`, kind: 'Gadget', namespace: users, name: 'legacy' }), 'the invalid Gadget is still there');

      // Converged: no migration left to plan.
      const again = jsonPlans((await plan(allowing, binary, '--output', 'json', 'plan')).out)[0]!;
      assert.ok(!(again.crdEvolution ?? []).some((e) => e.migration), JSON.stringify(again.crdEvolution));
      await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: users });
    });

    it('kill -9 inside the storage migration: the next apply completes it, every object present at v1', async () => {
      await deleteCrds(kube, [GIZMOS, GADGETS], { force: true });
      const namespace = uniqueNamespace(`crdevo-kill-${target.label}`);
      // The chart's own Gizmo is off: helm would otherwise meet its v1alpha1 in the release manifest (removed-api-in-release, another test's matter).
      const noDefault = { 'defaultGizmo.enabled': false };
      await runChart({ name: 'gizmo', namespace, createNamespace: true, chart: chartPath('1.0.0'), timeoutSeconds: 120, set: noDefault, crds: { upgrade: true } }, { helm, kube });
      const COUNT = 300;
      const specOf = (i: number) => ({ size: (i % 50) + 1, mode: i % 2 ? 'fast' : 'safe', port: i % 3 ? 8000 + i : `port-${i}` });
      for (let start = 0; start < COUNT; start += 25) {
        await Promise.all(Array.from({ length: Math.min(25, COUNT - start) }, (_, j) => kube.createObject(gizmo('v1alpha1', namespace, `g-${start + j}`, specOf(start + j)))));
      }

      // Straight from 1.0.0 to 3.0.0: v1 is not served yet; the intermediate CRD serves it as storage.
      const stack = await writeStack('gizmo', namespace, '3.0.0', {}, noDefault);
      const run = execa('node', [BIN, '-c', stack, '--helm', binary, '--output', 'json', 'apply'], { reject: false, all: true, env: { CI: 'true' } });
      let sawProgress = false;
      await new Promise<void>((done) => {
        run.stdout!.on('data', (chunk: Buffer) => {
          if (!sawProgress && /rewrote \d+\/\d+ objects at v1/.test(chunk.toString())) {
            sawProgress = true;
            run.kill('SIGKILL');
            done();
          }
        });
        void run.then(() => done());
      });
      const killed = await run;
      assert.ok(sawProgress, `the migration reported progress before the kill:\n${killed.all}`);
      assert.equal(killed.signal, 'SIGKILL');
      const stored = await storedVersions(kube, GIZMOS);
      assert.ok(stored.includes('v1alpha1'), `killed before the trim: ${stored.join(', ')}`);
      assert.ok((await servedVersions(kube, GIZMOS)).includes('v1*'), 'the intermediate CRD is in place');

      const next = await execa('node', [BIN, '-c', stack, '--helm', binary, '--output', 'json', 'apply'], { reject: false, all: true, env: { CI: 'true' } });
      assert.equal(next.exitCode, 0, next.all);
      assert.match(next.all, new RegExp(`migrate ${COUNT} objects of ${GIZMOS.replaceAll('.', '\\.')} from v1alpha1 to v1`));
      assert.deepEqual(await storedVersions(kube, GIZMOS), ['v1']);
      assert.deepEqual(await servedVersions(kube, GIZMOS), ['v1*', 'v1beta1']);
      const live = await kube.listObjects(`${GROUP}/v1`, 'Gizmo', namespace);
      assert.equal(live.length, COUNT, 'every object');
      for (let i = 0; i < COUNT; i++) {
        const object = live.find((o) => o.metadata.name === `g-${i}`);
        assert.deepEqual(object?.spec, { ...specOf(i), paused: false }, `g-${i}`);
      }
      assert.equal((await helm.status({ release: 'gizmo', namespace }))?.chartVersion, '3.0.0');
    });
  });
}
