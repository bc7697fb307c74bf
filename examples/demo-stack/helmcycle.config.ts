// A small realistic stack on the local control plane: an operator that brings CRDs, an app that
// declares custom resources of those CRDs (so it needs the operator first), and a web app whose
// validate also checks that its Service really has ready endpoints (a check that runs after a deploy
// only: after a destroy there is rightly nothing to route to).
//
//   npm run demo                      # apply, then show status and a converged plan
//   node bin/helmcycle.mjs -c examples/demo-stack/helmcycle.config.ts plan
import { defineStack } from '../../src/index.js';

const repository = process.env.HELMCYCLE_CHART_REPO_URL;
if (!repository) throw new Error('HELMCYCLE_CHART_REPO_URL is not set: run through `npm run demo` or source the cluster env');
// The namespaces, `demo` and `demo-system` unless HELMCYCLE_DEMO_NAMESPACE names others (the e2e test
// runs the demo in namespaces of its own on a shared cluster).
const namespace = process.env.HELMCYCLE_DEMO_NAMESPACE ?? 'demo';

export default defineStack({
  name: 'demo',
  defaults: { namespace, createNamespace: true, repository, timeoutSeconds: 120, atomic: true },
  environments: {
    staging: { charts: { web: { set: { replicaCount: 3, message: 'hello from staging' } } } },
  },
  charts: [
    {
      name: 'operator',
      chart: 'operator',
      version: '2.0.0',
      namespace: `${namespace}-system`,
      labels: { tier: 'infra' },
    },
    {
      name: 'widgets',
      chart: 'widget-app',
      version: '1.0.0',
      needs: ['operator'],
      labels: { tier: 'app' },
    },
    {
      name: 'web',
      chart: 'web',
      version: '^1.0.0',
      needs: ['widgets'],
      labels: { tier: 'app' },
      set: { replicaCount: 2, message: 'hello from the demo' },
      checks: [
        {
          // Pods that are Ready are not enough for a web app: its Service must route to them.
          name: 'endpoints',
          async run(ctx) {
            const slices = await ctx.kube.listObjects('discovery.k8s.io/v1', 'EndpointSlice', ctx.spec.namespace);
            const ours = slices.filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === `${ctx.spec.name}-web`);
            const ready = ours.flatMap((s) => ((s as unknown as { endpoints?: { conditions?: { ready?: boolean } }[] }).endpoints ?? []).filter((e) => e.conditions?.ready));
            if (ready.length === 0) return `Service ${ctx.spec.name}-web has no ready endpoints`;
            ctx.log(`Service ${ctx.spec.name}-web routes to ${ready.length} ready endpoint(s)`);
          },
        },
      ],
    },
  ],
});
