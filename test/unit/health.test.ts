// The health rules, table-driven over objects shaped as the API server returns them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { healthOf, hasHealthRule, healthKey } from '../../src/health/health-of.js';
import { healthRefsInManifest } from '../../src/health/health-refs.js';
import { waitForHealthy } from '../../src/health/wait-healthy.js';
import type { HealthStatus } from '../../src/health/types.js';
import type { KubeObject } from '../../src/kube/types.js';
import { FakeKube } from './fakes.js';

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'apps', uid: '0d5c3f0e-1', resourceVersion: '4711', creationTimestamp: '2026-12-02T08:00:00Z', ...extra });
const condition = (type: string, status: string, reason: string, message: string, extra: Record<string, unknown> = {}) => ({ type, status, reason, message, lastTransitionTime: '2026-12-02T08:00:05Z', ...extra });

function service(type: string, status: Record<string, unknown> = { loadBalancer: {} }): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: meta('web'),
    spec: { type, selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], clusterIP: '10.96.12.7', clusterIPs: ['10.96.12.7'], ...(type === 'LoadBalancer' ? { allocateLoadBalancerNodePorts: true, externalTrafficPolicy: 'Cluster' } : {}) },
    status,
  };
}

function ingress(status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('web', { generation: 1 }),
    spec: { ingressClassName: 'nginx', rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    status,
  };
}

function pvc(phase: string, volumeName?: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data'),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard', volumeMode: 'Filesystem', ...(volumeName ? { volumeName } : {}) },
    status: { phase, ...(phase === 'Bound' ? { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } : {}) },
  };
}

function cronJob(spec: Record<string, unknown>, status: Record<string, unknown>): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('backup', { generation: 1 }), spec: { schedule: '0 3 * * *', concurrencyPolicy: 'Forbid', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'backup', image: 'backup:1' }], restartPolicy: 'OnFailure' } } } }, ...spec }, status };
}

function apiService(conditions: unknown[]): KubeObject {
  return { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.metrics.k8s.io', uid: 'x', resourceVersion: '9' }, spec: { group: 'metrics.k8s.io', version: 'v1beta1', service: { name: 'metrics-server', namespace: 'kube-system', port: 443 }, groupPriorityMinimum: 100, versionPriority: 100 }, status: { conditions } };
}

function hpa(conditions: unknown[] | undefined): KubeObject {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta('web'),
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] },
    status: { currentReplicas: 1, desiredReplicas: 1, currentMetrics: null, ...(conditions ? { conditions } : {}) },
  };
}

function pdb(status: Record<string, unknown>, generation = 1): KubeObject {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('web', { generation }), spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }, status };
}

function widget(status: Record<string, unknown> | undefined, generation = 2): KubeObject {
  return { apiVersion: 'fixtures.helmcycle.dev/v1', kind: 'Widget', metadata: meta('gizmo', { generation }), spec: { replicas: 1, tier: 'gold' }, ...(status ? { status } : {}) };
}

const deployment = (status: Record<string, unknown>): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web', { generation: 3 }), spec: { replicas: 2 }, status });

