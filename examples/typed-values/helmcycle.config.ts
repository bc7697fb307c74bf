// Typed values: `helmcycle types -c examples/typed-values/helmcycle.config.ts` wrote
// helmcycle-types/web.d.ts from the web chart's values.yaml (the chart has no values.schema.json), and
// `satisfies WebValues` makes tsc (and an editor) hold `values:` to it: a typo such as `mesage` is a
// compile error here instead of a value the chart never reads. Run `helmcycle types` again after a
// chart version change; the types are of the version the stack names.
import { defineStack } from '../../src/index.js';
import type { WebValues } from './helmcycle-types/web.js';

export default defineStack({
  name: 'typed-values',
  defaults: { namespace: 'typed-values', createNamespace: true },
  charts: [
    {
      name: 'web',
      chart: '../../test/fixtures/charts/web',
      values: {
        replicaCount: 2,
        message: 'hello, typed',
        service: { port: 8080 },
        podLabels: { team: 'platform' },
      } satisfies WebValues,
    },
  ],
});
