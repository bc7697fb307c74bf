// A Service is healthy once it routes as its type promises: a LoadBalancer only once the cloud (or
// MetalLB, or a kind/k3s service controller) has assigned it an address; every other type at once. As
// Argo CD's and kstatus' Service rules.
import type { KubeObject } from '../../kube/types.js';
import { healthy, progressing, statusOf } from '../conditions.js';
import type { Health } from '../types.js';
import { addressesOf } from './load-balancer.js';

export function serviceHealth(object: KubeObject): Health {
  const type = typeof object.spec?.type === 'string' ? object.spec.type : 'ClusterIP';
  if (type !== 'LoadBalancer') return healthy(`type ${type}`);
  const addresses = addressesOf(statusOf(object).loadBalancer);
  if (addresses.length > 0) return healthy(`load balancer at ${addresses.join(', ')}`);
  return progressing('type LoadBalancer, no ingress IP or hostname assigned yet (status.loadBalancer.ingress is empty; is there a load-balancer controller in this cluster?)');
}
