// Adopting a DaemonSet that exists outside Helm, as a cloud's CNI plugin does (EKS installs aws-node
// before you can run Helm). Installing a chart that ships the same DaemonSet fails with Helm's "invalid
// ownership metadata"; listing it under `adopt` labels and annotates it for the release first, so the
// install takes it over in place: same object (same uid), no pod restarted by a delete and create.
//   npx tsx examples/toolkit/adopt-daemonset.ts
import { defineChart, runChart, type ChartDefinition } from '../../src/index.js';
import { isMain, main, type ExampleContext } from './shared.js';

export const DAEMONSET = 'cloud-node-agent';

/** The DaemonSet as the cloud created it: no Helm labels, and the selector the chart also uses. */
export function cloudDaemonSet(namespace: string) {
  const labels = { 'app.kubernetes.io/name': DAEMONSET };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: DAEMONSET, namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'agent', image: 'registry.invalid/cloud/node-agent:0.9' }] } },
    },
  };
}

export function nodeAgentChart(ctx: ExampleContext, adopt: boolean): ChartDefinition {
  return defineChart({
    name: 'node-agent',
    namespace: ctx.namespace,
    chart: 'node-agent',
    repository: ctx.repository,
    version: '1.0.0',
    values: { name: DAEMONSET, logLevel: 'debug' },
    timeoutSeconds: 60,
    adopt: adopt ? [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: DAEMONSET }] : [],
  });
}

export async function createCloudDaemonSet(ctx: ExampleContext): Promise<void> {
  if (!(await ctx.kube.namespaceExists(ctx.namespace))) {
    await ctx.kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ctx.namespace } });
  }
  const daemonSet = cloudDaemonSet(ctx.namespace);
  const ref = { apiVersion: daemonSet.apiVersion, kind: daemonSet.kind, name: DAEMONSET, namespace: ctx.namespace };
  if (!(await ctx.kube.getObject(ref))) await ctx.kube.createObject(daemonSet);
}

export async function deployAdopting(ctx: ExampleContext): Promise<void> {
  await runChart(nodeAgentChart(ctx, true), { helm: ctx.helm, kube: ctx.kube, onEvent: ctx.onEvent });
}

export async function destroy(ctx: ExampleContext): Promise<void> {
  await runChart({ ...nodeAgentChart(ctx, true), action: 'destroy' }, { helm: ctx.helm, kube: ctx.kube, onEvent: ctx.onEvent });
}

if (isMain(import.meta.url)) {
  await main('adopt a DaemonSet created outside Helm', 'example-adopt', [
    ['the cloud creates its DaemonSet', createCloudDaemonSet],
    ['deploy the chart with adopt: the release takes the DaemonSet over', deployAdopting],
    ['destroy: the release (and now the DaemonSet) is removed', destroy],
  ]);
}
