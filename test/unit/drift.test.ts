import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareObject, SENSITIVE } from '../../src/drift/compare.js';
import { describeDrift, detectManifestDrift } from '../../src/drift/detect.js';
import type { KubeObject } from '../../src/kube/types.js';
import { FakeKube } from './fakes.js';

const labels = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'shop' };

/** A Deployment as a chart renders it. */
function declaredDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shop-web', namespace: 'ns', labels: { ...labels } },
    spec: {
      replicas: 1, selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels }, annotations: {} },
        spec: {
          containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: '8080' }], envFrom: [{ configMapRef: { name: 'shop-web' } }] }],
          volumes: [],
        },
      },
    },
  };
}

/** The same Deployment as the API server returns it: defaults filled, status, managedFields, sidecar added by a webhook. */
function liveDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'shop-web', namespace: 'ns', uid: 'u-1', resourceVersion: '812', generation: 2, creationTimestamp: '2026-01-01T00:00:00Z', labels: { ...labels, 'extra/by-hand': 'x' }, annotations: { 'deployment.kubernetes.io/revision': '1', 'meta.helm.sh/release-name': 'shop' }, managedFields: [{ manager: 'helm', operation: 'Update' }] },
    spec: {
      replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, selector: { matchLabels: { ...labels } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          containers: [
            { name: 'istio-proxy', image: 'proxy:1' },
            { name: 'web', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', ports: [{ containerPort: 8080, protocol: 'TCP' }], envFrom: [{ configMapRef: { name: 'shop-web' } }], resources: {} },
          ],
          restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', securityContext: {},
        },
      },
    },
    status: { replicas: 1, readyReplicas: 1, observedGeneration: 2 },
  };
}

describe('compareObject', () => {
  it('finds nothing when the live object only adds defaults, status, metadata and fields of other managers', () => {
    assert.deepEqual(compareObject(declaredDeployment(), liveDeployment()), []);
  });

  it('reports replicas scaled by hand with both values', () => {
    const live = liveDeployment();
    (live.spec as { replicas: number }).replicas = 3;
    assert.deepEqual(compareObject(declaredDeployment(), live), [{ path: 'spec.replicas', declared: 1, live: 3 }]);
  });

  it('ignores replicas an HPA owns when the manifest declares none', () => {
    const declared = declaredDeployment();
    delete (declared.spec as { replicas?: number }).replicas;
    const live = liveDeployment();
    (live.spec as { replicas: number }).replicas = 7;
    assert.deepEqual(compareObject(declared, live), []);
  });

  it('matches containers by name, wherever the list puts them, and names the container in the path', () => {
    const live = liveDeployment();
    const containers = (live.spec as any).template.spec.containers as { name: string; image: string }[];
    containers[1]!.image = 'nginx:1.28';
    assert.deepEqual(compareObject(declaredDeployment(), live), [{ path: 'spec.template.spec.containers[name=web].image', declared: 'nginx:1.27', live: 'nginx:1.28' }]);
  });

  it('takes a port declared as a string and served as a number for the same, and a changed one for drift', () => {
    const live = liveDeployment();
    (live.spec as any).template.spec.containers[1].ports = [{ containerPort: 9090, protocol: 'TCP' }];
    assert.deepEqual(compareObject(declaredDeployment(), live), [{ path: 'spec.template.spec.containers[name=web].ports[containerPort=8080]', declared: { containerPort: '8080' }, live: undefined }]);
  });

  it('reports a declared label removed live, and a declared container missing', () => {
    const live = liveDeployment();
    delete live.metadata.labels!['app.kubernetes.io/instance'];
    (live.spec as any).template.spec.containers.pop();
    const paths = compareObject(declaredDeployment(), live).map((f) => f.path);
    assert.deepEqual(paths, ['metadata.labels.app.kubernetes.io/instance', 'spec.template.spec.containers[name=web]']);
  });

  it('compares a ConfigMap key by key: an edited key and a removed one drift, an added one does not', () => {
    const declared: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { message: 'hello', mode: 'fast' } };
    const live: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns', uid: 'u' }, data: { message: 'edited', extra: '1' } };
    assert.deepEqual(compareObject(declared, live), [
      { path: 'data.message', declared: 'hello', live: 'edited' },
      { path: 'data.mode', declared: 'fast', live: undefined },
    ]);
  });

  it('treats a declared empty map as absent and an ordered argument list as one value', () => {
    const declared: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns', annotations: {} }, data: {} };
    const live: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } };
    assert.deepEqual(compareObject(declared, live), []);
    const job = (args: string[]): KubeObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'j', args }] } } } });
    assert.deepEqual(compareObject(job(['--a', '--b']), job(['--b', '--a'])).map((f) => f.path), ['spec.template.spec.containers[name=j].args']);
  });

  it('never shows a Secret value: stringData is compared with the stored base64 data, drift shows (sensitive)', () => {
    const declared: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, type: 'Opaque', stringData: { password: 'hunter22' }, data: { user: Buffer.from('admin').toString('base64') } };
    const same: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, type: 'Opaque', data: { password: Buffer.from('hunter22').toString('base64'), user: Buffer.from('admin').toString('base64') } };
    assert.deepEqual(compareObject(declared, same), []);
    const edited = { ...same, data: { ...(same.data as object), password: Buffer.from('changed!').toString('base64') } };
    const drift = compareObject(declared, edited);
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

  it('leaves out the objects the chart backs up: their state was put back after a reinstall on purpose', async () => {
    const kube = new FakeKube();
    kube.objects.set('Secret/ns/creds', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'ns' }, data: { password: 'cmVzdG9yZWQ=' } });
    const manifest = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n  password: "Z2VuZXJhdGVk"\n';
    assert.equal((await detectManifestDrift(kube, manifest, 'ns')).length, 1, 'without the backup entry it is drift');
    assert.deepEqual(await detectManifestDrift(kube, manifest, 'ns', [{ apiVersion: 'v1', kind: 'Secret', name: 'creds' }]), []);
    assert.equal((await detectManifestDrift(kube, manifest, 'ns', [{ apiVersion: 'v1', kind: 'Secret', name: 'creds', namespace: 'other' }])).length, 1, 'another namespace\'s object is not this one');
  });
});
