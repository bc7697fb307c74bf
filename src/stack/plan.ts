// `helmcycle plan`: what apply (or destroy) would do to each chart, and why, with a manifest diff for
// upgrades and the failures apply would run into (pre-flight). It only reads: helm status/history/
// manifest, `helm template`, and server-side dry runs.
import { isHelmcycleError, PhaseError } from '../errors.js';
import type { HelmClient, ReleaseInfo } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { computeReleaseDigest } from '../lifecycle/digest.js';
import { breakingReinstallReason } from '../lifecycle/phases/exec.js';
import { planReleaseRecovery } from '../lifecycle/recovery.js';
import { deployedWithDigest } from '../lifecycle/release-labels.js';
import { chartSource, releaseRef, templateRequest, upgradeRequest } from '../lifecycle/requests.js';
import { chartSpecOf } from './chart-spec-of.js';
import type { ChartSpec } from '../config/chart-spec.js';
import { preflightChart, type KindRef, type Prediction } from '../failures/preflight.js';
import { diffManifests, type ResourceChange } from './manifest-diff.js';
import { scrubError } from '../secrets/scrub-error.js';
import { maskerForSpec } from '../secrets/sensitive.js';
import { probeNamespace } from '../kube/namespace.js';
import type { StackCommand } from './events.js';
import { definitionFor } from './run-stack.js';
import type { ResolvedChart } from './types.js';

export type PlanAction = 'install' | 'upgrade' | 'reinstall' | 'skip' | 'recover' | 'delete' | 'none';

export interface ChartPlan {
  chart: string;
  namespace: string;
  action: PlanAction;
  reason: string;
  installed: { revision: number; status: string; chartVersion: string } | undefined;
  targetVersion: string | undefined;
  /** The recovery apply runs first, when the release is stuck. */
  recovery: string | undefined;
  changes: ResourceChange[];
  /** Failures apply would run into, each with the remedy it would take (pre-flight). */
  predictions: Prediction[];
  /** group/Kind of the CRDs this chart ships; kinds it deploys that the cluster does not serve yet. */
  providedCrds: string[];
  unservedKinds: KindRef[];
}

export interface PlanOptions {
  helm: HelmClient;
  kube: KubeClient;
  command: Extract<StackCommand, 'apply' | 'destroy'>;
  forceUpgrade?: boolean;
  signal?: AbortSignal;
}

function installedOf(release: ReleaseInfo | undefined): ChartPlan['installed'] {
  return release ? { revision: release.revision, status: release.status, chartVersion: release.chartVersion } : undefined;
}

/**
 * The manifest changes apply would make. Upgrades render with a server-side dry run (lookups and
 * admission as the real upgrade sees them); a locked release refuses a dry run, so a release being
 * recovered, like one not installed, is rendered locally with `helm template`.
 */
async function renderedChanges(spec: ChartSpec, present: ReleaseInfo | undefined, options: PlanOptions): Promise<{ changes: ResourceChange[]; rendered: string }> {
  const call = { signal: options.signal };
  const current = present ? await options.helm.getManifest(releaseRef(spec), call) : '';
  const locked = present?.status.startsWith('pending-') ?? false;
  const rendered =
    present && !locked
      ? (await options.helm.dryRun(upgradeRequest(spec, { createNamespace: false }), call)).manifest
      : await options.helm.template(templateRequest(spec), call);
  return { changes: diffManifests(current, rendered, spec.namespace, { masker: maskerForSpec(spec) }), rendered };
}

/** The plan of a deploy that changes something: its manifest diff and the pre-flight of what it renders. */
async function changingPlan(spec: ChartSpec, found: ReleaseInfo | undefined, diffFrom: ReleaseInfo | undefined, reinstall: boolean, options: PlanOptions) {
  const { changes, rendered } = await renderedChanges(spec, diffFrom, options);
  const namespaceExists = (await probeNamespace(options.kube, spec.namespace)) !== 'missing';
  const preflight = await preflightChart(options.kube, { spec, rendered, release: found, reinstall, namespaceExists });
  return { changes, ...preflight };
}

