// One chart through helmcycle's lifecycle, with custom phases:
//   - postExec records the deployed revision in the payload (a typed extension of it),
//   - validate runs the default checks, then checks the app's own config, which `helm --wait` never would.
// Run it against the local cluster with `npm run example:single-chart`, or against yours with KUBECONFIG set:
//   npx tsx examples/single-chart.ts
import { ChartFailedError, createClients, defineChart, formatEvent, runChart, type ChartPayload } from '../src/index.js';

interface DemoPayload extends ChartPayload {
  deployedRevision?: number;
}

const repository = process.env.HELMCYCLE_CHART_REPO_URL;

const web = defineChart<DemoPayload>({
  name: 'demo-web',
  namespace: 'demo',
  createNamespace: true,
  // The local cluster serves the fixture charts from a repository; without it, use the chart folder.
  ...(repository ? { chart: 'web', repository, version: '^1.0.0' } : { chart: 'test/fixtures/charts/web' }),
  values: { replicaCount: 2 },
  yamlFilesContent: [{ name: 'greeting', content: 'message: hello from helmcycle\n' }],
  setSensitive: { 'config.apiToken': 'not-a-real-token' },
  timeoutSeconds: 60,
  lifecycle: {
    postExec: async (ctx, payload) => {
      const revision = payload.exec?.release?.revision;
      ctx.log(`deployed revision ${revision}`);
      return { ...payload, deployedRevision: revision };
    },
    validate: async (ctx, payload) => {
      const validated = await ctx.defaults.validate(ctx, payload);
      const config = await ctx.kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ctx.spec.namespace, name: 'demo-web-web' });
      const message = (config?.data as Record<string, string> | undefined)?.message;
      if (message !== 'hello from helmcycle') throw new Error(`the app's ConfigMap says ${JSON.stringify(message)}`);
      ctx.log('the app is configured as declared');
      return validated;
    },
  },
});

const { helm, kube } = createClients({ helmBinary: process.env.HELMCYCLE_HELM4 ?? process.env.HELMCYCLE_HELM });
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
try {
  const result = await runChart(web, { helm, kube, signal: controller.signal, payload: {}, onEvent: (event) => console.log(formatEvent(event)) });
  console.log(`\n${result.name}: ${result.outcome}, revision ${result.payload.deployedRevision}, ${result.durationMs} ms`);
  const destroyed = await runChart({ ...web, action: 'destroy', lifecycle: {} }, { helm, kube, signal: controller.signal });
  console.log(`${destroyed.name}: ${destroyed.outcome}`);
} catch (error) {
  console.error(error instanceof ChartFailedError ? `${error.message}\nhint: ${error.hint ?? '-'}` : error);
  process.exitCode = 1;
}
