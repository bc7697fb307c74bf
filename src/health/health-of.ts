// Which rule judges an object, and the judgement: a chart's own health function for the object's
// group/kind first, then the built-in rule of the kind, then (for a kind of no built-in API group) the
// custom-resource conventions. Kinds with no rule (ConfigMaps, RBAC, a ClusterIP Service...) are not
// judged at all: they are healthy once they exist, which helm's apply already made sure of. Pure.
import type { KubeObject, ObjectRef } from '../kube/types.js';
import { apiServiceHealth } from './rules/api-service.js';
import { cronJobHealth } from './rules/cron-job.js';
import { customResourceHealth } from './rules/custom-resource.js';
import { horizontalPodAutoscalerHealth } from './rules/horizontal-pod-autoscaler.js';
import { ingressHealth } from './rules/ingress.js';
import { persistentVolumeClaimHealth } from './rules/persistent-volume-claim.js';
import { podDisruptionBudgetHealth } from './rules/pod-disruption-budget.js';
import { serviceHealth } from './rules/service.js';
import { workloadHealth } from './rules/workloads.js';
import { HEALTH_STATUSES, type Health, type HealthFunctions, type HealthRule } from './types.js';

/** The built-in rules, keyed by group/kind (the core group: the kind alone). */
export const BUILT_IN_RULES: Readonly<Record<string, HealthRule>> = {
  'apps/Deployment': workloadHealth,
  'apps/StatefulSet': workloadHealth,
  'apps/DaemonSet': workloadHealth,
  'batch/Job': workloadHealth,
  'batch/CronJob': cronJobHealth,
  Service: serviceHealth,
  PersistentVolumeClaim: persistentVolumeClaimHealth,
  'networking.k8s.io/Ingress': ingressHealth,
  'apiregistration.k8s.io/APIService': apiServiceHealth,
  'autoscaling/HorizontalPodAutoscaler': horizontalPodAutoscalerHealth,
  'policy/PodDisruptionBudget': podDisruptionBudgetHealth,
};

/** The API groups Kubernetes itself serves: a kind of any other group comes from a CRD (or an aggregated API). */
const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'extensions', 'networking.k8s.io', 'rbac.authorization.k8s.io',
  'storage.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'admissionregistration.k8s.io',
  'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'scheduling.k8s.io', 'node.k8s.io',
  'certificates.k8s.io', 'flowcontrol.apiserver.k8s.io', 'resource.k8s.io', 'authentication.k8s.io',
  'authorization.k8s.io', 'internal.apiserver.k8s.io', 'storagemigration.k8s.io',
]);

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `example.com/Widget`, `apps/Deployment`, `Service` (core group). */
export function healthKey(ref: Pick<ObjectRef, 'apiVersion' | 'kind'>): string {
  const group = groupOf(ref.apiVersion);
  return group ? `${group}/${ref.kind}` : ref.kind;
}

export function isCustomKind(ref: Pick<ObjectRef, 'apiVersion'>): boolean {
  return !BUILT_IN_GROUPS.has(groupOf(ref.apiVersion));
}

/** Whether any rule would judge objects of this group/kind (a Service's rule only matters for type LoadBalancer: see health-refs.ts). */
export function hasHealthRule(ref: Pick<ObjectRef, 'apiVersion' | 'kind'>, custom: HealthFunctions = {}): boolean {
  const key = healthKey(ref);
  return Object.hasOwn(custom, key) || Object.hasOwn(BUILT_IN_RULES, key) || isCustomKind(ref);
}

function builtIn(object: KubeObject): Health {
  const rule = BUILT_IN_RULES[healthKey(object)];
  if (rule) return rule(object);
  if (isCustomKind(object)) return customResourceHealth(object);
  return { status: 'healthy', message: `${object.kind} has no health rule` };
}

function fromCustom(key: string, answer: unknown): Health | undefined {
  if (answer === undefined) return undefined;
  const status = (answer as { status?: unknown } | null)?.status;
  if (!HEALTH_STATUSES.includes(status as Health['status'])) {
    return { status: 'unknown', message: `the chart's health function for ${key} returned no status of ${HEALTH_STATUSES.join(', ')}` };
  }
  const message = (answer as { message?: unknown }).message;
  return { status: status as Health['status'], message: typeof message === 'string' && message !== '' ? message : `${status} (the chart's health function)` };
}

/**
 * The health of one live object. A chart's function for its group/kind wins; it may return undefined
 * to leave the object to the built-in rule. An object being deleted is progressing whatever its kind
 * (kstatus' Terminating): it is on its way out, not yet what the release declares. Pure.
 */
export function healthOf(object: KubeObject, custom: HealthFunctions = {}): Health {
  if (typeof object.metadata.deletionTimestamp === 'string' && object.metadata.deletionTimestamp !== '') {
    return { status: 'progressing', message: `being deleted (since ${object.metadata.deletionTimestamp})` };
  }
  const key = healthKey(object);
  const fn = Object.hasOwn(custom, key) ? custom[key] : undefined;
  if (fn) {
    try {
      const own = fromCustom(key, fn(object));
      if (own) return own;
    } catch (error) {
      return { status: 'unknown', message: `the chart's health function for ${key} threw: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return builtIn(object);
}
