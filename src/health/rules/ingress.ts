// An Ingress is healthy once an ingress controller has admitted it and published its address in
// status.loadBalancer.ingress (Argo CD's rule; kstatus counts any Ingress current).
import type { KubeObject } from '../../kube/types.js';
import { healthy, progressing, statusOf } from '../conditions.js';
import type { Health } from '../types.js';
import { addressesOf } from './load-balancer.js';

export function ingressHealth(object: KubeObject): Health {
  const addresses = addressesOf(statusOf(object).loadBalancer);
  if (addresses.length > 0) return healthy(`served at ${addresses.join(', ')}`);
  const className = typeof object.spec?.ingressClassName === 'string' ? ` of class ${object.spec.ingressClassName}` : '';
  return progressing(`no address assigned yet (status.loadBalancer.ingress is empty): no ingress controller${className} has admitted it`);
}
