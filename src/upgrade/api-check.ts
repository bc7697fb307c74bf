// The API removal check: each object of a manifest (what apply would deploy, or a release's stored
// manifest) against the table of removed and deprecated APIs (api-removals.ts), at a Kubernetes
// version. Pure: the manifests and the version are read elsewhere (plan-apis.ts).
import { parseManifest } from '../kube/manifest.js';
import { mayNameRemovedApi, removedApiOf } from './api-removals.js';
import { kubeMinor, reachedBy, shortKubeVersion } from './kube-version.js';

/** removed: the version no longer serves the API; deprecated: it still does, a later one will not. */
export type ApiFindingLevel = 'removed' | 'deprecated';

export interface ApiFinding {
  chart: string;
  /** rendered: what apply would deploy; release: the stored manifest of the revision helm upgrades from. */
  source: 'rendered' | 'release';
  /** The release revision the stored manifest is of (source release). */
  revision?: number | undefined;
  /** "Kind/namespace/name", or "Kind/name" for a cluster-scoped object. */
  object: string;
  apiVersion: string;
  level: ApiFindingLevel;
  deprecatedIn: string | undefined;
  removedIn: string | undefined;
  /** The apiVersion to use instead; undefined when the kind has no replacement. */
  replacement: string | undefined;
  /** The version checked against ("1.25"). */
  kubeVersion: string;
}

export interface ManifestCheck {
  chart: string;
  source: ApiFinding['source'];
  revision?: number | undefined;
  /** Where namespaced objects without a namespace go (the release's namespace). */
  namespace: string;
  kubeVersion: string;
}

/** Every object of the manifest whose API is removed or deprecated at the version, in manifest order. */
export function findApiProblems(manifest: string, check: ManifestCheck): ApiFinding[] {
  const target = kubeMinor(check.kubeVersion);
  if (target === undefined) throw new Error(`'${check.kubeVersion}' is not a Kubernetes version`);
  const findings: ApiFinding[] = [];
  if (!mayNameRemovedApi(manifest)) return findings;
  for (const object of parseManifest(manifest, check.namespace)) {
    const api = removedApiOf(object.apiVersion, object.kind);
    if (!api) continue;
    const level: ApiFindingLevel | undefined = reachedBy(api.removedIn, target) ? 'removed' : reachedBy(api.deprecatedIn, target) ? 'deprecated' : undefined;
    if (!level) continue;
    const { namespace, name } = object.metadata;
    findings.push({
      chart: check.chart,
      source: check.source,
      ...(check.revision !== undefined ? { revision: check.revision } : {}),
      object: `${object.kind}/${namespace ? `${namespace}/` : ''}${name}`,
      apiVersion: object.apiVersion,
      level,
      deprecatedIn: api.deprecatedIn,
      removedIn: api.removedIn,
      replacement: api.replacement,
      kubeVersion: shortKubeVersion(check.kubeVersion),
    });
  }
  return findings;
}

/** One line of the text plan: what, where, since when, and what to use instead. Pure. */
export function describeApiFinding(finding: ApiFinding): string {
  const where = finding.source === 'rendered' ? 'rendered by the chart' : `in the stored manifest of revision ${finding.revision ?? '?'}`;
  const when = finding.level === 'removed' ? `removed in ${finding.removedIn}` : `deprecated in ${finding.deprecatedIn}${finding.removedIn ? `, removed in ${finding.removedIn}` : ''}`;
  const instead = finding.replacement ? `use ${finding.replacement}` : 'no replacement: the kind is gone';
  return `${finding.level} API ${finding.apiVersion} ${finding.object} ${where} (${when}; ${instead}) at Kubernetes ${finding.kubeVersion}`;
}

/** What `plan --fail-on` gates on: removed only, or deprecated and removed alike. */
export type FailOn = ApiFindingLevel;

/** True when some finding is at or above the --fail-on level. Pure. */
export function failsOn(findings: readonly Pick<ApiFinding, 'level'>[], failOn: FailOn | undefined): boolean {
  if (!failOn) return false;
  return findings.some((f) => f.level === 'removed' || failOn === 'deprecated');
}
