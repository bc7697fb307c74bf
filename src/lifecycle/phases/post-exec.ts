// Default postExec: nothing. It is the place for a chart's own follow-up work (restore a backup,
// annotate, notify) after helm is done and before validation.
import type { ChartPayload, PhaseContext } from '../types.js';

export async function postExec<P extends ChartPayload>(_ctx: PhaseContext<P>, payload: P): Promise<P> {
  return payload;
}
