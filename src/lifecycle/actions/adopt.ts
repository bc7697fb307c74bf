// The adopt-retry remedy: objects another owner holds are handed to the release (only where the chart
// allowed adoption: the remedy policy checks), and the next attempt takes their fields over.
import type { MentionedObject } from '../../failures/classify.js';
import { adoptResources } from '../../toolkit/ownership.js';
import type { ChartPayload, PhaseContext } from '../types.js';
import { renderedRefs } from './rendered-refs.js';

/** What was adopted, in words. */
export async function adoptObjects<P extends ChartPayload>(ctx: PhaseContext<P>, objects: readonly MentionedObject[]): Promise<string> {
  const refs = await renderedRefs(ctx, objects);
  const result = await adoptResources(ctx.kube, { release: ctx.spec.name, namespace: ctx.spec.namespace }, refs);
  return `adopted ${result.adopted.join(', ') || 'nothing new'}`;
}
