// Kubernetes versions as the API removal check compares them: a minor of major 1 ("1.25", "v1.25.3",
// "v1.34.4+k3s1" all read as 1.25). Pure.

/** What `--kube-version` and the `kubeVersion` setting accept (zod and commander share it). */
export const KUBE_VERSION_PATTERN = /^v?1\.(\d{1,3})(\.\d+)?([-+][\w.+-]*)?$/;
export const KUBE_VERSION_HINT = 'a Kubernetes version such as 1.30 or v1.30.2';

/** The minor of a Kubernetes version ("v1.25.3" → 25); undefined when it is not one. */
export function kubeMinor(version: string): number | undefined {
  const match = KUBE_VERSION_PATTERN.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

/** "1.25" for any spelling of a 1.25 version; the input itself when it is not one. */
export function shortKubeVersion(version: string): string {
  const minor = kubeMinor(version);
  return minor === undefined ? version : `1.${minor}`;
}

/** True when `release` ("1.25", from the table) is at or before `target`'s minor. */
export function reachedBy(release: string | undefined, target: number): boolean {
  if (release === undefined) return false;
  const minor = kubeMinor(release);
  return minor !== undefined && minor <= target;
}
