// The one decision plan and apply share about a CRD upgrade: read the live CRD's objects (reads only),
// check them against the new CRD, and work out whether a storage migration is needed and may run.
// `evolutionRefusals` turns the assessment into the errors apply raises and plan predicts. Pure but
// for assessCrdEvolution's reads.
import type { KubeClient, KubeObject } from '../kube/types.js';
import { checkCompatibility, readChoice, type CompatibilityReport } from './compatibility.js';
import { apiVersionOf, specOf, storageVersion } from './crd-shape.js';
import { bridgeProblem, describeMigration, migrationNeed, type MigrationNeed } from './migration-plan.js';
import { webhookNotReady } from './webhook.js';

export interface MigrationAssessment extends MigrationNeed {
  /** How many objects will be written back. */
  objects: number;
  /** "migrate N objects of X from v1beta1 to v1". */
  description: string;
  /** Why it cannot run now, when so. */
  blocked?: string;
}

export interface CrdEvolution {
  crd: string;
  compatibility: CompatibilityReport;
  migration?: MigrationAssessment;
}

/**
 * What upgrading the live CRD to `next` means for its objects; undefined for a CRD that does not exist
 * yet (no object can break). Reads only.
 */
export async function assessCrdEvolution(kube: KubeClient, live: KubeObject | undefined, next: KubeObject): Promise<CrdEvolution | undefined> {
  if (!live) return undefined;
  const kind = specOf(live).names.kind;
  const choice = readChoice(live, next);
  const list = (version: string) => kube.listObjects(apiVersionOf(live, version), kind);
  const objects = 'read' in choice ? await list(choice.read) : [];
  const compatibility = checkCompatibility(next, choice, objects);
  const need = migrationNeed(live, next);
  if (!need) return { crd: next.metadata.name, compatibility };
  const liveStorage = storageVersion(live)?.name;
  const count = 'read' in choice ? objects.length : liveStorage ? (await list(liveStorage)).length : 0;
  const blocked = bridgeProblem(live, need) ?? (await webhookNotReady(kube, next));
  return { crd: next.metadata.name, compatibility, migration: { ...need, objects: count, description: describeMigration(need, count), ...(blocked ? { blocked } : {}) } };
}

export { evolutionRefusals } from './refusals.js';
