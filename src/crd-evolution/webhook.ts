// A CRD whose conversion strategy is Webhook converts every object it migrates through that webhook:
// with no ready endpoint behind the webhook's Service, each write would fail half way. So a migration
// starts only when the Service has a ready endpoint (an EndpointSlice endpoint not marked unready).
import type { KubeClient, KubeObject } from '../kube/types.js';
import { conversionStrategy, specOf } from './crd-shape.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

interface EndpointSlice {
  endpoints?: { conditions?: { ready?: boolean | null } }[] | null;
}

/** Whether any endpoint of the slices is ready (an unknown readiness counts as ready, as the API says). Pure. */
export function anyReadyEndpoint(slices: readonly KubeObject[]): boolean {
  return slices.some((slice) => ((slice as unknown as EndpointSlice).endpoints ?? []).some((e) => e.conditions?.ready !== false));
}

/**
 * Why the CRD cannot be migrated now because of its conversion webhook, or undefined when it can (no
 * webhook, or a Service with a ready endpoint). A webhook given by URL is outside the cluster: it is
 * not checked, and said so by the caller's docs, not refused.
 */
export async function webhookNotReady(kube: KubeClient, crd: KubeObject): Promise<string | undefined> {
  if (conversionStrategy(crd) !== 'Webhook') return undefined;
  const service = specOf(crd).conversion?.webhook?.clientConfig?.service;
  if (!service) return undefined;
  const slices = await kube.listByLabels('discovery.k8s.io/v1', 'EndpointSlice', service.namespace, `${SERVICE_NAME_LABEL}=${service.name}`);
  if (anyReadyEndpoint(slices)) return undefined;
  return `its conversion webhook's Service ${service.namespace}/${service.name} has no ready endpoint: every object would be converted through it`;
}
