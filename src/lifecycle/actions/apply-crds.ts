// The apply-crds-retry remedy: every CRD the release brings (crds/ of the chart and its enabled
// subcharts, CRD templates, crds.path) is applied before the next attempt.
import { applyReleaseCrds } from '../declared-crds.js';
import type { ChartPayload, PhaseContext } from '../types.js';

/** What was applied, in words; throws when the chart brings no CRD. */
export async function applyCrds<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<string> {
  const { names } = await applyReleaseCrds(ctx);
  if (names.length === 0) throw new Error('no CRDs to apply: the chart brings none (no crds/ folder, in it or an enabled subchart, and no CRD template) and crds.path is not set');
  return `applied CRDs ${names.join(', ')}`;
}
