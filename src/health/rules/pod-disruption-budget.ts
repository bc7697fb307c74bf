// A PodDisruptionBudget is healthy once the disruption controller has observed it and as many of its
// pods are healthy as the budget needs (kstatus' rule): until then a node drain would be refused.
import type { KubeObject } from '../../kube/types.js';
import { generationLag, healthy, progressing, statusOf } from '../conditions.js';
import type { Health } from '../types.js';

const count = (value: unknown): number => (typeof value === 'number' ? value : 0);

export function podDisruptionBudgetHealth(object: KubeObject): Health {
  const status = statusOf(object);
  if (typeof status.observedGeneration !== 'number') return progressing('not observed by the disruption controller yet');
  const lag = generationLag(object);
  if (lag) return lag;
  const current = count(status.currentHealthy);
  const desired = count(status.desiredHealthy);
  if (current < desired) return progressing(`${current} of ${desired} pods the budget needs are healthy`);
  return healthy(`${current} healthy pod(s), ${count(status.disruptionsAllowed)} disruption(s) allowed`);
}
