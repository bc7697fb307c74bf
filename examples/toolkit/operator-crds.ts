// An operator whose CRDs change between 1.x and 2.0.0. Helm installs crds/ once and never upgrades it, so
// upgrading to 2.0.0 (whose templates create a v1 Widget) fails with "no matches for kind Widget in
// version v1". With `crds`, helmcycle applies the chart's CRDs server-side before every install and
// upgrade and waits until they are Established; on destroy it deletes them, but refuses (before
// uninstalling anything) while custom resources other than the release's own still exist.
//   npx tsx examples/toolkit/operator-crds.ts
import { defineChart, runChart, type ChartDefinition } from '../../src/index.js';
import { isMain, main, type ExampleContext } from './shared.js';

export const CRD_NAME = 'widgets.fixtures.helmcycle.dev';

export function operatorChart(ctx: ExampleContext, version: '1.0.0' | '2.0.0'): ChartDefinition {
  return defineChart({
    name: 'operator',
    namespace: ctx.namespace,
    createNamespace: true,
    chart: 'operator',
    repository: ctx.repository,
    version,
    // 2.0.0's default Widget is written against the v1 API that only its CRD serves.
    values: version === '2.0.0' ? { defaultWidget: { enabled: true, name: 'default' } } : {},
    timeoutSeconds: 60,
    crds: { upgrade: true, deleteOnDestroy: true },
  });
}

export async function installV1(ctx: ExampleContext): Promise<void> {
  await runChart(operatorChart(ctx, '1.0.0'), { helm: ctx.helm, kube: ctx.kube, onEvent: ctx.onEvent });
}

export async function upgradeToV2(ctx: ExampleContext): Promise<void> {
  await runChart(operatorChart(ctx, '2.0.0'), { helm: ctx.helm, kube: ctx.kube, onEvent: ctx.onEvent });
}

export async function destroy(ctx: ExampleContext): Promise<void> {
  await runChart({ ...operatorChart(ctx, '2.0.0'), action: 'destroy' }, { helm: ctx.helm, kube: ctx.kube, onEvent: ctx.onEvent });
}

if (isMain(import.meta.url)) {
  await main('operator CRDs across a breaking upgrade and uninstall', 'example-operator', [
    ['install operator 1.0.0 (CRD serves v1alpha1)', installV1],
    ['upgrade to 2.0.0: CRDs applied first, then the v1 default Widget', upgradeToV2],
    ['destroy: the release, then its CRDs', destroy],
  ]);
}
