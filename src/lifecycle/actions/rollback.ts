// The rollback remedy: a deployed revision that does not work goes back to the last good one (deployed
// or superseded) before it; nothing when there is none.
import { releaseRef } from '../requests.js';
import type { ChartPayload, PhaseContext } from '../types.js';

/** What was done, in words. */
export async function rollbackToLastGood<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<string> {
  const ref = releaseRef(ctx.spec);
  const history = await ctx.helm.history(ref, { signal: ctx.signal });
  const latest = history.at(-1);
  const good = history.filter((r) => r.revision < (latest?.revision ?? 0) && (r.status === 'deployed' || r.status === 'superseded')).at(-1);
  if (!latest || !good) return 'nothing to roll back to (no earlier good revision); the release is left as it is';
  await ctx.helm.rollback({ ...ref, revision: good.revision, wait: ctx.spec.wait, timeoutSeconds: ctx.spec.timeoutSeconds }, { signal: ctx.signal });
  return `rolled back from revision ${latest.revision} to revision ${good.revision}`;
}
