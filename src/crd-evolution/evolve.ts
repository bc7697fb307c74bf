// The CRD upgrade as apply runs it, around the plain server-side apply of the new CRDs: assess every
// CRD that exists (assess.ts), refuse before changing anything when evolutionRefusals says so, migrate
// the stored objects of those that need it (migrate.ts), and hand back the CRDs to apply. Plan runs
// assessCrds and evolutionRefusals too, so both decide alike.
import type { KubeClient, KubeObject } from '../kube/types.js';
import { assessCrdEvolution, evolutionRefusals, type CrdEvolution } from './assess.js';
import { describeFinding } from './errors.js';
import { crdRef } from './crd-shape.js';
import { migrateStorage, type ApplyCrds } from './migrate.js';

/** The assessment of each CRD about to be applied (undefined for one that does not exist yet). Reads only. */
export async function assessCrds(kube: KubeClient, crds: readonly KubeObject[]): Promise<(CrdEvolution | undefined)[]> {
  const out: (CrdEvolution | undefined)[] = [];
  for (const crd of crds) out.push(await assessCrdEvolution(kube, await kube.getObject(crdRef(crd.metadata.name)), crd));
  return out;
}

export interface EvolveOptions {
  allowInvalid: boolean;
  log: (message: string, level?: 'info' | 'warn') => void;
  applyCrds: ApplyCrds;
  signal?: AbortSignal | undefined;
  /** See MigrateOptions.settleMs. */
  settleMs?: number;
}

/**
 * Before the new CRDs are applied: refuses (throwing the first refusal, nothing changed) or migrates
 * what must be migrated. Returns the assessments, for the caller's log and payload.
 */
export async function evolveCrds(kube: KubeClient, crds: readonly KubeObject[], options: EvolveOptions): Promise<(CrdEvolution | undefined)[]> {
  const evolutions = await assessCrds(kube, crds);
  const [refusal] = evolutionRefusals(evolutions, options.allowInvalid);
  if (refusal) throw refusal;
  for (const evolution of evolutions) {
    if (!evolution) continue;
    const { compatibility } = evolution;
    for (const finding of compatibility.findings) options.log(`crds.allowInvalid: upgrading anyway: ${describeFinding(evolution.crd, finding)}`, 'warn');
    if (compatibility.notChecked) options.log(`CRD ${evolution.crd}: existing objects not checked: ${compatibility.notChecked}`, 'warn');
    for (const rule of compatibility.unchecked) options.log(`CRD ${evolution.crd}: rule not checked at ${rule.path || '(root)'}: ${rule.rule} (${rule.reason})`);
  }
  for (const [i, evolution] of evolutions.entries()) {
    if (!evolution?.migration) continue;
    // Read again: a resumed run must start from what the cluster holds now.
    const live = await kube.getObject(crdRef(evolution.crd));
    if (!live) continue;
    options.log(`CRD ${evolution.crd}: ${evolution.migration.description}`);
    await migrateStorage(kube, live, crds[i]!, evolution.migration, { log: (m) => options.log(m), applyCrds: options.applyCrds, signal: options.signal, ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}) });
  }
  return evolutions;
}
