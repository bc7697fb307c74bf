// Deployments, StatefulSets, DaemonSets and Jobs keep the rules `kubectl rollout status` uses
// (kube/readiness.ts); here they are read as health: ready is healthy, a failure waiting cannot heal
// (a failed Job, a Deployment past its progress deadline) is degraded, anything else progressing.
import type { KubeObject } from '../../kube/types.js';
import { workloadReadiness } from '../../kube/readiness.js';
import type { Health } from '../types.js';

export function workloadHealth(object: KubeObject): Health {
  const readiness = workloadReadiness(object);
  return { status: readiness.ready ? 'healthy' : readiness.failed ? 'degraded' : 'progressing', message: readiness.message };
}
