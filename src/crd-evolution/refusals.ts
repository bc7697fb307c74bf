// What apply refuses after assessing new CRDs (a blocked storage migration; existing objects the new schema
// breaks, unless allowed): plan predicts the same refusals from the same function. Its own file, light,
// so plan imports it without loading the schema and CEL checkers (ajv, CEL: loaded only by a chart that
// applies CRDs). Pure.
import type { HelmcycleError } from '../errors.js';
import type { CrdEvolution } from './assess.js';
import { CrdInvalidResourcesError, CrdMigrationBlockedError } from './errors.js';

/**
 * The errors the CRD upgrade stops at, before anything changes: a migration that cannot run, and
 * objects that would no longer validate (unless crds.allowInvalid). Empty when it may go on. Pure.
 */
export function evolutionRefusals(evolutions: readonly (CrdEvolution | undefined)[], allowInvalid: boolean): HelmcycleError[] {
  const refusals: HelmcycleError[] = [];
  for (const evolution of evolutions) {
    if (!evolution) continue;
    if (evolution.migration?.blocked) refusals.push(new CrdMigrationBlockedError(evolution.crd, evolution.migration.blocked));
    const { findings, version } = evolution.compatibility;
    if (findings.length && !allowInvalid) refusals.push(new CrdInvalidResourcesError(evolution.crd, version, findings));
  }
  return refusals;
}
