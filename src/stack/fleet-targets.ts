// A fleet: the clusters one stack is applied to. Each target is one kube context or kubeconfig file,
// with labels to select it by, the stack environment it runs with, and the wave it belongs to.

export interface FleetTarget {
  name: string;
  /** A context of the kubeconfig (the target's own file, else the run's). */
  kubeContext?: string;
  /** A kubeconfig file of its own, anchored at the stack file's folder. */
  kubeconfig?: string;
  labels?: Record<string, string>;
  /** The stack environment this target runs with (over the stack's defaults), instead of --env. */
  environment?: string;
  /** One of fleet.waves; targets without one run in a last wave of their own. */
  wave?: string;
  /** The Kubernetes version plan checks this target's manifests against for removed APIs (src/upgrade/). */
  kubeVersion?: string;
}

/** At most this many targets may fail (a count), or this share of the targets selected (a percent). */
export type FailureBudget = { count: number } | { percent: number };

export interface FleetSettings {
  /** How many targets run at once. */
  parallel: number;
  failureBudget: FailureBudget;
  /** Wave names in the order they run. */
  waves: string[];
}

export const DEFAULT_FLEET_PARALLEL = 4;
