// What the spec's `crds` option asks, for the default phases and the apply-crds-retry remedy: find
// every CRD the release brings (crds/ of the chart and of its enabled subcharts, CRD templates, and
// crds.path), apply them server-side before the deploy, and on destroy refuse while custom resources
// of theirs exist, then delete exactly those. Each step logs what it did, in words.
import type { ChartSpec } from '../config/chart-spec.js';
import type { HelmClient, ReleaseInfo } from '../helm/types.js';
import type { KubeClient, KubeObject } from '../kube/types.js';
import { applyCrds, assertCrdsDeletable, deleteCrds } from '../toolkit/crds.js';
import { isOwnedBy, releaseOwnerOf } from '../toolkit/ownership.js';
import { crdRef, crdsOfRendered, decideCrdApply, mergeReleaseCrds, readReleaseCrds, type ReleaseCrd } from '../toolkit/release-crds.js';
import { releaseRef, templateRequest } from './requests.js';
import type { ChartPayload, PhaseContext } from './types.js';

function owner(spec: ChartSpec) {
  return { release: spec.name, namespace: spec.namespace };
}

/** The CRDs a release of this spec brings: rendered with its values, plus crds.path. */
export function specCrds(helm: HelmClient, spec: ChartSpec, signal?: AbortSignal): Promise<ReleaseCrd[]> {
  return readReleaseCrds(helm, templateRequest(spec), { path: spec.crds?.path, signal });
}

/** Whether the spec takes the named CRD over (takeOwnership, or the CRD is listed in `adopt`). Pure. */
export function takesOverCrd(spec: ChartSpec, name: string): boolean {
  return spec.takeOwnership || spec.adopt.some((ref) => ref.kind === 'CustomResourceDefinition' && ref.name === name);
}

export interface CrdApplyPlan {
  /** The CRDs to apply, as they will be sent (template CRDs with the release's ownership metadata). */
  apply: ReleaseCrd[];
  /** The CRDs left alone, and why. */
  skipped: { name: string; reason: string }[];
}

/** What applying the CRDs would do, from the live CRDs; reads only. */
export async function planCrdApply(kube: KubeClient, spec: ChartSpec, crds: readonly ReleaseCrd[]): Promise<CrdApplyPlan> {
  const plan: CrdApplyPlan = { apply: [], skipped: [] };
  for (const entry of crds) {
    const name = entry.crd.metadata.name;
    const live = await kube.getObject(crdRef(name));
    const decision = decideCrdApply(entry, live, { owner: owner(spec), mayTakeOver: takesOverCrd(spec, name) });
    if ('skip' in decision) plan.skipped.push({ name, reason: decision.skip });
    else plan.apply.push({ ...entry, crd: decision.apply });
  }
  return plan;
}

/**
 * Applies every CRD the release brings (server-side, field manager helmcycle) and waits until they are
 * served. Helm is told to skip the crds/ folders (--skip-crds, see upgradeRequest) so that its own
 * install of them never meets helmcycle's; template CRDs carry the release's ownership metadata and
 * the same fields Helm applies after, so neither Helm 3's patch nor Helm 4's apply conflicts.
 */
/** The CRDs applied, and those whose stored objects a migration rewrote first (crd-evolution/). */
export interface AppliedCrds {
  names: string[];
  migrated: string[];
}

