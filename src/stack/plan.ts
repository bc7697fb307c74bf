// `helmcycle plan`: what apply (or destroy) would do to each chart, and why, with a manifest diff for
// upgrades and the failures apply would run into (pre-flight). It only reads: helm status/history/
// manifest, `helm template`, and server-side dry runs.
import { isHelmcycleError, PhaseError } from '../errors.js';
import type { ReleaseInfo } from '../helm/types.js';
import { postRendererFor, type ManifestTransform } from '../lifecycle/transform.js';
import { describeChanges, explainDecision, type DeployAction } from '../lifecycle/decide.js';
import type { DeployedRevision } from '../lifecycle/release-state.js';
import { releaseRef, templateRequest, upgradeRequest } from '../lifecycle/requests.js';
import { decideChart, type PlanAction, type PlanOptions } from './plan-decision.js';
import type { ChartSpec } from '../config/chart-spec.js';
import { preflightChart, type KindRef, type Prediction } from '../failures/preflight.js';
import { diffManifests, type ResourceChange } from './manifest-diff.js';
import type { ResourceDrift } from '../drift/detect.js';
import { withCrdPlan } from './plan-crds.js';
import { leaseHolder } from '../lease/lease-view.js';
import { scrubError } from '../secrets/scrub-error.js';
import { maskerForSpec } from '../secrets/sensitive.js';
import type { Masker } from '../secrets/masker.js';
import { probeNamespace } from '../kube/namespace.js';
import type { ResolvedChart } from './types.js';
import type { ApiFinding } from '../upgrade/api-check.js';
import type { CrdEvolution } from '../crd-evolution/assess.js';
import { dryRunOrTemplate, planApis } from '../upgrade/plan-apis.js';
import { planValues } from './plan-values.js';
import type { ValueFinding } from './values-check.js';

export type { PlanAction, PlanOptions };

export interface ChartPlan {
  chart: string;
  namespace: string;
  action: PlanAction;
  reason: string;
  installed: { revision: number; status: string; chartVersion: string } | undefined;
  targetVersion: string | undefined;
  /** The recovery apply runs first, when the release is stuck. */
  recovery: string | undefined;
  /** The deploy action decided (decide.ts), after any recovery; exec's outcome is its past tense. Undefined on destroy. */
  deploy?: DeployAction | undefined;
  /** Objects in a backup an interrupted reinstall left, which apply restores; undefined when there is none. */
  restore?: string[] | undefined;
  changes: ResourceChange[];
  /** Failures apply would run into, each with the remedy it would take (pre-flight). */
  predictions: Prediction[];
  /** group/Kind of the CRDs this chart ships; kinds it deploys that the cluster does not serve yet. */
  providedCrds: string[];
  unservedKinds: KindRef[];
  /** The run that holds the release's lease now, if any: apply waits for it (see "Two runs at once"). */
  heldBy?: string | undefined;
  /** Declared fields whose live value differs from the deployed revision's manifest (drift/); empty when none or not read. */
  drift?: ResourceDrift[] | undefined;
  /**
   * What the CRD upgrade (crds.upgrade) means for existing custom resources: findings against the new
   * schemas, rules not checked, storage migrations (crd-evolution/); absent when there is nothing to say.
   */
  crdEvolution?: CrdEvolution[] | undefined;
  /** Objects whose API is removed or deprecated at the version checked (src/upgrade/); absent when none. */
  apiFindings?: ApiFinding[] | undefined;
  /** A release of the stack's inventory that the stack no longer declares (plan-prune.ts): prune's, not a chart's. */
  prune?: true | undefined;
  /** Values set that the chart does not read: unused, not allowed by its schema, or gone in the target version (src/values/); absent when none. */
  valueFindings?: ValueFinding[] | undefined;
  /** Why the values of a chart apply would deploy were not checked; absent when they were. */
  valuesNotChecked?: string | undefined;
}

function installedOf(release: ReleaseInfo | undefined): ChartPlan['installed'] {
  return release ? { revision: release.revision, status: release.status, chartVersion: release.chartVersion } : undefined;
}

/**
 * The manifest changes apply would make, measured against what is deployed (`baseline`: the last good
 * revision, never a failed or pending one; none when nothing runs). Upgrades render with a server-side
 * dry run (lookups and admission as the real upgrade sees them); a locked release refuses a dry run, so
 * a release being recovered, like one with nothing deployed, is rendered locally with `helm template`.
 */
