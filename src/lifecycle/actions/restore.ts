// Restoring the release's backup: one this run's reinstall made, or one an interrupted reinstall left
// between its uninstall and its restore (exec), and the restore-backup remedy.
import { restoreBackup } from '../../toolkit/backup.js';
import { restorePendingBackup } from '../declared-resources.js';
import type { ChartPayload, PhaseContext } from '../types.js';

/** exec: restores a backup when one is in the cluster, and says so in the log. */
export const restoreLeftBackup = restorePendingBackup;

/** The restore-backup remedy: what was restored, in words. */
export async function restoreBackupRemedy<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<string> {
  const restored = await restoreBackup(ctx.kube, { release: ctx.spec.name, namespace: ctx.spec.namespace });
  return restored ? `restored ${restored.join(', ')} from the backup` : 'there was no backup to restore';
}
