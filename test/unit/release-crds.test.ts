// Finding a release's CRDs in helm's rendered output, deciding what helmcycle applies, and the CRD part
// of a plan: pure functions, no cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crdsOfRendered, decideCrdApply, isCrdsFolderFile, mergeReleaseCrds, type ReleaseCrd } from '../../src/toolkit/release-crds.js';
import { comparableCrd, crdChange, replaceCrdChanges } from '../../src/stack/plan-crds.js';
import type { KubeObject, ObjectRef } from '../../src/kube/types.js';
import { CLEANUP_RETRY_ANNOTATION, deleteCrds, instanceDeletionFailure } from '../../src/toolkit/crds.js';
import { FakeKube } from './fakes.js';

function crdYaml(name: string, extra = ''): string {
  return `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${name}${extra}\nspec:\n  group: g\n  names: { kind: K, plural: ks }\n  scope: Namespaced\n  versions: []\n`;
}

describe('isCrdsFolderFile', () => {
  it("tells a chart's or a subchart's crds/ folder from templates", () => {
    assert.equal(isCrdsFolderFile('monitor-stack/crds/probes.yaml'), true);
    assert.equal(isCrdsFolderFile('monitor-stack/crds/nested/probes.yaml'), true);
    assert.equal(isCrdsFolderFile('monitor-stack/charts/crds/crds/probes.yaml'), true, 'a subchart named crds, with its crds/ folder');
    assert.equal(isCrdsFolderFile('a/charts/b/charts/c/crds/x.yaml'), true, 'a subchart of a subchart');
    assert.equal(isCrdsFolderFile('monitor-stack/charts/crds/templates/probes.yaml'), false);
    assert.equal(isCrdsFolderFile('cert-issuer/templates/crds/certificates.yaml'), false, 'templates/crds/ is a template');
    assert.equal(isCrdsFolderFile('cert-issuer/charts/issuer-crds/templates/crd-issuers.yaml'), false);
    assert.equal(isCrdsFolderFile(''), false);
  });
});

describe('crdsOfRendered', () => {
  it('finds each CRD with the file helm rendered it from, following multi-document files', () => {
    const rendered = [
      '---',
      '# Source: stack/charts/crds/crds/two.yaml',
      crdYaml('a.g'),
      '---',
      crdYaml('b.g'),
      '---',
      '# Source: stack/charts/exporter/crds/x.yaml',
      '---',
      crdYaml('c.g'),
      '---',
      '# Source: stack/templates/deployment.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d',
      '---',
      '# Source: stack/charts/issuer-crds/templates/crd.yaml',
      crdYaml('d.g', '\n  annotations:\n    helm.sh/resource-policy: keep'),
    ].join('\n');
    const found = crdsOfRendered(rendered);
    assert.deepEqual(found.map((f) => [f.crd.metadata.name, f.source, f.file]), [
      ['a.g', 'crds-folder', 'stack/charts/crds/crds/two.yaml'],
      ['b.g', 'crds-folder', 'stack/charts/crds/crds/two.yaml'],
      ['c.g', 'crds-folder', 'stack/charts/exporter/crds/x.yaml'],
      ['d.g', 'template', 'stack/charts/issuer-crds/templates/crd.yaml'],
    ]);
    assert.equal(found[3]!.crd.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
  });

  it('keeps every key of the file (a block scalar may hold "---" inside its lines only when indented)', () => {
    const text = `# Source: c/crds/a.yaml\n${crdYaml('a.g')}  preserveUnknownFields: false\n  x-kubernetes-anything:\n    description: |\n      --- not a marker\n`;
    const [found] = crdsOfRendered(text);
    assert.equal((found!.crd.spec as Record<string, unknown>)['x-kubernetes-anything'] !== undefined, true);
    assert.match(((found!.crd.spec as Record<string, { description: string }>)['x-kubernetes-anything']!).description, /--- not a marker/);
  });
});

describe('mergeReleaseCrds', () => {
  it('keeps one entry per name, the later list winning', () => {
    const a: ReleaseCrd = { crd: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x.g' } }, source: 'crds-folder', file: 'c/crds/x.yaml' };
    const b: ReleaseCrd = { ...a, source: 'path', file: 'extra/x.yaml' };
    assert.deepEqual(mergeReleaseCrds([a], [b]).map((e) => e.file), ['extra/x.yaml']);
  });
});

describe('decideCrdApply', () => {
  const owner = { release: 'certs', namespace: 'certs' };
  const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'certificates.g', labels: { app: 'x' } }, spec: { group: 'g' } };
  const ownedBy = (release: string, namespace: string): KubeObject => ({
    ...crd,
    metadata: { name: crd.metadata.name, labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace } },
  });
  const template: ReleaseCrd = { crd, source: 'template', file: 'c/templates/crd.yaml' };
  const folder: ReleaseCrd = { crd, source: 'crds-folder', file: 'c/crds/crd.yaml' };

  it("gives a template CRD the release's ownership metadata, so Helm takes it over", () => {
    const decision = decideCrdApply(template, undefined, { owner, mayTakeOver: false });
    assert.ok('apply' in decision);
    assert.deepEqual(decision.apply.metadata.labels, { app: 'x', 'app.kubernetes.io/managed-by': 'Helm' });
    assert.deepEqual(decision.apply.metadata.annotations, { 'meta.helm.sh/release-name': 'certs', 'meta.helm.sh/release-namespace': 'certs' });
    assert.deepEqual(decision.apply.spec, crd.spec);
    assert.ok('apply' in decideCrdApply(template, ownedBy('certs', 'certs'), { owner, mayTakeOver: false }), 'its own CRD is applied again');
  });

  it("applies a crds/ folder CRD as it is, but never one another release owns", () => {
    assert.deepEqual(decideCrdApply(folder, undefined, { owner, mayTakeOver: false }), { apply: crd });
    assert.deepEqual(decideCrdApply(folder, { ...crd }, { owner, mayTakeOver: false }), { apply: crd }, 'an existing CRD of no release');
    const other = decideCrdApply(folder, ownedBy('certs', 'other-team'), { owner, mayTakeOver: false });
    assert.deepEqual(other, { skip: 'CRD certificates.g belongs to release certs in namespace other-team' });
  });

  it('leaves an existing template CRD that is not the release\'s to Helm, unless the spec takes it over', () => {
    assert.ok('skip' in decideCrdApply(template, { ...crd }, { owner, mayTakeOver: false }));
    assert.ok('skip' in decideCrdApply(template, ownedBy('old', 'elsewhere'), { owner, mayTakeOver: false }));
    assert.ok('apply' in decideCrdApply(template, ownedBy('old', 'elsewhere'), { owner, mayTakeOver: true }));
  });
});

