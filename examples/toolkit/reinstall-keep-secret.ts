// A breaking-version reinstall that keeps a generated Secret. The credentials chart generates its
// password into a Secret at install; 2.0.0 changes the Deployment's (immutable) selector, so helmcycle
// uninstalls 1.x and installs 2.0.0 (lastBreakingVersionRequiringRestart). Uninstalling deletes the
// Secret and the new install would generate a new password, locking the app out of its data. With
// `backup`, the Secret is copied into the cluster before the uninstall and put back after the install.
//   npx tsx examples/toolkit/reinstall-keep-secret.ts
import { defineChart, runChart, type ChartDefinition } from '../../src/index.js';
import { isMain, main, type ExampleContext } from './shared.js';

export const RELEASE = 'credentials';
export const SECRET = `${RELEASE}-credentials`;

export function credentialsChart(ctx: ExampleContext, version: '1.0.0' | '2.0.0', keepSecret = true): ChartDefinition {
  return defineChart({
    name: RELEASE,
    namespace: ctx.namespace,
    createNamespace: true,
    chart: 'credentials',
    repository: ctx.repository,
    version,
    timeoutSeconds: 60,
    lastBreakingVersionRequiringRestart: '2.0.0',
    backup: keepSecret ? [{ apiVersion: 'v1', kind: 'Secret', name: SECRET }] : [],
  });
}

export async function installV1(ctx: ExampleContext): Promise<void> {
  await runChart(credentialsChart(ctx, '1.0.0'), { helm: ctx.helm, kube: ctx.kube, onEvent: ctx.onEvent });
}

export async function reinstallV2(ctx: ExampleContext): Promise<void> {
  await runChart(credentialsChart(ctx, '2.0.0'), { helm: ctx.helm, kube: ctx.kube, onEvent: ctx.onEvent });
}

export async function destroy(ctx: ExampleContext): Promise<void> {
  await runChart({ ...credentialsChart(ctx, '2.0.0'), action: 'destroy' }, { helm: ctx.helm, kube: ctx.kube, onEvent: ctx.onEvent });
}

if (isMain(import.meta.url)) {
  await main('a breaking reinstall that keeps the generated Secret', 'example-credentials', [
    ['install credentials 1.0.0 (the chart generates a password)', installV1],
    ['deploy 2.0.0: back up the Secret, uninstall, install, restore', reinstallV2],
    ['destroy', destroy],
  ]);
}
