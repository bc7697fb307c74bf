// Taking the remedy the policy chose (failures/remedies.ts chooses; this acts). Each remedy that changes
// the cluster is an action of its own file; this only says which, and what was done in words. A throw
// means the remedy could not be taken (the original failure stays the one reported).
import type { ChartSpec } from '../../config/chart-spec.js';
import type { Remedy } from '../../config/failure-classes.js';
import type { FailureReport } from '../../failures/classify.js';
import type { ChartPayload, PhaseContext } from '../types.js';
import { adoptObjects } from './adopt.js';
import { applyCrds } from './apply-crds.js';
import { recoverStuckRelease } from './recover.js';
import { recreateObjects } from './recreate.js';
import { restoreBackupRemedy } from './restore.js';
import { rollbackToLastGood } from './rollback.js';
import { uninstallRelease } from './uninstall.js';
import { rewriteReleaseApis } from '../../upgrade/rewrite-release-apis.js';

export interface RemedyOutcome {
  /** What was done, in words. */
  message: string;
  /** Spec changes for the next attempt (e.g. force for force-replace). */
  specOverrides?: Partial<ChartSpec>;
}

/** Takes the remedy; throws when it cannot (the original failure stays the one reported). */
export async function applyRemedy<P extends ChartPayload>(ctx: PhaseContext<P>, remedy: Remedy, failure: FailureReport): Promise<RemedyOutcome> {
  switch (remedy) {
    case 'none':
      return { message: 'no remedy taken' };
    case 'retry':
      return { message: failure.class === 'helm-wait-race' ? `retrying the same action: ${failure.summary}` : 'retrying' };
    case 'unlock-retry': {
      const recovered = await recoverStuckRelease(ctx);
      return { message: recovered ? `unlocked the release (${recovered.kind.replaceAll('-', ' ')}); retrying` : 'the release was no longer locked; retrying' };
    }
    case 'recreate-retry':
      return { message: `${await recreateObjects(ctx, failure.objects)}; retrying` };
    case 'force-replace-retry':
      return { message: 'retrying with replacement of changed objects (helm --force-replace / --force)', specOverrides: { force: true } };
    case 'adopt-retry':
      return { message: `${await adoptObjects(ctx, failure.objects)}; retrying`, specOverrides: { forceConflicts: true } };
    case 'apply-crds-retry':
      return { message: `${await applyCrds(ctx)}; retrying` };
    case 'rollback':
      if (failure.helmRolledBack) return { message: 'helm already rolled the failed upgrade back (atomic); nothing more to roll back' };
      return { message: await rollbackToLastGood(ctx) };
    case 'uninstall':
      await uninstallRelease(ctx, true);
      return { message: 'uninstalled the release' };
    case 'restore-backup':
      return { message: await restoreBackupRemedy(ctx) };
    case 'rewrite-release-apis-retry':
      return { message: `${await rewriteReleaseApis(ctx)}; retrying` };
  }
}