async function renderedChanges(spec: ChartSpec, transform: ManifestTransform | undefined, found: ReleaseInfo | undefined, baseline: DeployedRevision | undefined, options: PlanOptions): Promise<{ changes: ResourceChange[]; rendered: string }> {
  const call = { signal: options.signal };
  const current = baseline ? await options.helm.getManifest({ ...releaseRef(spec), revision: baseline.revision }, call) : '';
  const locked = found?.status.startsWith('pending-') ?? false;
  // Rendered through the chart's transform, as apply renders it: the diff shows what apply would send.
  const postRender = postRendererFor(spec, transform);
  const template = () => options.helm.template({ ...templateRequest(spec), postRender }, call);
  const rendered =
    baseline && !locked
      ? await dryRunOrTemplate(async () => (await options.helm.dryRun({ ...upgradeRequest(spec, { createNamespace: false }), postRender }, call)).manifest, template, spec.crds?.upgrade === true)
      : await template();
  return { changes: diffManifests(current, rendered, spec.namespace, { masker: options.masker ?? maskerForSpec(spec) }), rendered };
}

/** The plan of a deploy that changes something: its manifest diff and the pre-flight of what it renders. */
async function changingPlan(spec: ChartSpec, transform: ManifestTransform | undefined, found: ReleaseInfo | undefined, baseline: DeployedRevision | undefined, reinstall: boolean, options: PlanOptions) {
  const { changes, rendered } = await renderedChanges(spec, transform, found, baseline, options);
  const namespaceExists = (await probeNamespace(options.kube, spec.namespace)) !== 'missing';
  const preflight = await preflightChart(options.kube, { spec, rendered, release: found, reinstall, namespaceExists });
  return { changes, ...preflight, rendered };
}

/** Plans one chart; any failure names the chart. The plan and the error hold no sensitive value. */
export async function planChart(chart: ResolvedChart, options: PlanOptions): Promise<ChartPlan> {
  const masker = options.masker ?? maskerForSpec(chart.definition);
  try {
    // The CRDs of `crds` (applied before a deploy, deleted after a destroy) are planned apart: plan-crds.ts.
    const plan = await withCrdPlan(await planChartUnchecked(chart, options), chart, options);
    const heldBy = await leaseHolder(options.kube, plan.chart, plan.namespace);
    return masker.maskDeep(heldBy ? { ...plan, heldBy } : plan);
  } catch (error) {
    if (isHelmcycleError(error) && error.chart) throw scrubError(error, masker);
    throw scrubError(new PhaseError(chart.name, 'plan', error), masker);
  }
}

async function planChartUnchecked(chart: ResolvedChart, options: PlanOptions): Promise<ChartPlan> {
  const decided = await decideChart(chart, options);
  const { spec, found, definition } = decided;
  const present = found && found.status !== 'uninstalled' ? found : undefined;
  const base = {
    chart: spec.name, namespace: spec.namespace, installed: installedOf(present), recovery: decided.recovery, targetVersion: decided.targetVersion, action: decided.action,
    changes: [] as ResourceChange[], drift: decided.drift, predictions: [] as Prediction[], providedCrds: [] as string[], unservedKinds: [] as KindRef[],
  };
  if (!decided.decided) {
    if (decided.action === 'none') return { ...base, reason: decided.destroyReason! };
    const current = await options.helm.getManifest(releaseRef(spec), { signal: options.signal });
    return { ...base, reason: decided.destroyReason!, changes: diffManifests(current, '', spec.namespace, { masker: options.masker ?? maskerForSpec(spec) }) };
  }
  const { decision, facts } = decided.decided;
  const deployPlan = { ...base, deploy: decision.action, restore: facts.pendingBackup ? [...facts.pendingBackup] : undefined };
  const withApis = async <T extends ChartPlan>(plan: T, rendered?: string): Promise<T> => {
    const apis = await planApis({ spec, helm: options.helm, kube: options.kube, found: present, rendered, upgrades: plan.action === 'upgrade' || plan.action === 'recover', settings: options.apiCheck, options: { signal: options.signal } });
    return { ...plan, predictions: [...plan.predictions, ...apis.predictions], ...(apis.apiFindings.length ? { apiFindings: apis.apiFindings } : {}) };
  };
  if (decision.action === 'skip' || decision.action === 'unchanged' || decision.action === 'restore') return withApis({ ...deployPlan, reason: explainDecision(decision) });

  const reinstall = decision.action === 'reinstall';
  const { rendered, ...planned } = await changingPlan(spec, definition.transform, found, decision.baseline, reinstall, options);
  // An upgrade's reason ends with what its diff against the deployed revision found (a drift repair's says what drifted).
  const reason = explainDecision(decision, decision.action === 'upgrade' && !decided.recovery && !decision.repairsDrift ? describeChanges(planned.changes.length) : undefined);
  // Only here, for a chart apply would deploy: an unchanged chart is never pulled or rendered for its values.
  const values = await planValues({ spec, helm: options.helm, kube: options.kube, installedVersion: present?.chartVersion, targetVersion: decided.targetVersion, options: { signal: options.signal } }, options.strictValues ?? false);
  return withApis({ ...deployPlan, reason, ...planned, predictions: [...planned.predictions, ...values.predictions], ...(values.findings.length ? { valueFindings: values.findings } : {}), ...(values.notChecked ? { valuesNotChecked: values.notChecked } : {}) }, rendered);
}
