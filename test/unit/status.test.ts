// `helmcycle status`: its exit code and the line that says why.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT, statusExitCode } from '../../src/cli/exit-codes.js';
import { formatStatus } from '../../src/cli/format.js';
import { chartStatus, type ChartStatus } from '../../src/stack/inspect.js';
import type { ResolvedChart } from '../../src/stack/types.js';
import type { KubeObject } from '../../src/kube/types.js';
import { FakeHelm, FakeKube, releaseInfo } from './fakes.js';

const row = (chart: string, health: ChartStatus['health']): ChartStatus => ({
  chart, namespace: 'apps', health, unready: health === 'degraded' ? ['Deployment/web: 0/1 ready'] : [],
  ...(health === 'not-installed' ? { revision: undefined, status: 'not installed', chartVersion: undefined } : { revision: 1, status: 'deployed', chartVersion: '1.0.0' }),
});

describe('status', () => {
  it('exits 0 when all are ready, 1 when any is degraded, 3 when the rest are only not installed', () => {
    assert.equal(statusExitCode([row('a', 'ready'), row('b', 'ready')]), EXIT.ok);
    assert.equal(statusExitCode([row('a', 'ready'), row('b', 'not-installed')]), 3);
    assert.equal(statusExitCode([row('a', 'not-installed'), row('b', 'not-installed')]), 3);
    assert.equal(statusExitCode([row('a', 'degraded'), row('b', 'not-installed')]), EXIT.chartFailed);
  });

  it('says per chart that it is not installed, and sums up', () => {
    const text = formatStatus([row('web', 'ready'), row('db', 'not-installed'), row('cache', 'not-installed')]);
    assert.match(text, /^db +apps +- +not installed +- +not-installed$/m);
    assert.match(text, /^status: 1 ready, 0 degraded, 2 not installed \(db, cache: apply installs them\)$/m);
  });
});

// The release `web` in `apps`: a Deployment (ready) and a custom resource whose controller reports on it.
const MANIFEST = `---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
---
# Source: web/templates/widget.yaml
apiVersion: example.com/v1
kind: Widget
metadata:
  name: web-widget
spec:
  size: large
`;

const readyDeployment: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps', generation: 1 }, spec: { replicas: 1 },
  status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
};
const widget = (ready: 'True' | 'False'): KubeObject => ({
  apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'web-widget', namespace: 'apps', generation: 1 }, spec: { size: 'large' },
  status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'Reconciled' : 'BackendUnavailable', message: ready === 'True' ? 'serving' : 'no backend answers' }] },
});

function clusterWith(...objects: KubeObject[]) {
  const helm = new FakeHelm();
  helm.current = releaseInfo();
  helm.manifest = MANIFEST;
  const kube = new FakeKube();
  for (const o of objects) kube.objects.set(FakeKube.key({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace }), o);
  return { helm, kube };
}

const chart = (definition: Partial<ResolvedChart['definition']> = {}): ResolvedChart => ({
  name: 'web', needs: [], file: undefined, definition: { name: 'web', namespace: 'apps', chart: './web', ...definition },
});

describe('status judges every object by the rules validate waits on (health/)', () => {
  it('a custom resource whose Ready is False makes the release degraded, naming it and the condition', async () => {
    const status = await chartStatus(chart(), clusterWith(readyDeployment, widget('False')));
    assert.equal(status.health, 'degraded');
    assert.deepEqual(status.unready, ['Widget/web-widget: Ready=False (BackendUnavailable): no backend answers']);
    assert.equal(statusExitCode([status]), EXIT.chartFailed);
    assert.match(formatStatus([status]), /^ {2}web: Widget\/web-widget: Ready=False \(BackendUnavailable\): no backend answers$/m);
  });

  it('is ready once the custom resource is Ready and the workload is', async () => {
    const status = await chartStatus(chart(), clusterWith(readyDeployment, widget('True')));
    assert.deepEqual([status.health, status.unready], ['ready', []]);
  });

  it('a chart\'s own health function for the kind wins over the built-in rule, as in validate', async () => {
    const health = { 'example.com/Widget': (o: KubeObject) => (o.spec?.size === 'large' ? { status: 'degraded' as const, message: 'size large needs the xl pool' } : undefined) };
    const status = await chartStatus(chart({ health }), clusterWith(readyDeployment, widget('True')));
    assert.equal(status.health, 'degraded');
    assert.deepEqual(status.unready, ['Widget/web-widget: degraded: size large needs the xl pool']);
  });

  it('an object of the manifest missing from the cluster is not ready', async () => {
    const status = await chartStatus(chart(), clusterWith(widget('True')));
    assert.deepEqual([status.health, status.unready], ['degraded', ['Deployment/web: not found in the cluster']]);
  });
});
