// Whether a release's namespace exists, as far as the caller may know. CI deployers are often bound to a
// Role in that one namespace and may not read Namespace objects (cluster-scoped): the API server answers
// 403 whether or not it exists, and helm itself never asks.
import { isForbidden } from '../errors.js';
import type { KubeClient } from './types.js';

export type NamespaceState = 'exists' | 'missing' | 'forbidden';

export async function probeNamespace(kube: Pick<KubeClient, 'namespaceExists'>, name: string): Promise<NamespaceState> {
  try {
    return (await kube.namespaceExists(name)) ? 'exists' : 'missing';
  } catch (error) {
    if (isForbidden(error)) return 'forbidden';
    throw error;
  }
}