export async function applyReleaseCrds<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<AppliedCrds> {
  const crds = await specCrds(ctx.helm, ctx.spec, ctx.signal);
  const plan = await planCrdApply(ctx.kube, ctx.spec, crds);
  for (const skipped of plan.skipped) ctx.log(`not applying: ${skipped.reason}`, 'warn');
  const toApply = plan.apply.map((entry) => entry.crd);
  const timeoutMs = ctx.spec.timeoutSeconds * 1_000;
  // Existing custom resources against the new schemas, and stored versions the new CRDs drop (crd-evolution/).
  // Loaded here, not with every run: the schema and CEL checkers (ajv, CEL) cost ~60-90 ms to load.
  const { evolveCrds } = await import('../crd-evolution/evolve.js');
  const evolutions = await evolveCrds(ctx.kube, toApply, {
    allowInvalid: ctx.spec.crds?.allowInvalid ?? false,
    log: (m, level) => ctx.log(m, level),
    applyCrds: (crds) => applyCrds(ctx.kube, crds, { timeoutMs, signal: ctx.signal }),
    signal: ctx.signal,
  });
  const names = await applyCrds(ctx.kube, toApply, { timeoutMs, signal: ctx.signal });
  if (names.length > 0) {
    const where = [...new Set(plan.apply.map((entry) => entry.file))].join(', ');
    ctx.log(`applied and established CRDs: ${names.join(', ')} (from ${where})`);
  } else if (plan.skipped.length === 0) {
    ctx.log('the chart has no CRDs to apply');
  }
  const migrated = evolutions.flatMap((evolution) => (evolution?.migration ? [evolution.crd] : []));
  return { names, migrated };
}

export async function applyDeclaredCrds<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<AppliedCrds> {
  if (!ctx.spec.crds?.upgrade) return { names: [], migrated: [] };
  return applyReleaseCrds(ctx);
}

/**
 * The CRDs a destroy deletes: those the chart brings with the spec's values, and the CRD templates of
 * the installed release's manifest (deployed perhaps with other values), less any CRD that belongs to
 * another release.
 */
export async function crdsToDelete(helm: HelmClient, kube: KubeClient, spec: ChartSpec, installed: boolean, signal?: AbortSignal): Promise<string[]> {
  const deployed = installed ? crdsOfRendered(await helm.getManifest(releaseRef(spec), { signal })) : [];
  const names: string[] = [];
  for (const { crd } of mergeReleaseCrds(deployed, await specCrds(helm, spec, signal))) {
    const live = await kube.getObject(crdRef(crd.metadata.name));
    const liveOwner = live ? releaseOwnerOf(live) : undefined;
    if (live && liveOwner && !isOwnedBy(live, owner(spec))) continue;
    names.push(crd.metadata.name);
  }
  return names;
}

/** Custom resources the release's uninstall removes do not count as in use. */
export function ownedByRelease(spec: ChartSpec): (object: KubeObject) => boolean {
  return (object) => isOwnedBy(object, owner(spec));
}

/**
 * Before a destroy: the CRDs it will delete, refusing (CrdInUseError, nothing changed yet) while any
 * has custom resources other than the release's own. Empty without crds.deleteOnDestroy.
 */
export async function checkDeclaredCrdsDeletable<P extends ChartPayload>(ctx: PhaseContext<P>, release: ReleaseInfo | undefined): Promise<string[]> {
  if (!ctx.spec.crds?.deleteOnDestroy) return [];
  const names = await crdsToDelete(ctx.helm, ctx.kube, ctx.spec, release !== undefined && release.status !== 'uninstalled', ctx.signal);
  if (!ctx.spec.crds.forceDelete) await assertCrdsDeletable(ctx.kube, names, { exclude: ownedByRelease(ctx.spec) });
  return names;
}

/** After the uninstall: deletes the CRDs preExec checked (or, without its word, those found now). */
export async function deleteDeclaredCrds<P extends ChartPayload>(ctx: PhaseContext<P>, payload?: P): Promise<string[]> {
  if (!ctx.spec.crds?.deleteOnDestroy) return [];
  const names = payload?.preExec?.crdsToDelete ?? (await crdsToDelete(ctx.helm, ctx.kube, ctx.spec, false, ctx.signal));
  const deleted = await deleteCrds(ctx.kube, names, { force: ctx.spec.crds.forceDelete, exclude: ownedByRelease(ctx.spec), timeoutMs: ctx.spec.timeoutSeconds * 1_000, signal: ctx.signal });
  ctx.log(deleted.length > 0 ? `deleted CRDs: ${deleted.join(', ')}` : 'no CRDs of the chart were left to delete');
  return deleted;
}