describe('the CRD part of a plan', () => {
  const live: KubeObject = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: 'probes.g', resourceVersion: '5', uid: 'u', managedFields: [{ manager: 'helmcycle' }] },
    spec: { group: 'g', versions: [{ name: 'v1', schema: { openAPIV3Schema: { properties: { module: { type: 'string', enum: ['a'] } } } } }] },
    status: { conditions: [] },
  };

  it('compares labels, annotations and spec only', () => {
    assert.deepEqual(comparableCrd(live), { apiVersion: live.apiVersion, kind: live.kind, metadata: { name: 'probes.g' }, spec: live.spec });
    assert.equal(crdChange(live, { ...live, metadata: { ...live.metadata, resourceVersion: '6' }, status: { conditions: [{ type: 'Established' }] } }), undefined);
  });

  it('shows an added CRD and a changed enum as a diff', () => {
    assert.equal(crdChange(undefined, live)?.change, 'added');
    const changed = structuredClone(live);
    (changed.spec as { versions: { schema: { openAPIV3Schema: { properties: { module: { enum: string[] } } } } }[] }).versions[0]!.schema.openAPIV3Schema.properties.module.enum.push('b');
    const change = crdChange(live, changed);
    assert.equal(change?.resource, 'CustomResourceDefinition/probes.g');
    assert.equal(change?.change, 'changed');
    assert.match(change!.patch, /^\+\s+- b$/m);
  });

  it("replaces the manifest diff's entries of the CRDs helmcycle applies", () => {
    const ours = { resource: 'CustomResourceDefinition/probes.g', change: 'changed' as const, patch: 'ours' };
    const changes = [
      { resource: 'CustomResourceDefinition/probes.g', change: 'changed' as const, patch: 'helm' },
      { resource: 'CustomResourceDefinition/other.g', change: 'added' as const, patch: '' },
      { resource: 'Deployment/ns/d', change: 'changed' as const, patch: '' },
    ];
    assert.deepEqual(replaceCrdChanges(changes, new Set(['probes.g']), [ours]).map((c) => [c.resource, c.patch]), [
      ['CustomResourceDefinition/other.g', ''], ['Deployment/ns/d', ''], ['CustomResourceDefinition/probes.g', 'ours'],
    ]);
  });
});

/** An API server whose CRD finalizer failed once ("storage is (re)initializing") and waits for a change. */
class StuckFinalizerKube extends FakeKube {
  override async deleteObject(ref: ObjectRef) {
    this.calls.push(`delete:${FakeKube.key(ref)}`);
    const crd = this.objects.get(FakeKube.key(ref))!;
    crd.status = { conditions: [{ type: 'Terminating', status: 'True', reason: 'InstanceDeletionFailed', message: 'could not list instances: storage is (re)initializing' }] };
  }
  patches: Record<string, unknown>[] = [];
  override async patchObject(ref: ObjectRef, patch: Record<string, unknown>) {
    this.patches.push(patch);
    const patched = await super.patchObject(ref, patch);
    this.objects.delete(FakeKube.key(ref)); // the finalizer tries again, and succeeds
    return patched;
  }
}

describe('deleteCrds', () => {
  it("nudges the API server's CRD finalizer when its cleanup failed, instead of waiting out its backoff", async () => {
    const kube = new StuckFinalizerKube();
    kube.objects.set('CustomResourceDefinition//probes.g', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'probes.g' }, spec: { group: 'g', names: { kind: 'Probe', plural: 'probes' }, versions: [] } });
    assert.deepEqual(await deleteCrds(kube, ['probes.g'], { force: true, timeoutMs: 5_000 }), ['probes.g']);
    assert.deepEqual(kube.calls, ['delete:CustomResourceDefinition//probes.g', 'patch:CustomResourceDefinition//probes.g']);
    assert.ok(Object.keys((kube.patches[0] as { metadata: { annotations: object } }).metadata.annotations).includes(CLEANUP_RETRY_ANNOTATION), 'a change to the CRD: its annotation');
  });

  it('reads the failed cleanup from the Terminating condition only', () => {
    const crd = (conditions: unknown[]): KubeObject => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x' }, status: { conditions } });
    assert.equal(instanceDeletionFailure(crd([{ type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress' }])), undefined);
    assert.equal(instanceDeletionFailure(crd([{ type: 'Terminating', status: 'True', reason: 'InstanceDeletionFailed', message: 'm' }])), 'm');
    assert.equal(instanceDeletionFailure(crd([])), undefined);
  });
});
