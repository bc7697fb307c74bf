import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compareDryRun, SENSITIVE } from '../../src/drift/compare.js';
import { describeDrift, detectManifestDrift, DRIFT_FIELD_MANAGER } from '../../src/drift/detect.js';
import { releaseManager } from '../../src/drift/field-set.js';
import { ownsEveryDeclaredField } from '../../src/drift/ownership.js';
import { KubeRequestError } from '../../src/errors.js';
import type { KubeObject } from '../../src/kube/types.js';
import { FakeKube } from './fakes.js';

const labels = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'shop' };
const labelFields = { 'f:app.kubernetes.io/name': {}, 'f:app.kubernetes.io/instance': {} };
const helmAnnotations = { 'meta.helm.sh/release-name': 'shop', 'meta.helm.sh/release-namespace': 'ns' };
const helmAnnotationFields = { 'f:meta.helm.sh/release-name': {}, 'f:meta.helm.sh/release-namespace': {} };

/** A Deployment as a chart renders it: zero values, a quantity in millicores, a port without protocol. */
function declaredDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shop-web', namespace: 'ns', labels: { ...labels } },
    spec: {
      replicas: 1, minReadySeconds: 0, selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels }, annotations: {} },
        spec: {
          hostNetwork: false,
          containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '1000m' } } }],
        },
      },
    },
  };
}

/** The fields a create by helm's manager owns (an Update: defaults included, zero values the server dropped not). */
function helmCreateFields() {
  const container = { '.': {}, 'f:name': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:terminationMessagePath': {}, 'f:ports': { '.': {}, 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } }, 'f:resources': { '.': {}, 'f:requests': { '.': {}, 'f:cpu': {} } } };
  return {
    'f:metadata': { 'f:labels': { '.': {}, ...labelFields }, 'f:annotations': { '.': {}, ...helmAnnotationFields } },
    'f:spec': {
      'f:replicas': {}, 'f:minReadySeconds': {}, 'f:revisionHistoryLimit': {}, 'f:selector': {},
      'f:template': { 'f:metadata': { 'f:labels': { '.': {}, ...labelFields } }, 'f:spec': { 'f:hostNetwork': {}, 'f:restartPolicy': {}, 'f:containers': { 'k:{"name":"web"}': container } } },
    },
  };
}

/** The Deployment as the API server holds it: defaults filled, quantities normalized, zero values omitted, status, managedFields. */
function liveDeployment(managedFields: unknown[] = [{ manager: 'helm3', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: helmCreateFields() }]): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'shop-web', namespace: 'ns', uid: 'u-1', resourceVersion: '812', generation: 2, creationTimestamp: '2026-01-01T00:00:00Z', labels: { ...labels }, annotations: { 'deployment.kubernetes.io/revision': '1', ...helmAnnotations }, managedFields },
    spec: {
      replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, selector: { matchLabels: { ...labels } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          containers: [{ name: 'web', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', ports: [{ containerPort: 8080, protocol: 'TCP' }], resources: { requests: { cpu: '1' } } }],
          restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', securityContext: {},
        },
      },
    },
    status: { replicas: 1, readyReplicas: 1, observedGeneration: 2 },
  };
}

describe('releaseManager', () => {
  it('is the owner of helm\'s release-name annotation, whatever name helm wrote with; "helm" when nothing says', () => {
    assert.equal(releaseManager(liveDeployment()), 'helm3');
    assert.equal(releaseManager(liveDeployment([])), 'helm');
  });
});

