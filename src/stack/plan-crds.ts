// The CRD part of a plan, for charts with `crds`. Deploy (crds.upgrade): what helmcycle's server-side
// apply of the release's CRDs would change, each CRD diffed against a dry run of that apply. Destroy
// (crds.deleteOnDestroy): the CRDs that would be deleted, and the refusal the in-use guard would make.
// Only reads and dry runs, as the rest of plan.
import { stringify } from 'yaml';
import { isForbidden } from '../errors.js';
import type { ChartSpec } from '../config/chart-spec.js';
import type { KubeClient, KubeObject } from '../kube/types.js';
import { classifyFailure, type FailureReport } from '../failures/classify.js';
import { predict, type Prediction } from '../failures/preflight.js';
import type { CrdEvolution } from '../crd-evolution/assess.js';
import { evolutionRefusals } from '../crd-evolution/refusals.js';
import { crdsToDelete, ownedByRelease, planCrdApply, specCrds } from '../lifecycle/declared-crds.js';
import { CrdInUseError, crdsInUse, FIELD_MANAGER } from '../toolkit/crds.js';
import { crdRef } from '../toolkit/release-crds.js';
import { runSpecOf } from './chart-spec-of.js';
import { diffManifests, type ResourceChange } from './manifest-diff.js';
import type { ChartPlan, PlanOptions } from './plan.js';
import type { ResolvedChart } from './types.js';

const CRD_PREFIX = 'CustomResourceDefinition/';