const cases: { name: string; object: KubeObject; status: HealthStatus; message: RegExp }[] = [
  { name: 'ClusterIP Service', object: service('ClusterIP', {}), status: 'healthy', message: /type ClusterIP/ },
  { name: 'LoadBalancer Service without an address', object: service('LoadBalancer'), status: 'progressing', message: /no ingress IP or hostname assigned/ },
  { name: 'LoadBalancer Service with an IP', object: service('LoadBalancer', { loadBalancer: { ingress: [{ ip: '203.0.113.10', ipMode: 'VIP' }] } }), status: 'healthy', message: /203\.0\.113\.10/ },
  { name: 'LoadBalancer Service with a hostname', object: service('LoadBalancer', { loadBalancer: { ingress: [{ hostname: 'a1b2.elb.amazonaws.com' }] } }), status: 'healthy', message: /elb\.amazonaws\.com/ },
  { name: 'Ingress not admitted', object: ingress({ loadBalancer: {} }), status: 'progressing', message: /no ingress controller of class nginx/ },
  { name: 'Ingress with an address', object: ingress({ loadBalancer: { ingress: [{ ip: '192.0.2.4' }] } }), status: 'healthy', message: /192\.0\.2\.4/ },
  { name: 'PVC Pending', object: pvc('Pending'), status: 'progressing', message: /Pending: no volume bound yet \(storage class standard/ },
  { name: 'PVC Bound', object: pvc('Bound', 'pvc-6f1c'), status: 'healthy', message: /bound to PersistentVolume pvc-6f1c/ },
  { name: 'PVC Lost', object: pvc('Lost', 'pvc-6f1c'), status: 'degraded', message: /Lost/ },
  { name: 'CronJob not run yet', object: cronJob({}, {}), status: 'healthy', message: /not run yet/ },
  { name: 'CronJob suspended', object: cronJob({ suspend: true }, { lastScheduleTime: '2026-12-01T03:00:00Z' }), status: 'healthy', message: /suspended/ },
  { name: 'CronJob whose last run succeeded', object: cronJob({}, { lastScheduleTime: '2026-12-02T03:00:00Z', lastSuccessfulTime: '2026-12-02T03:00:41Z' }), status: 'healthy', message: /last run succeeded/ },
  { name: 'CronJob whose last run failed', object: cronJob({}, { lastScheduleTime: '2026-12-02T03:00:00Z', lastSuccessfulTime: '2026-12-01T03:00:40Z' }), status: 'degraded', message: /did not succeed \(last success/ },
  { name: 'CronJob with a run in progress', object: cronJob({}, { active: [{ kind: 'Job', name: 'backup-29411', namespace: 'apps' }], lastScheduleTime: '2026-12-02T03:00:00Z' }), status: 'healthy', message: /1 run\(s\) in progress/ },
  { name: 'APIService available', object: apiService([condition('Available', 'True', 'Passed', 'all checks passed')]), status: 'healthy', message: /Available=True/ },
  { name: 'APIService without endpoints', object: apiService([condition('Available', 'False', 'MissingEndpoints', 'endpoints for service/metrics-server in "kube-system" have no addresses with port name "https"')]), status: 'progressing', message: /Available=False \(MissingEndpoints\): endpoints/ },
  { name: 'APIService not judged yet', object: apiService([]), status: 'progressing', message: /no Available condition/ },
  { name: 'HPA new', object: hpa(undefined), status: 'progressing', message: /no AbleToScale condition/ },
  { name: 'HPA scaling', object: hpa([condition('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size'), condition('ScalingActive', 'True', 'ValidMetricFound', 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)')]), status: 'healthy', message: /ScalingActive=True/ },
  { name: 'HPA without metrics yet', object: hpa([condition('AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale'), condition('ScalingActive', 'False', 'FailedGetResourceMetric', 'the HPA was unable to compute the replica count: failed to get cpu utilization')]), status: 'progressing', message: /FailedGetResourceMetric/ },
  { name: 'HPA whose target is missing', object: hpa([condition('AbleToScale', 'False', 'FailedGetScale', 'the HPA controller was unable to get the target\'s current scale: deployments/scale.apps "web" not found')]), status: 'degraded', message: /FailedGetScale/ },
  { name: 'PDB not observed', object: pdb({}), status: 'progressing', message: /not observed/ },
  { name: 'PDB below budget', object: pdb({ observedGeneration: 1, currentHealthy: 1, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0 }), status: 'progressing', message: /1 of 2 pods/ },
  { name: 'PDB behind generation', object: pdb({ observedGeneration: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 }, 2), status: 'progressing', message: /observed generation 1, not yet 2/ },
  { name: 'PDB met', object: pdb({ observedGeneration: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 }), status: 'healthy', message: /1 disruption\(s\) allowed/ },
  { name: 'custom resource without status', object: widget(undefined), status: 'healthy', message: /no status/ },
  { name: 'custom resource Ready True', object: widget({ observedGeneration: 2, conditions: [condition('Ready', 'True', 'Reconciled', 'widget is serving', { observedGeneration: 2 })] }), status: 'healthy', message: /Ready=True \(Reconciled\)/ },
  { name: 'custom resource Ready False', object: widget({ observedGeneration: 2, conditions: [condition('Ready', 'False', 'Provisioning', 'waiting for the gizmo backend')] }), status: 'progressing', message: /Ready=False \(Provisioning\): waiting for the gizmo backend/ },
  { name: 'custom resource status behind generation', object: widget({ observedGeneration: 1, conditions: [condition('Ready', 'True', 'Reconciled', 'ok')] }), status: 'progressing', message: /observed generation 1, not yet 2/ },
  { name: 'custom resource Ready condition of an older generation', object: widget({ conditions: [condition('Ready', 'True', 'Reconciled', 'ok', { observedGeneration: 1 })] }), status: 'progressing', message: /Ready reports generation 1, not yet 2/ },
  { name: 'custom resource Stalled', object: widget({ conditions: [condition('Ready', 'False', 'Failed', 'x'), condition('Stalled', 'True', 'InvalidSpec', 'tier gold is not offered')] }), status: 'degraded', message: /Stalled=True \(InvalidSpec\): tier gold/ },
  { name: 'custom resource Reconciling', object: widget({ conditions: [condition('Reconciling', 'True', 'Progressing', 'creating the backend'), condition('Ready', 'True', 'Reconciled', 'ok')] }), status: 'progressing', message: /Reconciling=True/ },
  { name: 'custom resource Available without Ready', object: widget({ conditions: [condition('Available', 'False', 'MinimumReplicasUnavailable', 'not enough replicas')] }), status: 'progressing', message: /Available=False/ },
  { name: 'custom resource with other conditions only', object: widget({ conditions: [condition('Synced', 'True', 'ReconcileSuccess', '')] }), status: 'healthy', message: /no Ready or Available condition/ },
  { name: 'Deployment rolling out', object: deployment({ observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }), status: 'progressing', message: /1 of 2 updated replicas available/ },
  { name: 'Deployment past its deadline', object: deployment({ observedGeneration: 3, conditions: [condition('Progressing', 'False', 'ProgressDeadlineExceeded', 'ReplicaSet "web-5f7f" has timed out progressing.')] }), status: 'degraded', message: /progress deadline/ },
  { name: 'Deployment available', object: deployment({ observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), status: 'healthy', message: /2\/2 replicas available/ },
  { name: 'anything being deleted', object: { ...widget({ conditions: [condition('Ready', 'True', 'Reconciled', 'ok')] }), metadata: meta('gizmo', { deletionTimestamp: '2026-12-02T09:00:00Z', finalizers: ['fixtures.helmcycle.dev/cleanup'] }) }, status: 'progressing', message: /being deleted/ },
  { name: 'a ConfigMap (no rule)', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('settings'), data: { a: 'b' } }, status: 'healthy', message: /no health rule/ },
];

describe('healthOf, kind by kind', () => {
  for (const c of cases) {
    it(c.name, () => {
      const health = healthOf(c.object);
      assert.equal(health.status, c.status, health.message);
      assert.match(health.message, c.message);
    });
  }
});

describe('a chart\'s own health functions', () => {
  const ready = widget({ conditions: [condition('Ready', 'True', 'Reconciled', 'ok')] });
  it('override the built-in rule for their group/kind', () => {
    const health = healthOf(ready, { 'fixtures.helmcycle.dev/Widget': (o) => ({ status: 'degraded', message: `tier ${String(o.spec?.tier)} is retired` }) });
    assert.deepEqual(health, { status: 'degraded', message: 'tier gold is retired' });
  });
  it('leave an object to the built-in rule by returning undefined, and do not touch other kinds', () => {
    const custom = { 'fixtures.helmcycle.dev/Widget': () => undefined, Service: () => ({ status: 'healthy' as const }) };
    assert.equal(healthOf(ready, custom).status, 'healthy');
    assert.match(healthOf(ready, custom).message, /Ready=True/);
    assert.deepEqual(healthOf(service('LoadBalancer'), custom), { status: 'healthy', message: 'healthy (the chart\'s health function)' });
    assert.equal(healthOf(pvc('Pending'), custom).status, 'progressing');
  });
  it('are unknown when they throw or answer no status', () => {
    assert.match(healthOf(ready, { 'fixtures.helmcycle.dev/Widget': () => { throw new Error('no spec.tier'); } }).message, /threw: no spec.tier/);
    assert.equal(healthOf(ready, { 'fixtures.helmcycle.dev/Widget': () => ({ status: 'fine' }) as never }).status, 'unknown');
  });
  it('are keyed by group/kind, the core group by the kind alone', () => {
    assert.equal(healthKey({ apiVersion: 'v1', kind: 'Service' }), 'Service');
    assert.equal(healthKey({ apiVersion: 'apps/v1', kind: 'Deployment' }), 'apps/Deployment');
    assert.equal(healthKey({ apiVersion: 'example.com/v1alpha1', kind: 'Widget' }), 'example.com/Widget');
    assert.equal(hasHealthRule({ apiVersion: 'v1', kind: 'ConfigMap' }), false);
    assert.equal(hasHealthRule({ apiVersion: 'v1', kind: 'ConfigMap' }, { ConfigMap: () => undefined }), true);
    assert.equal(hasHealthRule({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' }), true, 'a CRD in a k8s.io group is a custom resource');
  });
});

const manifest = `---
# Source: app/templates/config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  mode: LoadBalancer
---
# Source: app/templates/svc.yaml
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  type: ClusterIP
  ports:
    - port: 80
---
# Source: app/templates/lb.yaml
apiVersion: v1
kind: Service
metadata:
  name: app-public
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: nlb
spec:
  type: LoadBalancer
  ports:
    - port: 443
---
# Source: app/templates/role.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app
rules: []
---
# Source: app/templates/pvc.yaml
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: app-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
# Source: app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: other
spec:
  replicas: 1
---
# Source: app/templates/widget.yaml
apiVersion: fixtures.helmcycle.dev/v1
kind: Widget
metadata:
  name: app-gizmo
spec:
  tier: gold
---
# Source: app/templates/apiservice.yaml
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.example.com
spec:
  group: metrics.example.com
`;

describe('the objects of a manifest a rule judges', () => {
  it('are the workloads, LoadBalancer Services, PVCs, custom resources and APIServices, not ConfigMaps, RBAC or ClusterIP Services', () => {
    const refs = healthRefsInManifest(manifest, 'apps').map((r) => `${r.kind}/${r.namespace ?? '-'}/${r.name}`);
    assert.deepEqual(refs, ['Service/apps/app-public', 'PersistentVolumeClaim/apps/app-data', 'Deployment/other/app', 'Widget/apps/app-gizmo', 'APIService/-/v1beta1.metrics.example.com']);
  });
  it('include every object of a kind the chart has a health function for', () => {
    const refs = healthRefsInManifest(manifest, 'apps', { Service: () => undefined, ConfigMap: () => undefined }).map((r) => `${r.kind}/${r.name}`);
    assert.deepEqual(refs.slice(0, 3), ['ConfigMap/app-config', 'Service/app', 'Service/app-public']);
  });
});

/** A FakeKube whose listObjects answers by kind and namespace, counting the lists and gets. */
class CountingKube extends FakeKube {
  lists: string[] = [];
  gets = 0;
  override async listObjects(apiVersion: string, kind: string, namespace?: string) {
    this.lists.push(`${kind}/${namespace ?? ''}`);
    return [...this.objects.values()].filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace)).map((o) => structuredClone(o));
  }
  override async getObject(...args: Parameters<FakeKube['getObject']>) {
    this.gets += 1;
    this.lists.push(`get ${args[0].kind}`);
    return super.getObject(...args);
  }
}

describe('waitForHealthy', () => {
  const refOf = (o: KubeObject) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace });

  it('reads each kind once a round, with no GET per object, and passes once all are healthy', async () => {
    const kube = new CountingKube();
    const widgets = ['a', 'b', 'c'].map((name) => ({ ...widget({ conditions: [condition('Ready', 'True', 'Reconciled', 'ok')] }), metadata: meta(name) }));
    for (const w of widgets) kube.objects.set(FakeKube.key(refOf(w)), w);
    const results = await waitForHealthy(kube, widgets.map(refOf), { timeoutMs: 5_000 });
    assert.deepEqual(results.map((r) => [r.name, r.ok]), [['Widget/a', true], ['Widget/b', true], ['Widget/c', true]]);
    assert.deepEqual(kube.lists, ['Widget/apps']);
    assert.equal(kube.gets, 0);
  });

  it('waits while one progresses and passes when it turns healthy', async () => {
    const kube = new CountingKube();
    const pending = widget({ conditions: [condition('Ready', 'False', 'Provisioning', 'waiting for the gizmo backend')] });
    kube.objects.set(FakeKube.key(refOf(pending)), pending);
    setTimeout(() => kube.objects.set(FakeKube.key(refOf(pending)), widget({ conditions: [condition('Ready', 'True', 'Reconciled', 'serving')] })), 150);
    const [result] = await waitForHealthy(kube, [refOf(pending)], { timeoutMs: 10_000, intervalMs: 50 });
    assert.equal(result!.ok, true);
    assert.match(result!.message, /Ready=True \(Reconciled\): serving/);
    assert.ok(kube.gets >= 2, 'it read again');
  });

  it('names each object still not healthy at the timeout with its reason, and stops waiting on a degraded one', async () => {
    const kube = new CountingKube();
    const lb = service('LoadBalancer');
    const stalled = widget({ conditions: [condition('Stalled', 'True', 'InvalidSpec', 'tier gold is not offered')] });
    for (const o of [lb, stalled]) kube.objects.set(FakeKube.key(refOf(o)), o);
    const missing = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'gone', namespace: 'apps' };
    const results = await waitForHealthy(kube, [refOf(lb), refOf(stalled), missing], { timeoutMs: 200, intervalMs: 50 });
    assert.deepEqual(results.map((r) => [r.name, r.ok, r.health]), [['Service/web', false, 'progressing'], ['Widget/gizmo', false, 'degraded'], ['PersistentVolumeClaim/gone', false, 'progressing']]);
    assert.match(results[0]!.message, /^not ready before the timeout: type LoadBalancer, no ingress IP or hostname assigned/);
    assert.match(results[1]!.message, /^degraded: Stalled=True \(InvalidSpec\): tier gold is not offered/);
    assert.match(results[2]!.message, /not found in the cluster/);
    assert.equal(kube.lists.filter((l) => l === 'get Widget').length, 1, 'a degraded object is not read again');
    assert.ok(kube.lists.filter((l) => l === 'get Service').length >= 2, 'a progressing one is');
  });

  it('reads a lone object of its kind with one GET, and object by object where listing a kind is refused', async () => {
    const kube = new CountingKube();
    const ready = (name: string) => ({ ...widget({ conditions: [condition('Ready', 'True', 'Reconciled', 'ok')] }), metadata: meta(name) });
    kube.objects.set('Widget/apps/a', ready('a'));
    assert.equal((await waitForHealthy(kube, [refOf(ready('a'))], { timeoutMs: 1_000 }))[0]!.ok, true);
    assert.deepEqual(kube.lists, ['get Widget']);
    kube.objects.set('Widget/apps/b', ready('b'));
    kube.listObjects = async () => { throw new Error('widgets.fixtures.helmcycle.dev is forbidden: User "dev" cannot list resource'); };
    const results = await waitForHealthy(kube, [refOf(ready('a')), refOf(ready('b'))], { timeoutMs: 1_000 });
    assert.deepEqual(results.map((r) => r.ok), [true, true]);
    assert.equal(kube.gets, 3);
  });
});