describe('ownsEveryDeclaredField', () => {
  it('is true when the release\'s manager owns every declared field: quantities, ports by merge key, empty maps', () => {
    const declared = declaredDeployment();
    delete (declared.spec as { minReadySeconds?: number }).minReadySeconds;
    assert.equal(ownsEveryDeclaredField(declared, liveDeployment(), 'helm3'), true);
  });

  it('is false once another manager took a field: kubectl scale moves spec.replicas to its own entry', () => {
    const fields = helmCreateFields();
    delete (fields['f:spec'] as Record<string, unknown>)['f:replicas'];
    const live = liveDeployment([
      { manager: 'helm3', operation: 'Update', fieldsV1: fields },
      { manager: 'kubectl', operation: 'Update', subresource: 'scale', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    ]);
    assert.equal(ownsEveryDeclaredField(declaredDeployment(), live, 'helm3'), false);
  });

  it('is false when a declared field was removed by hand, which leaves no entry of the remover at all', () => {
    const fields = helmCreateFields();
    delete (fields['f:metadata']['f:labels'] as Record<string, unknown>)['f:app.kubernetes.io/instance'];
    const declared = declaredDeployment();
    delete (declared.spec as { minReadySeconds?: number }).minReadySeconds;
    assert.equal(ownsEveryDeclaredField(declared, liveDeployment([{ manager: 'helm3', operation: 'Update', fieldsV1: fields }]), 'helm3'), false);
  });

  it('is false for another manager\'s name, and for an object without managedFields', () => {
    assert.equal(ownsEveryDeclaredField(declaredDeployment(), liveDeployment(), 'helm'), false);
    assert.equal(ownsEveryDeclaredField(declaredDeployment(), liveDeployment([]), 'helm3'), false);
  });

  it('proves nothing about a list item it cannot match to exactly one owned item', () => {
    const declared = declaredDeployment();
    delete (declared.spec as { minReadySeconds?: number }).minReadySeconds;
    (declared.spec as any).template.spec.containers[0].ports.push({ containerPort: 9090 });
    assert.equal(ownsEveryDeclaredField(declared, liveDeployment(), 'helm3'), false);
  });
});

/** What a server-side apply dry run of `declaredDeployment()` answers: the live object with the manifest applied, and the apply's own entry. */
function dryRunOf(live: KubeObject, manager = DRIFT_FIELD_MANAGER): KubeObject {
  const applied = {
    'f:metadata': { 'f:labels': labelFields },
    'f:spec': {
      'f:replicas': {}, 'f:minReadySeconds': {}, 'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': labelFields, 'f:annotations': {} },
        'f:spec': { 'f:hostNetwork': {}, 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } }, 'f:resources': { 'f:requests': { 'f:cpu': {} } } } } },
      },
    },
  };
  const out = structuredClone(live);
  out.metadata.managedFields = [...(live.metadata.managedFields as unknown[]), { manager, operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: applied }];
  const spec = out.spec as any;
  spec.replicas = 1;
  spec.template.spec.containers[0].image = 'nginx:1.27';
  spec.template.metadata.labels = { ...labels, ...spec.template.metadata.labels };
  out.metadata.labels = { ...out.metadata.labels, ...labels };
  return out;
}

describe('compareDryRun', () => {
  it('finds nothing on an untouched object: zero values, quantities, defaults, status and server metadata are the server\'s on both sides', () => {
    const live = liveDeployment();
    const dryRun = dryRunOf(live);
    (dryRun.metadata as { generation: number }).generation = 3;
    assert.deepEqual(compareDryRun(dryRun, live, DRIFT_FIELD_MANAGER), []);
  });

  it('reports replicas scaled by hand and an image changed by hand, with the path naming the container', () => {
    const live = liveDeployment();
    (live.spec as any).replicas = 3;
    (live.spec as any).template.spec.containers[0].image = 'nginx:1.28';
    assert.deepEqual(compareDryRun(dryRunOf(live), live, DRIFT_FIELD_MANAGER), [
      { path: 'spec.replicas', declared: 1, live: 3 },
      { path: 'spec.template.spec.containers[name=web].image', declared: 'nginx:1.27', live: 'nginx:1.28' },
    ]);
  });

  it('reports a declared label removed live once, and leaves fields the apply does not own (helm\'s own annotations) alone', () => {
    const live = liveDeployment();
    delete live.metadata.labels!['app.kubernetes.io/instance'];
    const dryRun = dryRunOf(live);
    // Pruned by the dry run (helm wrote them beside the manifest), owned by no field of the apply: no drift.
    dryRun.metadata.annotations = {};
    assert.deepEqual(compareDryRun(dryRun, live, DRIFT_FIELD_MANAGER), [{ path: 'metadata.labels.app.kubernetes.io/instance', declared: 'shop', live: undefined }]);
  });

  it('reports a declared container missing live as one field, the container itself', () => {
    const live = liveDeployment();
    const dryRun = dryRunOf(live);
    (live.spec as any).template.spec.containers = [];
    const drift = compareDryRun(dryRun, live, DRIFT_FIELD_MANAGER);
    assert.deepEqual(drift.map((f) => [f.path, f.live]), [['spec.template.spec.containers[name=web]', undefined]]);
  });

  it('compares on every field the dry run holds when it carries no managedFields', () => {
    const declared: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { message: 'hello', mode: 'fast' } };
    const live: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns', uid: 'u', resourceVersion: '9' }, data: { message: 'edited', extra: '1' } };
    assert.deepEqual(compareDryRun(declared, live, 'helm'), [
      { path: 'data.message', declared: 'hello', live: 'edited' },
      { path: 'data.mode', declared: 'fast', live: undefined },
    ]);
  });

  it('never shows a Secret value: a key given in stringData is compared where the server stores it, drift shows (sensitive)', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const entry = { manager: DRIFT_FIELD_MANAGER, operation: 'Apply', fieldsV1: { 'f:stringData': { 'f:password': {} }, 'f:data': { 'f:user': {} }, 'f:type': {} } };
    const live: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, type: 'Opaque', data: { password: b64('hunter22'), user: b64('admin') } };
    const dryRun: KubeObject = { ...structuredClone(live), metadata: { name: 's', namespace: 'ns', managedFields: [entry] } };
    assert.deepEqual(compareDryRun(dryRun, live, DRIFT_FIELD_MANAGER), []);
    const edited = { ...live, data: { password: b64('changed!'), user: b64('admin') } };
    const drift = compareDryRun(dryRun, edited, DRIFT_FIELD_MANAGER);
    assert.deepEqual(drift, [{ path: 'data.password', declared: SENSITIVE, live: SENSITIVE }]);
    assert.doesNotMatch(JSON.stringify(drift), /hunter22|changed!|aHVudGVy|Y2hhbmdlZC/);
  });
});

