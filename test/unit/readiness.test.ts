import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { documentHeader, parseManifest, podSelectorOf, refOf, workloadRefsInManifest, workloadsOf } from '../../src/kube/manifest.js';
import { workloadReadiness } from '../../src/kube/readiness.js';
import type { KubeObject } from '../../src/kube/types.js';

function obj(kind: string, spec: Record<string, unknown>, status: Record<string, unknown>, generation = 1): KubeObject {
  return { apiVersion: 'apps/v1', kind, metadata: { name: 'x', generation }, spec, status };
}

describe('workloadReadiness', () => {
  it('Deployment: ready only when every replica is updated and available', () => {
    assert.equal(workloadReadiness(obj('Deployment', { replicas: 2 }, { observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 2 })).ready, true);
    const partial = workloadReadiness(obj('Deployment', { replicas: 2 }, { observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }));
    assert.deepEqual([partial.ready, partial.message], [false, '1 of 2 updated replicas available']);
    assert.equal(workloadReadiness(obj('Deployment', { replicas: 1 }, { observedGeneration: 0 }, 2)).ready, false, 'an unobserved spec is not ready');
    assert.equal(workloadReadiness(obj('Deployment', { replicas: 1 }, { observedGeneration: 1, updatedReplicas: 1, replicas: 2, availableReplicas: 1 })).ready, false, 'old replicas still terminating');
  });

  it('Deployment: a passed progress deadline is a failure, not a wait', () => {
    const r = workloadReadiness(obj('Deployment', { replicas: 1 }, { observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }));
    assert.equal(r.failed, true);
  });

  it('StatefulSet and DaemonSet', () => {
    assert.equal(workloadReadiness(obj('StatefulSet', { replicas: 1 }, { observedGeneration: 1, readyReplicas: 1, currentRevision: 'a', updateRevision: 'a' })).ready, true);
    assert.equal(workloadReadiness(obj('StatefulSet', { replicas: 1 }, { observedGeneration: 1, readyReplicas: 1, currentRevision: 'a', updateRevision: 'b' })).ready, false);
    assert.equal(workloadReadiness(obj('DaemonSet', {}, { observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 })).ready, true);
    assert.equal(workloadReadiness(obj('DaemonSet', {}, { observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 })).ready, false);
  });

  it('Job: complete, failed, or still running', () => {
    assert.equal(workloadReadiness(obj('Job', {}, { conditions: [{ type: 'Complete', status: 'True' }] })).ready, true);
    assert.equal(workloadReadiness(obj('Job', {}, { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] })).failed, true);
    assert.equal(workloadReadiness(obj('Job', { completions: 3 }, { succeeded: 1 })).message, '1 of 3 completions');
  });
});

describe('manifests', () => {
  const manifest = [
    '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: c}',
    '---', 'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: d}', 'spec: {selector: {matchLabels: {app: d, tier: web}}}',
    '---', 'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: {name: widgets.x.dev}',
    '---', '# only a comment',
  ].join('\n');

  it('reads objects, defaulting the namespace of namespaced kinds only', () => {
    const objects = parseManifest(manifest, 'apps');
    assert.deepEqual(objects.map((o) => [o.kind, o.metadata.namespace]), [['ConfigMap', 'apps'], ['Deployment', 'apps'], ['CustomResourceDefinition', undefined]]);
    const [deployment] = workloadsOf(objects);
    assert.equal(podSelectorOf(deployment!), 'app=d,tier=web');
  });

  it('finds the workloads a full parse finds, reading block-style headers without parsing', () => {
    const shapes = [
      '---\n# Source: web/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n',
      '---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\nkind: "Deployment"  # quoted, a comment\nmetadata:\n  labels:\n    name: not-this\n    app: web\n  annotations:\n    namespace: nor-this\n  name: d\nspec:\n  template:\n    metadata:\n      name: pod\n',
      '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  kind: Deployment\n  script: |\n    kind: Job\n',
      '--- # a comment on the marker\n{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}}\n',
      '---\napiVersion: v1\nkind: List\nmetadata: {name: l}\nitems:\n- {apiVersion: apps/v1, kind: DaemonSet, metadata: {name: ds}}\n',
      '---\napiVersion: apps/v1\nmetadata:\n    namespace: other\n    name: \'st\'\nkind: StatefulSet\n',
      '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: flow, namespace: x}\n',
      '---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: &anchor anchored\n',
      '---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n',
      '---\n',
    ].join('');
    const names = (refs: { kind: string; name: string; namespace?: string | undefined }[]) => refs.map((r) => `${r.kind}/${r.namespace}/${r.name}`);
    assert.deepEqual(names(workloadRefsInManifest(shapes, 'apps')), names(workloadsOf(parseManifest(shapes, 'apps')).map(refOf)));
    assert.deepEqual(names(workloadRefsInManifest(shapes, 'apps')), ['Deployment/apps/d', 'Job/apps/j', 'DaemonSet/apps/ds', 'StatefulSet/other/st', 'Deployment/x/flow', 'Deployment/apps/anchored']);
    // The header reader declines what it does not read for sure; those documents are parsed.
    assert.equal(documentHeader('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: flow}\n'), undefined);
    assert.equal(documentHeader('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: &a anchored\n'), undefined);
    assert.equal(documentHeader('{"kind": "Job"}'), undefined);
    assert.deepEqual(documentHeader('apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n'), { apiVersion: 'v1', kind: 'Service', name: 's', namespace: undefined });
  });
});