/** Plans one chart; any failure names the chart. The plan and the error hold no sensitive value. */
export async function planChart(chart: ResolvedChart, options: PlanOptions): Promise<ChartPlan> {
  const masker = maskerForSpec(chart.definition);
  try {
    return masker.maskDeep(await planChartUnchecked(chart, options));
  } catch (error) {
    if (isHelmcycleError(error) && error.chart) throw scrubError(error, masker);
    throw scrubError(new PhaseError(chart.name, 'plan', error), masker);
  }
}

async function planChartUnchecked(chart: ResolvedChart, options: PlanOptions): Promise<ChartPlan> {
  const spec = chartSpecOf(definitionFor(chart, options.command, options.forceUpgrade ?? false), chart.file);
  const call = { signal: options.signal };
  const found = await options.helm.status(releaseRef(spec), call);
  const present = found && found.status !== 'uninstalled' ? found : undefined;
  const base = {
    chart: spec.name, namespace: spec.namespace, installed: installedOf(present), recovery: undefined,
    changes: [] as ResourceChange[], predictions: [] as Prediction[], providedCrds: [] as string[], unservedKinds: [] as KindRef[],
  };

  if (spec.action === 'destroy') {
    if (!present) return { ...base, action: 'none', reason: 'not installed; nothing to delete', targetVersion: undefined };
    const current = await options.helm.getManifest(releaseRef(spec), call);
    return { ...base, action: 'delete', reason: `uninstall revision ${present.revision} (chart ${present.chartVersion})`, targetVersion: undefined, changes: diffManifests(current, '', spec.namespace, { masker: maskerForSpec(spec) }) };
  }

  const target = await options.helm.showChart(chartSource(spec), call);
  const withTarget = { ...base, targetVersion: target.version };
  const plan = await planReleaseRecovery(options.helm, present, call);
  if (plan.kind !== 'none') {
    const recovery = plan.kind === 'rollback' ? `${plan.reason}: roll back to revision ${plan.to}` : `${plan.reason}: uninstall it`;
    // After an uninstall there is nothing to upgrade: apply installs anew.
    const next = plan.kind === 'rollback' ? present : undefined;
    return { ...withTarget, action: 'recover', reason: `${recovery}, then ${next ? 'upgrade' : 'install'} to ${target.version}`, recovery, ...(await changingPlan(spec, present, next, false, options)) };
  }

  const reinstall = breakingReinstallReason(present, spec.lastBreakingVersionRequiringRestart, target.version);
  if (reinstall) {
    return { ...withTarget, action: 'reinstall', reason: `${reinstall}: uninstall, then install ${target.version}`, ...(await changingPlan(spec, present, undefined, true, options)) };
  }
  if (!present) return { ...withTarget, action: 'install', reason: `not installed: install ${target.version}`, ...(await changingPlan(spec, undefined, undefined, false, options)) };
  if (spec.skipIfAlreadyInstalled && present.status === 'deployed') {
    return { ...withTarget, action: 'skip', reason: `skipIfAlreadyInstalled, and revision ${present.revision} is deployed` };
  }
  if (spec.skipUnchanged && (await deployedWithDigest(options.kube, present, await computeReleaseDigest(spec, target.version)))) {
    return { ...withTarget, action: 'skip', reason: `nothing changed since revision ${present.revision}` };
  }
  const planned = await changingPlan(spec, present, present, false, options);
  const { changes } = planned;
  const versions = present.chartVersion === target.version ? `chart ${target.version}` : `chart ${present.chartVersion} → ${target.version}`;
  const what = changes.length ? `${changes.length} resource(s) change` : 'values or spec changed, manifests render the same';
  return { ...withTarget, action: 'upgrade', reason: `${versions}: ${what}`, ...planned };
}
