// CRD evolution's pure parts (docs/crd-evolution.md): the structural schema check (ajv) and CEL rules
// against existing objects, the read choice, the migration plan and its intermediate CRD, the refusals
// plan and apply share, and the migrator run against a fake cluster, interrupted and resumed. The CRDs
// are the gizmo-operator fixture's, as the e2e test deploys them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { assessCrdEvolution, evolutionRefusals, type CrdEvolution } from '../../src/crd-evolution/assess.js';
import { celValue, celViolations, uncheckableRules } from '../../src/crd-evolution/cel-rules.js';
import { checkCompatibility, readChoice } from '../../src/crd-evolution/compatibility.js';
import { CrdInvalidResourcesError, CrdMigrationBlockedError } from '../../src/crd-evolution/errors.js';
import { assessCrds, evolveCrds } from '../../src/crd-evolution/evolve.js';
import { formatPlan } from '../../src/cli/format.js';
import type { ChartSpec } from '../../src/config/chart-spec.js';
import { refusalFailure } from '../../src/failures/refusals.js';
import { evolutionPredictions } from '../../src/stack/plan-crds.js';
import { writeBackBody } from '../../src/crd-evolution/migrate.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import { describeMigration, intermediateCrd, migrationNeed } from '../../src/crd-evolution/migration-plan.js';
import type { OpenApiSchema } from '../../src/crd-evolution/openapi-schema.js';
import { dottedPath, schemaViolations } from '../../src/crd-evolution/schema-check.js';
import { anyReadyEndpoint, webhookNotReady } from '../../src/crd-evolution/webhook.js';
import { classifyFailure } from '../../src/failures/classify.js';
import type { KubeObject, ObjectRef } from '../../src/kube/types.js';
import { FakeHelm, FakeKube } from './fakes.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { LifecycleEvent } from '../../src/lifecycle/events.js';
import { expectChartFailure } from '../support/expect-failure.js';

