// The first half of a reinstall: the spec's backup objects are saved (in the cluster, before anything
// is deleted; they stay there until the restore succeeds), then the release is uninstalled. The install
// that follows is upgrade.ts's, the restore restore.ts's.
import { backupDeclared } from '../declared-resources.js';
import { releaseRef } from '../requests.js';
import type { ChartPayload, PhaseContext } from '../types.js';

export async function clearForReinstall<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<void> {
  await backupDeclared(ctx);
  await ctx.helm.uninstall({ ...releaseRef(ctx.spec), wait: true, timeoutSeconds: ctx.spec.timeoutSeconds }, { signal: ctx.signal });
}
