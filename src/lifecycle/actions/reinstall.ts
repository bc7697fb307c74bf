// The first half of a reinstall: the spec's backup objects are saved (in the cluster, before anything
// is deleted; they stay there until the restore succeeds), then the release is uninstalled, waiting
// until its objects are gone. The install that follows is upgrade.ts's, the restore restore.ts's.
import { backupDeclared } from '../declared-resources.js';
import type { ChartPayload, PhaseContext } from '../types.js';
import { uninstallRelease } from './uninstall.js';

export async function clearForReinstall<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<void> {
  await backupDeclared(ctx);
  await uninstallRelease(ctx, true);
}