/** What of a CRD a change is about: its labels, annotations and spec (no status, no bookkeeping). Pure. */
export function comparableCrd(crd: KubeObject): KubeObject {
  const { labels, annotations } = crd.metadata;
  return {
    apiVersion: crd.apiVersion,
    kind: crd.kind,
    metadata: { name: crd.metadata.name, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    ...(crd.spec ? { spec: crd.spec } : {}),
  };
}

/** The change from the live CRD (or none) to what an apply would make of it; undefined when none. Pure. */
export function crdChange(live: KubeObject | undefined, applied: KubeObject): ResourceChange | undefined {
  const before = live ? stringify(comparableCrd(live)) : '';
  return diffManifests(before, stringify(comparableCrd(applied)), '')[0];
}

/** The plan's changes with those of the named CRDs replaced by `crdChanges`. Pure. */
export function replaceCrdChanges(changes: readonly ResourceChange[], names: ReadonlySet<string>, crdChanges: readonly ResourceChange[]): ResourceChange[] {
  const kept = changes.filter((c) => !(c.resource.startsWith(CRD_PREFIX) && names.has(c.resource.slice(CRD_PREFIX.length))));
  return [...kept, ...crdChanges];
}

function countsOf(changes: readonly ResourceChange[]): string {
  const added = changes.filter((c) => c.change === 'added').length;
  const changed = changes.filter((c) => c.change === 'changed').length;
  return [added ? `${added} added` : '', changed ? `${changed} changed` : ''].filter(Boolean).join(', ');
}

function rbacPrediction(spec: ChartSpec, error: unknown, what: string): Prediction {
  const report = classifyFailure(error);
  return predict(spec, report, `${what}: ${report.summary}`);
}

/** The predictions of the CRD upgrade's refusals: the same decision apply makes (evolutionRefusals). Pure. */
export function evolutionPredictions(spec: ChartSpec, evolutions: readonly (CrdEvolution | undefined)[]): Prediction[] {
  return evolutionRefusals(evolutions, spec.crds?.allowInvalid ?? false).map((error) => {
    const report = classifyFailure(error);
    return predict(spec, report, error.message);
  });
}

/** The assessments worth showing: a CRD with objects that break, a migration, or rules not checked. Pure. */
export function shownEvolutions(evolutions: readonly (CrdEvolution | undefined)[]): CrdEvolution[] {
  return evolutions.filter((e): e is CrdEvolution => !!e && (e.compatibility.findings.length > 0 || !!e.migration || e.compatibility.unchecked.length > 0 || !!e.compatibility.notChecked));
}

async function deployCrdPlan(plan: ChartPlan, spec: ChartSpec, options: PlanOptions): Promise<ChartPlan> {
  let applied: KubeObject[];
  let evolutions: (CrdEvolution | undefined)[];
  const crdChanges: ResourceChange[] = [];
  try {
    const { apply } = await planCrdApply(options.kube, spec, await specCrds(options.helm, spec, options.signal));
    applied = apply.map((entry) => entry.crd);
    // Loaded here, not with plan: the schema and CEL checkers (ajv, CEL) cost every run ~60-90 ms to load.
    const { assessCrds } = await import('../crd-evolution/evolve.js');
    evolutions = await assessCrds(options.kube, applied);
    for (const [i, crd] of applied.entries()) {
      const live = await options.kube.getObject(crdRef(crd.metadata.name));
      // The API server refuses a CRD that drops a stored version until the migration ran: no dry run then.
      const dryRun = live && !evolutions[i]?.migration;
      const after = dryRun ? await options.kube.applyObject(crd, { fieldManager: FIELD_MANAGER, force: true, dryRun: true }) : crd;
      const change = crdChange(live, after);
      if (change) crdChanges.push(change);
    }
  } catch (error) {
    if (!isForbidden(error)) throw error;
    return { ...plan, predictions: [...plan.predictions, rbacPrediction(spec, error, 'applying the CRDs (crds.upgrade)')] };
  }
  const names = new Set(applied.map((crd) => crd.metadata.name));
  const migrations = evolutions.flatMap((e) => (e?.migration ? [e.migration.description] : []));
  const steps = [crdChanges.length ? `CRDs first (crds.upgrade): ${countsOf(crdChanges)}` : '', ...migrations].filter(Boolean);
  const reason = steps.length ? `${plan.reason}; ${steps.join('; ')}` : plan.reason;
  const shown = shownEvolutions(evolutions);
  return {
    ...plan,
    reason,
    changes: replaceCrdChanges(plan.changes, names, crdChanges),
    predictions: [...plan.predictions, ...evolutionPredictions(spec, evolutions)],
    ...(shown.length ? { crdEvolution: shown } : {}),
  };
}

/** The prediction for a guard that would refuse the destroy. */
export function crdInUsePrediction(spec: ChartSpec, error: CrdInUseError): Prediction {
  const report: FailureReport = { class: 'crd-in-use', summary: error.message, objects: error.inUse.map((c) => ({ kind: 'CustomResourceDefinition', name: c.name })) };
  const prediction = predict(spec, report, `destroy refuses before uninstalling anything: ${error.message}`);
  return { ...prediction, remedyReason: `${prediction.remedyReason}; delete those custom resources first, or set crds.forceDelete` };
}

async function destroyCrdPlan(plan: ChartPlan, spec: ChartSpec, options: PlanOptions): Promise<ChartPlan> {
  let live: KubeObject[];
  const predictions: Prediction[] = [];
  try {
    const names = await crdsToDelete(options.helm, options.kube, spec, plan.installed !== undefined, options.signal);
    live = (await Promise.all(names.map((name) => options.kube.getObject(crdRef(name))))).filter((crd): crd is KubeObject => crd !== undefined);
    if (!spec.crds?.forceDelete) {
      const inUse = await crdsInUse(options.kube, live, ownedByRelease(spec));
      if (inUse.length) predictions.push(crdInUsePrediction(spec, new CrdInUseError(inUse)));
    }
  } catch (error) {
    if (!isForbidden(error)) throw error;
    return { ...plan, predictions: [...plan.predictions, rbacPrediction(spec, error, 'reading the CRDs to delete (crds.deleteOnDestroy)')] };
  }
  if (live.length === 0) return { ...plan, predictions: [...plan.predictions, ...predictions] };
  const removed = live.flatMap((crd) => diffManifests(stringify(comparableCrd(crd)), '', ''));
  const names = live.map((crd) => crd.metadata.name);
  const what = `delete CRDs ${names.join(', ')} (crds.deleteOnDestroy)`;
  return {
    ...plan,
    action: 'delete',
    reason: plan.action === 'none' ? `not installed; ${what}` : `${plan.reason}, then ${what}`,
    changes: replaceCrdChanges(plan.changes, new Set(names), removed),
    predictions: [...plan.predictions, ...predictions],
  };
}

/** The plan with the CRD changes and predictions of the chart's `crds` option added. */
export async function withCrdPlan(plan: ChartPlan, chart: ResolvedChart, options: PlanOptions): Promise<ChartPlan> {
  const spec = runSpecOf(chart, options);
  if (!spec.crds) return plan;
  if (spec.action === 'destroy') return spec.crds.deleteOnDestroy ? destroyCrdPlan(plan, spec, options) : plan;
  return spec.crds.upgrade ? deployCrdPlan(plan, spec, options) : plan;
}
