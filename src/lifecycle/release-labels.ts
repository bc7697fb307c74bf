// The labels recorded on a release. Helm 4 reports them in `get metadata`; Helm 3 does not, so they are
// read from the release's storage Secret (helm's default driver), whose labels carry them. Only the
// Secret's metadata is used; its data (the release, values included) is never read out.
import type { ReleaseInfo } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { DIGEST_LABEL } from './digest.js';

export function releaseSecretName(release: Pick<ReleaseInfo, 'name' | 'revision'>): string {
  return `sh.helm.release.v1.${release.name}.v${release.revision}`;
}

/** The release's labels, or undefined when they cannot be found (another storage driver). */
export async function releaseLabels(kube: KubeClient, release: ReleaseInfo): Promise<Record<string, string> | undefined> {
  if (release.labels) return release.labels;
  const secret = await kube.getObject({ apiVersion: 'v1', kind: 'Secret', namespace: release.namespace, name: releaseSecretName(release) });
  return secret?.metadata.labels;
}

/** True when the release is deployed and recorded exactly this digest: there is nothing to upgrade. */
export async function deployedWithDigest(kube: KubeClient, release: ReleaseInfo | undefined, digest: string): Promise<boolean> {
  if (release?.status !== 'deployed') return false;
  return (await releaseLabels(kube, release))?.[DIGEST_LABEL] === digest;
}
