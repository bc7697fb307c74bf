// validate's wait: every object of a release's manifest that a health rule judges (the built-in ones
// or the chart's own), waited for within the chart's timeout, one check result each.
import type { KubeClient } from '../kube/types.js';
import type { CheckResult } from '../lifecycle/types.js';
import { healthRefsInManifest } from './health-refs.js';
import type { HealthFunctions } from './types.js';
import { waitForHealthy } from './wait-healthy.js';

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
