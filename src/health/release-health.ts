// The health of a release: every object of its manifest that a health rule judges (the built-in ones
// or the chart's own). validate waits for it within the chart's timeout; `status` reads it once. Both
// judge by the same function (health-of.ts), so a release status calls ready is one validate passes.
import type { KubeClient } from '../kube/types.js';
import type { CheckResult } from './types.js';
import { healthRefsInManifest } from './health-refs.js';
import type { HealthFunctions } from './types.js';
import { healthNow, waitForHealthy, type ObjectHealth } from './wait-healthy.js';

export interface ReleaseHealthOptions {
  /** The release's namespace: where objects the manifest leaves without one live. */
  namespace: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  custom?: HealthFunctions | undefined;
}

export async function waitForReleaseHealth(kube: KubeClient, manifest: string, options: ReleaseHealthOptions): Promise<CheckResult[]> {
  const refs = healthRefsInManifest(manifest, options.namespace, options.custom);
  const results = await waitForHealthy(kube, refs, options);
  return results.map(({ name, ok, message, object }) => ({ name, ok, message, object }));
}

/** Every judged object of the release as it is now, without waiting (`status`). */
export async function releaseHealthNow(kube: KubeClient, manifest: string, options: Pick<ReleaseHealthOptions, 'namespace' | 'custom'>): Promise<ObjectHealth[]> {
  return healthNow(kube, healthRefsInManifest(manifest, options.namespace, options.custom), options.custom);
}
