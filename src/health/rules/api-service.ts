// An APIService is healthy when its Available condition is True: the aggregator reaches the service
// behind it (Argo CD's rule). Until then every request for its group fails, discovery included.
import type { KubeObject } from '../../kube/types.js';
import { conditionOf, describeCondition, healthy, progressing } from '../conditions.js';
import type { Health } from '../types.js';

export function apiServiceHealth(object: KubeObject): Health {
  const available = conditionOf(object, 'Available');
  if (!available) return progressing('no Available condition yet');
  return available.status === 'True' ? healthy(describeCondition(available)) : progressing(describeCondition(available));
}