describe('detectManifestDrift', () => {
  it('reads each declared object through the KubeClient and reports missing objects and drifted fields', async () => {
    const kube = new FakeKube();
    kube.objects.set('ConfigMap/ns/shop-web', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-web', namespace: 'ns' }, data: { message: 'edited' } });
    const manifest = ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop-web\ndata:\n  message: "hello"\n', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: shop-web\nspec:\n  ports:\n    - port: 80\n'].join('---\n');
    const drift = await detectManifestDrift(kube, manifest, 'ns');
    assert.deepEqual(drift, [
      { resource: 'ConfigMap/ns/shop-web', fields: [{ path: 'data.message', declared: 'hello', live: 'edited' }] },
      { resource: 'Service/ns/shop-web', fields: [{ path: '', declared: 'present', live: 'missing' }] },
    ]);
    assert.equal(describeDrift(drift), '2 resource(s) drifted: ConfigMap/ns/shop-web (data.message), Service/ns/shop-web (missing)');
  });

  it('dry-runs an object its managedFields do not prove untouched: forced, under a field manager of its own', async () => {
    const kube = new FakeKube();
    // Scaled by hand: spec.replicas moved from helm's entry to kubectl's.
    const fields = helmCreateFields();
    delete (fields['f:spec'] as Record<string, unknown>)['f:replicas'];
    const live = liveDeployment([{ manager: 'helm3', operation: 'Update', fieldsV1: fields }, { manager: 'kubectl', operation: 'Update', subresource: 'scale', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }]);
    (live.spec as any).replicas = 3;
    kube.objects.set('Deployment/ns/shop-web', live);
    kube.dryRunAnswers.set('Deployment/ns/shop-web', dryRunOf(live));
    const manifest = JSON.stringify(declaredDeployment());
    assert.deepEqual(await detectManifestDrift(kube, manifest, 'ns'), [{ resource: 'Deployment/ns/shop-web', fields: [{ path: 'spec.replicas', declared: 1, live: 3 }] }]);
    assert.deepEqual(kube.applyOptions, [{ fieldManager: DRIFT_FIELD_MANAGER, force: true, dryRun: true }]);
  });

  it('spares the dry run when the release\'s manager still owns every declared field', async () => {
    const kube = new FakeKube();
    kube.objects.set('Deployment/ns/shop-web', liveDeployment());
    const declared = declaredDeployment();
    delete (declared.spec as { minReadySeconds?: number }).minReadySeconds;
    assert.deepEqual(await detectManifestDrift(kube, JSON.stringify(declared), 'ns'), []);
    assert.deepEqual(kube.calls, [], 'no dry run, no write');
  });

  it('says which object and what to do when the server refuses the dry run', async () => {
    const kube = new FakeKube();
    kube.objects.set('Deployment/ns/shop-web', liveDeployment([]));
    kube.dryRunAnswers.set('Deployment/ns/shop-web', new KubeRequestError('applying Deployment ns/shop-web failed (HTTP 403): forbidden', 403));
    await assert.rejects(detectManifestDrift(kube, JSON.stringify(declaredDeployment()), 'ns'), (error: KubeRequestError) => {
      assert.match(error.message, /^reading drift of Deployment\/ns\/shop-web: the server-side apply dry run .* failed: applying Deployment ns\/shop-web failed \(HTTP 403\)/);
      assert.equal(error.statusCode, 403);
      assert.match(error.hint ?? '', /patch Deployment .* or set ignoreDrift/);
      return true;
    });
  });

  it('leaves out the objects the chart backs up: their state was put back after a reinstall on purpose', async () => {
    const kube = new FakeKube();
    kube.objects.set('Secret/ns/creds', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'ns' }, data: { password: 'cmVzdG9yZWQ=' } });
    const manifest = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n  password: "Z2VuZXJhdGVk"\n';
    assert.equal((await detectManifestDrift(kube, manifest, 'ns')).length, 1, 'without the backup entry it is drift');
    assert.deepEqual(await detectManifestDrift(kube, manifest, 'ns', [{ apiVersion: 'v1', kind: 'Secret', name: 'creds' }]), []);
    assert.equal((await detectManifestDrift(kube, manifest, 'ns', [{ apiVersion: 'v1', kind: 'Secret', name: 'creds', namespace: 'other' }])).length, 1, 'another namespace\'s object is not this one');
  });
});

