// The recreate-retry remedy: objects whose change an immutable field forbids are deleted (and waited
// for, within the chart's timeout) so the next attempt makes them anew.
import { setTimeout as sleep } from 'node:timers/promises';
import type { MentionedObject } from '../../failures/classify.js';
import type { ObjectRef } from '../../kube/types.js';
import type { ChartPayload, PhaseContext } from '../types.js';
import { renderedRefs } from './rendered-refs.js';

async function waitUntilGone<P extends ChartPayload>(ctx: PhaseContext<P>, refs: readonly ObjectRef[]): Promise<void> {
  const deadline = Date.now() + ctx.spec.timeoutSeconds * 1_000;
  for (const ref of refs) {
    while ((await ctx.kube.getObject(ref)) && Date.now() < deadline) await sleep(500, undefined, { signal: ctx.signal });
  }
}

/** What was deleted, in words; throws when the failure's objects are not in the rendered chart. */
export async function recreateObjects<P extends ChartPayload>(ctx: PhaseContext<P>, objects: readonly MentionedObject[]): Promise<string> {
  const refs = await renderedRefs(ctx, objects);
  if (refs.length === 0) throw new Error('the objects with the immutable change could not be found in the rendered chart');
  for (const ref of refs) await ctx.kube.deleteObject(ref);
  await waitUntilGone(ctx, refs);
  return `deleted ${refs.map((r) => `${r.kind}/${r.name}`).join(', ')} to recreate them`;
}
