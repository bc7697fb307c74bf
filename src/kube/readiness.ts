// Is a workload ready (or a Job complete)? Pure functions over the object's live status, following the
// rules `kubectl rollout status` uses.
import type { KubeObject } from './types.js';

export interface Readiness {
  ready: boolean;
  /** True when waiting longer cannot help (a failed Job). */
  failed: boolean;
  message: string;
}

type Status = Record<string, unknown>;

function num(status: Status, key: string): number {
  const value = status[key];
  return typeof value === 'number' ? value : 0;
}

function condition(status: Status, type: string): { status?: string; reason?: string; message?: string } | undefined {
  const list = status.conditions;
  if (!Array.isArray(list)) return undefined;
  return list.find((c: { type?: string }) => c.type === type) as { status?: string; reason?: string; message?: string } | undefined;
}

const ready = (message: string): Readiness => ({ ready: true, failed: false, message });
const waiting = (message: string): Readiness => ({ ready: false, failed: false, message });

function observed(object: KubeObject, status: Status): boolean {
  const generation = object.metadata.generation;
  return generation === undefined || num(status, 'observedGeneration') >= generation;
}

function deploymentReadiness(object: KubeObject, status: Status): Readiness {
  const desired = typeof object.spec?.replicas === 'number' ? object.spec.replicas : 1;
  if (!observed(object, status)) return waiting('the controller has not observed the latest spec yet');
  const progressing = condition(status, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { ready: false, failed: true, message: `rollout exceeded its progress deadline: ${progressing.message ?? ''}`.trim() };
  }
  const updated = num(status, 'updatedReplicas');
  const available = num(status, 'availableReplicas');
  const total = num(status, 'replicas');
  if (updated < desired) return waiting(`${updated} of ${desired} replicas updated`);
  if (total > updated) return waiting(`${total - updated} old replicas are pending termination`);
  if (available < desired) return waiting(`${available} of ${desired} updated replicas available`);
  return ready(`${available}/${desired} replicas available`);
}

function statefulSetReadiness(object: KubeObject, status: Status): Readiness {
  const desired = typeof object.spec?.replicas === 'number' ? object.spec.replicas : 1;
  if (!observed(object, status)) return waiting('the controller has not observed the latest spec yet');
  const readyReplicas = num(status, 'readyReplicas');
  if (readyReplicas < desired) return waiting(`${readyReplicas} of ${desired} replicas ready`);
  const strategy = (object.spec?.updateStrategy as { type?: string } | undefined)?.type;
  if (strategy !== 'OnDelete' && status.updateRevision !== status.currentRevision) {
    return waiting(`${num(status, 'updatedReplicas')} of ${desired} replicas updated`);
  }
  return ready(`${readyReplicas}/${desired} replicas ready`);
}

function daemonSetReadiness(object: KubeObject, status: Status): Readiness {
  if (!observed(object, status)) return waiting('the controller has not observed the latest spec yet');
  const desired = num(status, 'desiredNumberScheduled');
  const updated = num(status, 'updatedNumberScheduled');
  const available = num(status, 'numberAvailable');
  if (updated < desired) return waiting(`${updated} of ${desired} pods updated`);
  if (available < desired) return waiting(`${available} of ${desired} pods available`);
  return ready(`${available}/${desired} pods available`);
}

function jobReadiness(object: KubeObject, status: Status): Readiness {
  const failed = condition(status, 'Failed');
  if (failed?.status === 'True') return { ready: false, failed: true, message: `job failed: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim() };
  const complete = condition(status, 'Complete');
  if (complete?.status === 'True') return ready('job complete');
  const completions = typeof object.spec?.completions === 'number' ? object.spec.completions : 1;
  return waiting(`${num(status, 'succeeded')} of ${completions} completions`);
}

export function workloadReadiness(object: KubeObject): Readiness {
  const status = object.status ?? {};
  switch (object.kind) {
    case 'Deployment':
      return deploymentReadiness(object, status);
    case 'StatefulSet':
      return statefulSetReadiness(object, status);
    case 'DaemonSet':
      return daemonSetReadiness(object, status);
    case 'Job':
      return jobReadiness(object, status);
    default:
      return ready(`${object.kind} has no readiness rule`);
  }
}