const GROUP = 'ops.crdevo.helmcycle.dev';
const fixtureCrd = (version: string, file: string): KubeObject => parse(readFileSync(`test/fixtures/charts/gizmo-operator-${version}/crds/${file}.yaml`, 'utf8')) as KubeObject;
const withStored = (crd: KubeObject, stored: string[]): KubeObject => ({ ...crd, status: { storedVersions: stored } });
const schemaOf = (crd: KubeObject, version: string) => (crd.spec as { versions: { name: string; schema: { openAPIV3Schema: OpenApiSchema } }[] }).versions.find((v) => v.name === version)!.schema.openAPIV3Schema;
const gizmo = (version: string, namespace: string, name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: `${GROUP}/${version}`, kind: 'Gizmo', metadata: { name, namespace }, spec });
const gadget = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: `${GROUP}/v1`, kind: 'Gadget', metadata: { name, namespace }, spec });

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe('schemaViolations (structural schema, ajv)', () => {
  const schema: OpenApiSchema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object', required: ['mode', 'size'],
        properties: {
          mode: { type: 'string', enum: ['a', 'b'] }, size: { type: 'integer', default: 3 }, port: { 'x-kubernetes-int-or-string': true },
          opt: { type: 'string', nullable: true, enum: ['x'] }, count: { type: 'integer', minimum: 0, exclusiveMinimum: true },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  };

  it('reports enum, int-or-string, exclusiveMinimum (OpenAPI boolean form), map values and pruned fields, each with its path', () => {
    const object = deepFreeze({ apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a', uid: 'u', managedFields: [] }, spec: { mode: 'c', port: 1.5, opt: null, count: 0, free: { any: { thing: 1 } }, labels: { a: 1 }, gone: true } });
    const before = structuredClone(object);
    assert.deepEqual(schemaViolations(schema, object).map((v) => [v.path, v.rule]).sort(), [
      ['spec.count', 'exclusiveMinimum'], ['spec.gone', 'pruned'], ['spec.labels.a', 'type'], ['spec.mode', 'enum'], ['spec.port', 'x-kubernetes-int-or-string'],
    ]);
    assert.deepEqual(object, before, 'the object is only read (frozen, and unchanged)');
  });

  it('passes a valid object: a required field with a default may be missing, null where nullable, metadata and preserved fields free', () => {
    assert.deepEqual(schemaViolations(schema, { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a', labels: { x: 'y' } }, spec: { mode: 'a', port: 'http', opt: null, count: 1, free: { z: [1] } } }), []);
    assert.deepEqual(schemaViolations(schema, { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a' }, spec: {} }).map((v) => [v.path, v.rule]), [['spec.mode', 'required']]);
    const closed: OpenApiSchema = { type: 'object', properties: { spec: { type: 'object', properties: { opaque: { type: 'object' } } } } };
    assert.deepEqual(schemaViolations(closed, { spec: { opaque: { a: 1 } } }).map((v) => [v.path, v.rule]), [['spec.opaque.a', 'pruned']], 'an object schema with no fields keeps none');
  });

  it('dottedPath', () => {
    assert.equal(dottedPath('/spec/targets/0/url'), 'spec.targets[0].url');
    assert.equal(dottedPath('/metadata/annotations/a~1b'), 'metadata.annotations.a/b');
    assert.equal(dottedPath(''), '');
  });
});

describe('celViolations (x-kubernetes-validations, @bufbuild/cel)', () => {
  const schema: OpenApiSchema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-validations': [
          { rule: "!(self.module == 'icmp' && has(self.port))", message: 'icmp probes take no port' },
          { rule: 'self.replicas >= 1' },
          { rule: 'self.replicas >= oldSelf.replicas' },
          { rule: 'isURL(self.url)' },
          { rule: 'self.module.lowerAscii() == self.module' },
        ],
        properties: {
          module: { type: 'string' }, port: { type: 'integer' }, replicas: { type: 'integer' }, url: { type: 'string' },
          targets: { type: 'array', items: { type: 'object', 'x-kubernetes-validations': [{ rule: "self.name.startsWith('t')", fieldPath: '.name' }], properties: { name: { type: 'string' } } } },
        },
      },
    },
  };

  it('evaluates rules with self bound to their node; transition rules and unknown library functions are not checked, never guessed', () => {
    const outcome = celViolations(schema, { spec: { module: 'icmp', port: 80, replicas: 0, url: 'x', targets: [{ name: 'tx' }, { name: 'bad' }] } });
    assert.deepEqual(outcome.violations.map((v) => [v.path, v.message]), [
      ['spec', 'icmp probes take no port'],
      ['spec', 'failed rule: self.replicas >= 1'],
      ['spec.targets[1].name', "failed rule: self.name.startsWith('t')"],
    ]);
    assert.deepEqual(outcome.unchecked.map((u) => u.rule), ['self.replicas >= oldSelf.replicas', 'isURL(self.url)']);
    assert.deepEqual(celViolations(schema, { spec: { module: 'http', replicas: 2, url: 'x', targets: [{ name: 'tx' }] } }).violations, []);
  });

  it('binds integer fields as CEL ints', () => {
    assert.deepEqual(celValue({ type: 'object', properties: { n: { type: 'integer' }, d: { type: 'number' } } }, { n: 3, d: 3 }), { n: 3n, d: 3 });
    assert.deepEqual(uncheckableRules(schema).map((u) => u.path), ['spec']);
  });
});

describe('the gizmo-operator CRDs: read choice, compatibility, migration plan', () => {
  const gizmos1 = withStored(fixtureCrd('1.0.0', 'gizmos'), ['v1alpha1']);
  const gizmos2 = withStored(fixtureCrd('2.0.0', 'gizmos'), ['v1alpha1', 'v1beta1']);
  const gizmos3 = fixtureCrd('3.0.0', 'gizmos');

  it('reads through the new storage version when the live CRD serves it, else through the live one (conversion None)', () => {
    assert.deepEqual(readChoice(gizmos2, gizmos3), { read: 'v1beta1', against: 'v1' });
    assert.deepEqual(readChoice(fixtureCrd('3.0.0', 'gizmos'), gizmos3), { read: 'v1', against: 'v1' });
    const webhook = { ...gizmos3, spec: { ...gizmos3.spec, conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { namespace: 'ops', name: 'conv' } } } } } };
    assert.match(String((readChoice(gizmos2, webhook) as { notChecked: string }).notChecked), /webhook/);
  });

  it('checks every object against the new storage version: Gadget 3.0.0 adds a required tier, enums and a CEL rule', () => {
    const gadgets2 = withStored(fixtureCrd('2.0.0', 'gadgets'), ['v1']);
    const gadgets3 = fixtureCrd('3.0.0', 'gadgets');
    const objects = [gadget('a', 'legacy', { mode: 'standby', replicas: 12 }), gadget('a', 'fine', { mode: 'active', replicas: 1, tier: 'standard' })];
    const report = checkCompatibility(gadgets3, readChoice(gadgets2, gadgets3), objects);
    assert.equal(report.checked, 2);
    assert.deepEqual(report.findings.map((f) => [f.object, f.path, f.rule]).sort(), [
      ['a/legacy', 'spec', 'x-kubernetes-validations: !has(self.replicas) || self.replicas <= 10'],
      ['a/legacy', 'spec.mode', 'enum'],
      ['a/legacy', 'spec.tier', 'required'],
    ]);
    assert.deepEqual(report.unchecked.map((u) => [u.path, u.rule]), [['spec.tier', 'self == oldSelf']]);
    // Before 3.0.0, nothing to say.
    assert.deepEqual(checkCompatibility(gadgets2, readChoice(gadgets2, gadgets2), objects.slice(0, 1)).findings.map((f) => f.rule), []);
  });

  it('a Gizmo read at v1alpha1 checked against v1: the CEL image rule, the size bounds', () => {
    const report = checkCompatibility(gizmos3, readChoice(gizmos1, gizmos3), [gizmo('v1alpha1', 'a', 'bad', { size: 0, image: 'gizmo' }), gizmo('v1alpha1', 'a', 'ok', { size: 3, port: 'http' })]);
    assert.deepEqual(report.findings.map((f) => [f.object, f.path, f.rule]), [['a/bad', 'spec.size', 'minimum'], ['a/bad', 'spec', "x-kubernetes-validations: !has(self.image) || self.image.contains(':')"]]);
  });

  it('migrationNeed: only when the new CRD drops a stored version; the intermediate CRD serves both', () => {
    assert.equal(migrationNeed(gizmos1, fixtureCrd('2.0.0', 'gizmos')), undefined, '2.0.0 still serves v1alpha1');
    const need = migrationNeed(gizmos2, gizmos3)!;
    assert.deepEqual(need, { crd: `gizmos.${GROUP}`, kind: 'Gizmo', from: ['v1alpha1'], to: 'v1' });
    assert.equal(migrationNeed(withStored(gizmos3, ['v1']), gizmos3), undefined, 'trimmed: nothing left to migrate');
    const bridge = intermediateCrd(gizmos2, gizmos3, need);
    const versions = (bridge.spec as { versions: { name: string; served: boolean; storage: boolean }[] }).versions.map((v) => [v.name, v.served, v.storage]);
    assert.deepEqual(versions, [['v1beta1', true, false], ['v1', true, true], ['v1alpha1', true, false]]);
    assert.deepEqual(schemaOf(bridge, 'v1alpha1'), schemaOf(gizmos2, 'v1alpha1'), 'the old version keeps its live schema');
    assert.equal(describeMigration(need, 12), `migrate 12 objects of gizmos.${GROUP} from v1alpha1 to v1`);
  });
});

/** A fake cluster that lists by kind, with a CRD's status kept as the API server keeps it. */
class CrdFakeKube extends FakeKube {
  failReplaceAfter = Infinity;
  replaced = 0;
  override async listObjects(apiVersion?: string, kind?: string) {
    return [...this.objects.values()].filter((o) => o.kind === kind).map((o) => ({ ...structuredClone(o), apiVersion: apiVersion ?? o.apiVersion }));
  }
  override async replaceObject(object: KubeObject) {
    if (this.replaced >= this.failReplaceAfter) throw new Error('killed');
    this.replaced++;
    return super.replaceObject(object);
  }
  crd(name: string) {
    return this.objects.get(FakeKube.key({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name } as ObjectRef))!;
  }
}

describe('the decision plan and apply share, and the migrator', () => {
  const gizmos2 = withStored(fixtureCrd('2.0.0', 'gizmos'), ['v1alpha1', 'v1beta1']);
  const gizmos3 = fixtureCrd('3.0.0', 'gizmos');

  function cluster(count: number): CrdFakeKube {
    const kube = new CrdFakeKube();
    kube.objects.set(FakeKube.key({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: gizmos2.metadata.name }), structuredClone(gizmos2));
    for (let i = 0; i < count; i++) kube.objects.set(`Gizmo/ns/g-${i}`, gizmo('v1beta1', 'ns', `g-${i}`, { size: 1 + i }));
    return kube;
  }

  it('evolutionRefusals: findings refuse unless allowInvalid; a blocked migration always refuses; each classifies to its own class', () => {
    const evolution: CrdEvolution = { crd: 'x', compatibility: { crd: 'x', version: 'v1', checked: 1, findings: [{ object: 'a/b', path: 'spec.tier', rule: 'required', message: 'required field is missing' }], unchecked: [] } };
    const refusals = evolutionRefusals([evolution, undefined], false);
    assert.ok(refusals[0] instanceof CrdInvalidResourcesError);
    assert.equal(classifyFailure(refusals[0]).class, 'crd-invalid-resources');
    assert.deepEqual(evolutionRefusals([evolution], true), []);
    const blocked: CrdEvolution = { ...evolution, compatibility: { ...evolution.compatibility, findings: [] }, migration: { crd: 'x', kind: 'X', from: ['v1alpha1'], to: 'v1', objects: 3, description: 'd', blocked: 'no ready endpoint' } };
    const [error] = evolutionRefusals([blocked], true);
    assert.ok(error instanceof CrdMigrationBlockedError);
    assert.equal(classifyFailure(error).class, 'crd-migration-blocked');
  });

  it('assessCrdEvolution counts what a migration moves; a CRD not yet in the cluster has nothing to assess', async () => {
    const kube = cluster(3);
    const evolution = await assessCrdEvolution(kube, kube.crd(gizmos2.metadata.name), gizmos3);
    assert.equal(evolution?.migration?.description, `migrate 3 objects of gizmos.${GROUP} from v1alpha1 to v1`);
    assert.equal(await assessCrdEvolution(kube, undefined, gizmos3), undefined);
  });

  it('evolveCrds refuses before changing anything when an object would not validate', async () => {
    const kube = cluster(2);
    kube.objects.set('Gizmo/ns/bad', gizmo('v1beta1', 'ns', 'bad', { size: 99 }));
    const applied: KubeObject[][] = [];
    await assert.rejects(evolveCrds(kube, [gizmos3], { allowInvalid: false, log: () => {}, applyCrds: async (crds) => applied.push([...crds]), settleMs: 0 }), CrdInvalidResourcesError);
    assert.deepEqual([applied.length, kube.replaced, kube.calls.filter((c) => c.startsWith('patch-status')).length], [0, 0, 0]);
  });

  it('migrates: intermediate CRD, every object written back, then the trim; killed half way, a re-run completes it', async () => {
    const kube = cluster(40);
    const applied: string[][] = [];
    const applyCrds = async (crds: readonly KubeObject[]) => {
      for (const crd of crds) {
        applied.push((crd.spec as { versions: { name: string }[] }).versions.map((v) => v.name));
        const live = kube.crd(crd.metadata.name);
        kube.objects.set(FakeKube.key({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: crd.metadata.name }), { ...crd, status: live.status });
      }
    };
    kube.failReplaceAfter = 15;
    await assert.rejects(evolveCrds(kube, [gizmos3], { allowInvalid: false, log: () => {}, applyCrds, settleMs: 0 }), /killed/);
    assert.deepEqual(applied, [['v1beta1', 'v1', 'v1alpha1']], 'the intermediate CRD first');
    assert.deepEqual((kube.crd(gizmos3.metadata.name).status as { storedVersions: string[] }).storedVersions, ['v1alpha1', 'v1beta1'], 'no trim before every object is rewritten');

    kube.failReplaceAfter = Infinity;
    kube.replaced = 0;
    const logs: string[] = [];
    const evolutions = await evolveCrds(kube, [gizmos3], { allowInvalid: false, log: (m) => logs.push(m), applyCrds, settleMs: 0 });
    assert.equal(evolutions[0]?.migration?.objects, 40);
    assert.equal(kube.replaced, 40, 'every object written back on the re-run');
    assert.deepEqual((kube.crd(gizmos3.metadata.name).status as { storedVersions: string[] }).storedVersions, ['v1']);
    assert.ok(logs.some((l) => /rewrote 25\/40 objects at v1/.test(l)), logs.join('\n'));
    assert.deepEqual(migrationNeed(kube.crd(gizmos3.metadata.name), gizmos3), undefined, 'the new CRD may now be applied as it is');
  });

  it('a conversion webhook: migrated only with a ready endpoint behind its Service', async () => {
    const webhook = { ...gizmos3, spec: { ...gizmos3.spec, conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { namespace: 'ops', name: 'conv' } } } } } };
    const kube = cluster(1);
    assert.match(String(await webhookNotReady(kube, webhook)), /Service ops\/conv has no ready endpoint/);
    const slice = (ready: boolean): KubeObject => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `conv-${ready}`, namespace: 'ops', labels: { 'kubernetes.io/service-name': 'conv' } }, endpoints: [{ conditions: { ready } }] });
    kube.objects.set('EndpointSlice/ops/conv-false', slice(false));
    assert.ok(await webhookNotReady(kube, webhook), 'an unready endpoint does not count');
    kube.objects.set('EndpointSlice/ops/conv-true', slice(true));
    assert.equal(await webhookNotReady(kube, webhook), undefined);
    assert.equal(anyReadyEndpoint([]), false);
    assert.equal(await webhookNotReady(kube, gizmos3), undefined, 'conversion None needs no webhook');
  });

  it('plan and apply decide alike: the prediction plan makes is the class apply refuses with, for the same cluster', async () => {
    const spec = (allowInvalid: boolean) => ({ name: 'gizmo', namespace: 'ops', crds: { upgrade: true, allowInvalid, deleteOnDestroy: false, forceDelete: false }, remedies: { policy: {}, maxAttempts: 1, allowAdoption: false } }) as unknown as ChartSpec;
    const kube = cluster(2);
    kube.objects.set('Gizmo/ns/bad', gizmo('v1beta1', 'ns', 'bad', { size: 99, mode: 'slow' }));
    const planned = evolutionPredictions(spec(false), await assessCrds(kube, [gizmos3]));
    assert.deepEqual(planned.map((p) => [p.class, p.remedy]), [['crd-invalid-resources', 'none']]);
    assert.match(planned[0]!.detail, /ns\/bad: spec\.size: must be <= 50 \[maximum\]; .*ns\/bad: spec\.mode: must be one of "fast", "safe" \[enum\]/);
    const applied = await evolveCrds(kube, [gizmos3], { allowInvalid: false, log: () => {}, applyCrds: async () => {}, settleMs: 0 }).then(() => undefined, (error: unknown) => error);
    assert.equal(refusalFailure(applied)?.class, planned[0]!.class, 'apply refuses with the class plan predicted');
    assert.equal(refusalFailure(new Error('anything else')), undefined);
    assert.deepEqual(evolutionPredictions(spec(true), await assessCrds(kube, [gizmos3])), [], 'allowInvalid: nothing predicted, and apply goes on');
  });

  it("plan's text shows the migration, each finding with its path and rule, and the rules not checked", () => {
    const evolution: CrdEvolution = {
      crd: 'gadgets.x', compatibility: { crd: 'gadgets.x', version: 'v1', checked: 1, findings: [{ object: 'users/legacy', path: 'spec.tier', rule: 'required', message: 'required field is missing' }], unchecked: [{ path: 'spec.tier', rule: 'self == oldSelf', reason: 'a transition rule' }] },
      migration: { crd: 'gadgets.x', kind: 'Gadget', from: ['v1alpha1'], to: 'v1', objects: 4, description: 'migrate 4 objects of gadgets.x from v1alpha1 to v1' },
    };
    const plan = { chart: 'gizmo', namespace: 'ops', action: 'upgrade', reason: 'r', installed: undefined, targetVersion: undefined, recovery: undefined, changes: [], predictions: [], providedCrds: [], unservedKinds: [], crdEvolution: [evolution] } as ChartPlan;
    const text = formatPlan([plan]);
    assert.match(text, /CRD gadgets\.x: migrate 4 objects of gadgets\.x from v1alpha1 to v1/);
    assert.match(text, /! gadgets\.x users\/legacy: spec\.tier: required field is missing \[required\]/);
    assert.match(text, /CRD gadgets\.x: not checked at spec\.tier: self == oldSelf \(a transition rule\)/);
  });

  it("apply's refusal in preExec carries its failure class (error and chart-failed event), and helm never runs", async () => {
    const helm = new FakeHelm();
    const events: LifecycleEvent[] = [];
    const refusal = new CrdInvalidResourcesError('gadgets.x', 'v1', [{ object: 'users/legacy', path: 'spec.tier', rule: 'required', message: 'required field is missing' }]);
    const error = await expectChartFailure(runChart(
      { name: 'gizmo', namespace: 'ops', chart: 'gizmo', repository: 'http://127.0.0.1:1', timeoutSeconds: 1, lifecycle: { preExec: async () => { throw refusal; } } },
      { helm, kube: new FakeKube(), onEvent: (e) => events.push(e) },
    ));
    assert.equal(error.failure?.class, 'crd-invalid-resources');
    assert.match(error.message, /failure class: crd-invalid-resources/);
    const failed = events.find((e) => e.type === 'chart-failed') as { failureClass?: string } | undefined;
    assert.equal(failed?.failureClass, 'crd-invalid-resources');
    assert.ok(!helm.calls.some((c) => c.startsWith('upgrade')), helm.calls.join(', '));
  });

  it('writeBackBody moves managedFields entries off a dropped version (conversion None), else leaves them to the server', () => {
    const entry = (manager: string, operation: string, apiVersion: string) => ({ manager, operation, apiVersion, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } });
    const object = { ...gizmo('v1', 'ns', 'g', { size: 1 }), metadata: { name: 'g', namespace: 'ns', managedFields: [entry('helm', 'Apply', `${GROUP}/v1beta1`), entry('kubectl', 'Update', `${GROUP}/v1alpha1`), entry('kubectl', 'Update', `${GROUP}/v1`)] } };
    const dropped = new Set([`${GROUP}/v1alpha1`]);
    const moved = writeBackBody(object, dropped, `${GROUP}/v1`, true).metadata.managedFields as { manager: string; apiVersion: string }[];
    assert.deepEqual(moved.map((e) => [e.manager, e.apiVersion]), [['helm', `${GROUP}/v1beta1`], ['kubectl', `${GROUP}/v1`]]);
    assert.equal(writeBackBody(object, dropped, `${GROUP}/v1`, false).metadata.managedFields, undefined, 'a webhook converts: left to the server');
    assert.equal(writeBackBody({ ...object, metadata: { name: 'g', managedFields: [entry('helm', 'Apply', `${GROUP}/v1beta1`)] } }, dropped, `${GROUP}/v1`, true).metadata.managedFields, undefined);
  });
});
