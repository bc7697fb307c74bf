// One chart's decision as plan shows it: the release observed, classified and decided (decide-release.ts,
// the path exec takes), mapped to plan's words. planChart adds the manifest diff and the pre-flight to
// it; apply FILE computes it again and holds it against the saved plan (plan-file.ts). Reads only.
import type { ChartSpec } from '../config/chart-spec.js';
import type { ResourceDrift } from '../drift/detect.js';
import type { HelmClient, ReleaseInfo } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import type { Masker } from '../secrets/masker.js';
import { decideDestroy, describeRecovery, type Decision, type DeployAction } from '../lifecycle/decide.js';
import { decideRelease } from '../lifecycle/decide-release.js';
import type { ReleaseFacts } from '../lifecycle/release-state.js';
import { chartSource, releaseRef } from '../lifecycle/requests.js';
import { chartSpecOf, runDefinitionOf, type RunSettings } from './chart-spec-of.js';
import type { ResolvedChart, StackChart } from './types.js';
import type { ApiCheckSettings } from '../upgrade/plan-apis.js';

export type PlanAction = 'install' | 'upgrade' | 'reinstall' | 'skip' | 'restore' | 'recover' | 'delete' | 'none';

/** How plan shows each decided deploy action (a recovery first shows as recover). */
const PLAN_ACTIONS: Record<DeployAction, PlanAction> = { install: 'install', upgrade: 'upgrade', reinstall: 'reinstall', skip: 'skip', unchanged: 'skip', restore: 'restore' };

/**
 * The clients and the run's settings, the stack's and the command's already folded by runSettingsOf
 * (chart-spec-of.ts), as apply folds them.
 */
export interface PlanOptions extends Partial<Pick<RunSettings, 'forceUpgrade' | 'ignoreDrift'>> {
  helm: HelmClient;
  kube: KubeClient;
  command: Extract<RunSettings['command'], 'apply' | 'destroy'>;
  signal?: AbortSignal;
  /** The run's masker, holding every chart's secrets (one chart's values can hold another's); each chart's own when absent. */
  masker?: Masker;
  /** What removed and deprecated APIs are checked against (src/upgrade/plan-apis.ts); the server's version when absent. */
  apiCheck?: ApiCheckSettings | undefined;
  /** --strict-values: values the chart does not read are a predicted failure (unused-values), not only a warning. */
  strictValues?: boolean | undefined;
}

export interface ChartDecision {
  definition: StackChart;
  spec: ChartSpec;
  /** The release as helm status found it. */
  found: ReleaseInfo | undefined;
  action: PlanAction;
  /** The deploy action decided; undefined on destroy. */
  deploy: DeployAction | undefined;
  targetVersion: string | undefined;
  /** The recovery apply runs first, in words. */
  recovery: string | undefined;
  /** The drift plan shows: of a release that runs as deployed and that apply would upgrade or leave. */
  drift: ResourceDrift[];
  /** The deploy decision and the facts it was made on; undefined on destroy. */
  decided: { decision: Decision; facts: ReleaseFacts } | undefined;
  /** The reason, without the diff summary planChart adds to an upgrade's; set on destroy. */
  destroyReason: string | undefined;
}

export async function decideChart(chart: ResolvedChart, options: PlanOptions): Promise<ChartDecision> {
  const definition = runDefinitionOf(chart, options);
  const spec = chartSpecOf(definition, chart.file);
  const call = { signal: options.signal };
  const found = await options.helm.status(releaseRef(spec), call);
  const none = { definition, spec, found, recovery: undefined, drift: [] as ResourceDrift[] };
  if (spec.action === 'destroy') {
    // The same decision exec makes (decide.ts).
    const decision = decideDestroy(found);
    return { ...none, action: decision.installed ? 'delete' : 'none', deploy: undefined, targetVersion: undefined, decided: undefined, destroyReason: decision.reason };
  }
  const target = await options.helm.showChart(chartSource(spec), call);
  // The same observation, classification and decision exec makes (decide-release.ts), drift included.
  const { facts, decision } = await decideRelease({ helm: options.helm, kube: options.kube, spec, transform: definition.transform, found, targetVersion: target.version, revealsSecret: options.masker?.reveals, options: call });
  const recovery = describeRecovery(decision.recovery);
  const shown = !recovery && decision.baseline && (decision.action === 'unchanged' || decision.action === 'upgrade');
  return {
    ...none,
    action: recovery ? 'recover' : PLAN_ACTIONS[decision.action],
    deploy: decision.action,
    targetVersion: target.version,
    recovery,
    drift: shown ? [...(facts.drift ?? [])] : [],
    decided: { decision, facts },
    destroyReason: undefined,
  };
}
