// The objects a failure names, found in the chart as it renders now: the recreate and adopt remedies act
// on them with the apiVersion and namespace the chart gives them.
import { CLUSTER_SCOPED_KINDS, parseManifest } from '../../kube/manifest.js';
import type { ObjectRef } from '../../kube/types.js';
import type { MentionedObject } from '../../failures/classify.js';
import { templateRequest } from '../requests.js';
import { postRendererFor } from '../transform.js';
import type { ChartPayload, PhaseContext } from '../types.js';

export async function renderedRefs<P extends ChartPayload>(ctx: PhaseContext<P>, mentioned: readonly MentionedObject[]): Promise<ObjectRef[]> {
  const manifest = await ctx.helm.template({ ...templateRequest(ctx.spec), postRender: postRendererFor(ctx.spec, ctx.transform, ctx.log) }, { signal: ctx.signal });
  const objects = parseManifest(manifest, ctx.spec.namespace);
  return mentioned.flatMap((m) => {
    const found = objects.find((o) => o.kind === m.kind && o.metadata.name === m.name);
    if (!found) return [];
    const namespace = CLUSTER_SCOPED_KINDS.has(found.kind) ? undefined : (m.namespace ?? found.metadata.namespace);
    return [{ apiVersion: found.apiVersion, kind: found.kind, name: found.metadata.name, namespace }];
  });
}
