// A stack: many charts deployed together in dependency order. The same model is written in TypeScript
// (helmcycle.config.ts, with phases as functions) or in YAML (helmcycle.yaml, data only).
import type { ChartDefinition, ChartPayload } from '../lifecycle/types.js';
import type { ChartSpecInput } from '../config/chart-spec.js';
import type { FleetSettings, FleetTarget } from './fleet-targets.js';
import type { RefResolver } from '../secrets/refs/value-ref.js';

/** Chart spec fields a stack or an environment sets for every chart (a chart's own value wins). */
export type ChartDefaults = Partial<Omit<ChartSpecInput, 'name' | 'chart'>>;

/** One chart of a stack: a chart definition plus the charts it needs. */
export type StackChart<P extends ChartPayload = ChartPayload> = ChartDefinition<P> & {
  /** Names of charts that must have succeeded before this one starts (and are destroyed after it). */
  needs?: string[];
  /**
   * The environments in which this chart is part of the stack (`default`: the run without --env); in any
   * other the chart is not in the stack at all, neither deployed nor destroyed. Absent: every environment.
   */
  environments?: string[];
};

export interface StackEnvironment {
  /** Defaults for every chart in this environment, over the stack's defaults. */
  defaults?: ChartDefaults;
  /** Per-chart overrides in this environment, by chart name. */
  charts?: Record<string, Partial<ChartSpecInput>>;
}

export interface StackDefinition {
  name?: string;
  /** How many charts may run at once (the CLI's --concurrency wins). */
  concurrency?: number;
  /** apply: when a chart fails for good, put back every release the run changed (the CLI flag wins). */
  rollbackStackOnFailure?: boolean;
  /** Do not read live objects for drift (as --ignore-drift). */
  ignoreDrift?: boolean;
  /** apply: uninstall the releases the stack's inventory lists and the stack no longer declares (as --prune). */
  prune?: boolean;
  /** The Kubernetes version plan checks removed and deprecated APIs against (--kube-version wins). */
  kubeVersion?: string;
  defaults?: ChartDefaults;
  environments?: Record<string, StackEnvironment>;
  /** The clusters the stack runs across (src/fleet/); none: the one cluster of --kubeconfig/--kube-context. */
  targets?: FleetTarget[];
  fleet?: { parallel?: number; failureBudget?: number | string; waves?: string[] };
  /**
   * TypeScript stacks only: resolvers of `ref+SCHEME://...` values for schemes helmcycle does not resolve
   * itself (env, file and k8s), by scheme: `resolvers: { vault: async (ref) => ... }`. A resolver returns
   * the value; what it returns is sensitive, as every resolved reference is.
   */
  resolvers?: Record<string, RefResolver>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each chart may type its own payload
  charts: StackChart<any>[];
}

/** A chart with its stack's defaults and environment applied, ready for runChart. */
export interface ResolvedChart {
  name: string;
  needs: string[];
  definition: StackChart;
  /** Where it was declared, for error messages. */
  file: string | undefined;
}

export interface ResolvedStack {
  name: string;
  file: string | undefined;
  environment: string | undefined;
  concurrency: number | undefined;
  rollbackStackOnFailure?: boolean | undefined;
  ignoreDrift?: boolean | undefined;
  /** apply prunes (docs/prune.md). */
  prune?: boolean | undefined;
  /** The stack's kubeVersion (checked): what plan checks removed and deprecated APIs against. */
  kubeVersion?: string | undefined;
  /** In declaration order. */
  charts: ResolvedChart[];
  /** Checked, kubeconfig paths anchored at the stack file's folder; absent when the stack names none. */
  fleet?: { targets: FleetTarget[]; settings: FleetSettings };
  /** The stack's own reference resolvers (StackDefinition.resolvers). */
  resolvers?: Record<string, RefResolver>;
}
