// Uninstalling the release: destroy's action (waiting as the spec says) and the uninstall remedy (always
// waiting: the chart fails after it, and what it leaves must be gone).
import { releaseRef } from '../requests.js';
import type { ChartPayload, PhaseContext } from '../types.js';

export async function uninstallRelease<P extends ChartPayload>(ctx: PhaseContext<P>, wait = ctx.spec.wait): Promise<void> {
  await ctx.helm.uninstall({ ...releaseRef(ctx.spec), wait, timeoutSeconds: ctx.spec.timeoutSeconds }, { signal: ctx.signal });
}
