// The refusals of a CRD upgrade, each its own failure class (failures/classify.ts): existing custom
// resources that would no longer validate (crd-invalid-resources, unless crds.allowInvalid), and a
// storage migration that cannot run now (crd-migration-blocked). Both are raised before anything
// changed, and plan predicts them from the same decision (assess.ts).
import { HelmcycleError } from '../errors.js';
import type { ResourceFinding } from './compatibility.js';

/** How many findings an error message names; the error keeps them all. */
const SHOWN = 5;

export function describeFinding(crd: string, f: ResourceFinding): string {
  return `${crd} ${f.object}: ${f.path || '(root)'}: ${f.message} [${f.rule}]`;
}

export class CrdInvalidResourcesError extends HelmcycleError {
  readonly crd: string;
  readonly findings: readonly ResourceFinding[];
  constructor(crd: string, version: string, findings: readonly ResourceFinding[]) {
    const shown = findings.slice(0, SHOWN).map((f) => describeFinding(crd, f)).join('; ');
    const more = findings.length > SHOWN ? `; and ${findings.length - SHOWN} more` : '';
    super('CRD_INVALID_RESOURCES', `refusing to upgrade CRD ${crd}: ${findings.length} finding(s) in existing custom resources against version ${version} of the new CRD: ${shown}${more}`, {
      hint: 'fix those custom resources (plan lists every finding), or set crds.allowInvalid to upgrade the CRD anyway',
    });
    this.crd = crd;
    this.findings = findings;
  }
}

export class CrdMigrationBlockedError extends HelmcycleError {
  readonly crd: string;
  constructor(crd: string, why: string) {
    super('CRD_MIGRATION_BLOCKED', `cannot migrate the stored objects of CRD ${crd}: ${why}`, {
      hint: 'make the conversion webhook ready (its Deployment and Service), then run again; nothing was changed',
    });
    this.crd = crd;
  }
}