describe('recorded from the local cluster (defaults-heavy, test/fixtures/drift/recorded-pairs.json)', () => {
  // Each pair: the object as the release's manifest declares it, the live object, and the server's
  // answer to a forced server-side apply dry run of the declared object under DRIFT_FIELD_MANAGER.
  type Pair = { declared: KubeObject; live: KubeObject; dryRun: KubeObject };
  const pairs = JSON.parse(readFileSync(new URL('../fixtures/drift/recorded-pairs.json', import.meta.url), 'utf8')) as Record<string, Pair>;
  const pair = (name: string): Pair => pairs[name]!;

  it('an untouched Helm 3 Deployment declaring minReadySeconds: 0, hostNetwork: false, cpu: 1000m, 0.5Gi, an empty env value: no drift', () => {
    const { declared, live, dryRun } = pair('helm3 untouched Deployment');
    assert.equal((declared.spec as { minReadySeconds: number }).minReadySeconds, 0);
    assert.equal((live.spec as { minReadySeconds?: number }).minReadySeconds, undefined, 'the server omits the zero value');
    assert.equal(ownsEveryDeclaredField(declared, live, releaseManager(live)), false, 'helm 3 never owned the dropped zero values: this one needs its dry run');
    assert.deepEqual(compareDryRun(dryRun, live, DRIFT_FIELD_MANAGER), []);
  });

  it('an untouched headless Service declaring publishNotReadyAddresses: false and ports without protocol: no drift', () => {
    const { live, dryRun } = pair('helm3 untouched Service (headless)');
    assert.deepEqual(compareDryRun(dryRun, live, DRIFT_FIELD_MANAGER), []);
  });

  it('Helm 4 objects edited by hand: exactly the edited fields, not the annotations helm adds beside the manifest', () => {
    const configMap = pair('helm4 edited ConfigMap');
    assert.deepEqual(configMap.declared.metadata.annotations, {}, 'the manifest declares an empty map, owned whole by the apply');
    assert.equal(ownsEveryDeclaredField(configMap.declared, configMap.live, releaseManager(configMap.live)), false);
    assert.deepEqual(compareDryRun(configMap.dryRun, configMap.live, DRIFT_FIELD_MANAGER), [{ path: 'data.message', declared: 'hello', live: 'edited' }]);
    const deployment = pair('helm4 edited Deployment');
    assert.deepEqual(compareDryRun(deployment.dryRun, deployment.live, DRIFT_FIELD_MANAGER), [
      { path: 'spec.replicas', declared: 1, live: 2 },
      { path: 'spec.template.spec.containers[name=controller].env[name=POD_PORT].value', declared: '8080', live: '9090' },
    ]);
  });
});

describe('ownsEveryDeclaredField, recorded: a ConfigMap key patched by hand', () => {
  it('is false when the server left helm only "f:data": {} after kubectl-patch took the key', () => {
    // managedFields as the API server wrote them after `kubectl patch --type=merge -p '{"data":{"message":"edited"}}'`.
    const declared: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { message: 'hello' } };
    const live: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', data: { message: 'edited' }, metadata: { name: 'c', namespace: 'ns', annotations: helmAnnotations, managedFields: [
      { manager: 'helm', operation: 'Update', fieldsV1: { 'f:data': {}, 'f:metadata': { 'f:annotations': { '.': {}, ...helmAnnotationFields } } } },
      { manager: 'kubectl-patch', operation: 'Update', fieldsV1: { 'f:data': { 'f:message': {} } } },
    ] } };
    assert.equal(ownsEveryDeclaredField(declared, live, 'helm'), false);
    assert.equal(ownsEveryDeclaredField(declared, { ...live, data: { message: 'hello' } }, 'helm'), true, 'the same node with the declared value live: nothing to differ');
  });
});
