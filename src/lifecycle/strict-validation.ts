// The strict validation that stands in for helm's client-side OpenAPI check (argv.ts turns that off for
// install and upgrade): the chart is rendered as the upgrade would render it (values, post-render) and
// every object is dry-run through the API server with its schema enforced, so a mistyped field refuses
// the chart before a release record or an object exists. See kube/strict-validate.ts.
import { validateStrictly } from '../kube/strict-validate.js';
import { templateRequest } from './requests.js';
import { postRendererFor } from './transform.js';
import type { ChartPayload, PhaseContext } from './types.js';

export async function validateRenderedObjects<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<void> {
  const manifest = await ctx.helm.template({ ...templateRequest(ctx.spec), postRender: postRendererFor(ctx.spec, ctx.transform, ctx.log) }, { signal: ctx.signal });
  await validateStrictly(ctx.kube, ctx.spec.name, manifest, ctx.spec.namespace);
}
