// The built-in Kubernetes APIs that were deprecated and removed, as data: which apiVersion of which
// kind, the minor it was deprecated in and stopped being served in, and what replaces it (undefined:
// nothing does, the kind is gone). Written from the facts of two sources, checked against each other:
//   - Kubernetes' "Deprecated API Migration Guide",
//     https://kubernetes.io/docs/reference/using-api/deprecation-guide/ (the authority on what is
//     removed when);
//   - pluto's versions.yaml, https://github.com/FairwindsOps/pluto/blob/master/versions.yaml (commit
//     dd5ec8c, 2026-04), the list pluto and (in the same shape) kubent check against.
// Where they disagree the guide wins: pluto lists flowcontrol v1beta1 FlowSchema and
// PriorityLevelConfiguration as removed in 1.29 (the guide: 1.26) and v1beta3 FlowSchema as
// deprecated in 1.24 (the guide: 1.29). Left out on purpose: *List kinds (never in a manifest),
// audit.k8s.io (a file format of the API server, not a resource) and CRD-based APIs (cert-manager,
// istio), which come and go with their operator's version, not Kubernetes'.
// Pure data; api-check.ts reads it. Add a row when a Kubernetes minor removes an API.

export interface RemovedApi {
  /** group/version as a manifest's apiVersion says it ("policy/v1beta1"; "v1" for the core group). */
  apiVersion: string;
  kind: string;
  /** The minor it was deprecated in ("1.21"); undefined when Kubernetes never announced one. */
  deprecatedIn: string | undefined;
  /** The first minor that no longer serves it ("1.25"); undefined when no removal is scheduled yet. */
  removedIn: string | undefined;
  /** The apiVersion of the same kind to use instead; undefined when the kind has none (PodSecurityPolicy). */
  replacement: string | undefined;
}

type Row = readonly [apiVersion: string, kinds: readonly string[], deprecatedIn: string | undefined, removedIn: string | undefined, replacement: string | undefined];

// One row per apiVersion and release pair; the kinds that share them are listed together.
const ROWS: readonly Row[] = [
  // 1.16
  ['extensions/v1beta1', ['Deployment', 'DaemonSet', 'ReplicaSet'], '1.9', '1.16', 'apps/v1'],
  ['apps/v1beta1', ['Deployment', 'StatefulSet', 'ReplicaSet'], '1.9', '1.16', 'apps/v1'],
  ['apps/v1beta2', ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'], '1.9', '1.16', 'apps/v1'],
  ['extensions/v1beta1', ['NetworkPolicy'], '1.9', '1.16', 'networking.k8s.io/v1'],
  ['extensions/v1beta1', ['PodSecurityPolicy'], '1.10', '1.16', 'policy/v1beta1'],
  // 1.17
  ['scheduling.k8s.io/v1alpha1', ['PriorityClass'], '1.14', '1.17', 'scheduling.k8s.io/v1'],
  // 1.22
  ['extensions/v1beta1', ['Ingress'], '1.14', '1.22', 'networking.k8s.io/v1'],
  ['networking.k8s.io/v1beta1', ['Ingress', 'IngressClass'], '1.19', '1.22', 'networking.k8s.io/v1'],
  ['scheduling.k8s.io/v1beta1', ['PriorityClass'], '1.14', '1.22', 'scheduling.k8s.io/v1'],
  ['apiextensions.k8s.io/v1beta1', ['CustomResourceDefinition'], '1.16', '1.22', 'apiextensions.k8s.io/v1'],
  ['admissionregistration.k8s.io/v1beta1', ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], '1.16', '1.22', 'admissionregistration.k8s.io/v1'],
  ['rbac.authorization.k8s.io/v1alpha1', ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], '1.17', '1.22', 'rbac.authorization.k8s.io/v1'],
  ['rbac.authorization.k8s.io/v1beta1', ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], '1.17', '1.22', 'rbac.authorization.k8s.io/v1'],
  ['storage.k8s.io/v1beta1', ['CSINode'], '1.17', '1.22', 'storage.k8s.io/v1'],
  ['storage.k8s.io/v1beta1', ['CSIDriver'], '1.19', '1.22', 'storage.k8s.io/v1'],
  ['storage.k8s.io/v1beta1', ['StorageClass'], '1.6', '1.22', 'storage.k8s.io/v1'],
  ['storage.k8s.io/v1beta1', ['VolumeAttachment'], '1.13', '1.22', 'storage.k8s.io/v1'],
  ['apiregistration.k8s.io/v1beta1', ['APIService'], '1.10', '1.22', 'apiregistration.k8s.io/v1'],
  ['authentication.k8s.io/v1beta1', ['TokenReview'], '1.6', '1.22', 'authentication.k8s.io/v1'],
  ['authorization.k8s.io/v1beta1', ['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview'], '1.6', '1.22', 'authorization.k8s.io/v1'],
  ['certificates.k8s.io/v1beta1', ['CertificateSigningRequest'], '1.19', '1.22', 'certificates.k8s.io/v1'],
  ['coordination.k8s.io/v1beta1', ['Lease'], '1.14', '1.22', 'coordination.k8s.io/v1'],
  // 1.25
  ['batch/v1beta1', ['CronJob'], '1.21', '1.25', 'batch/v1'],
  ['discovery.k8s.io/v1beta1', ['EndpointSlice'], '1.21', '1.25', 'discovery.k8s.io/v1'],
  ['events.k8s.io/v1beta1', ['Event'], '1.19', '1.25', 'events.k8s.io/v1'],
  ['autoscaling/v2beta1', ['HorizontalPodAutoscaler'], '1.22', '1.25', 'autoscaling/v2'],
  ['policy/v1beta1', ['PodDisruptionBudget'], '1.21', '1.25', 'policy/v1'],
  ['policy/v1beta1', ['PodSecurityPolicy'], '1.21', '1.25', undefined],
  ['node.k8s.io/v1beta1', ['RuntimeClass'], '1.22', '1.25', 'node.k8s.io/v1'],
  // 1.26
  ['flowcontrol.apiserver.k8s.io/v1beta1', ['FlowSchema', 'PriorityLevelConfiguration'], '1.23', '1.26', 'flowcontrol.apiserver.k8s.io/v1'],
  ['autoscaling/v2beta2', ['HorizontalPodAutoscaler'], '1.23', '1.26', 'autoscaling/v2'],
  // 1.27
  ['storage.k8s.io/v1beta1', ['CSIStorageCapacity'], '1.24', '1.27', 'storage.k8s.io/v1'],
  // 1.29
  ['flowcontrol.apiserver.k8s.io/v1beta2', ['FlowSchema', 'PriorityLevelConfiguration'], '1.26', '1.29', 'flowcontrol.apiserver.k8s.io/v1'],
  // 1.32
  ['flowcontrol.apiserver.k8s.io/v1beta3', ['FlowSchema', 'PriorityLevelConfiguration'], '1.29', '1.32', 'flowcontrol.apiserver.k8s.io/v1'],
  // 1.33
  ['admissionregistration.k8s.io/v1alpha1', ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'], '1.28', '1.33', 'admissionregistration.k8s.io/v1'],
  // 1.34
  ['resource.k8s.io/v1alpha3', ['ResourceSlice', 'ResourceClaim', 'DeviceClass', 'ResourceClaimTemplate'], '1.32', '1.34', 'resource.k8s.io/v1'],
  // 1.35
  ['storage.k8s.io/v1alpha1', ['VolumeAttributesClass'], '1.31', '1.35', 'storage.k8s.io/v1'],
  // 1.36
  ['resource.k8s.io/v1beta1', ['ResourceSlice', 'ResourceClaim', 'DeviceClass', 'ResourceClaimTemplate'], '1.33', '1.36', 'resource.k8s.io/v1'],
  // Deprecated, no removal scheduled yet.
  ['storage.k8s.io/v1beta1', ['VolumeAttributesClass'], '1.34', undefined, 'storage.k8s.io/v1'],
];

/** Every removed or deprecated API, one entry per apiVersion and kind. */
export const REMOVED_APIS: readonly RemovedApi[] = ROWS.flatMap(([apiVersion, kinds, deprecatedIn, removedIn, replacement]) =>
  kinds.map((kind) => ({ apiVersion, kind, deprecatedIn, removedIn, replacement })),
);

const byKey = new Map(REMOVED_APIS.map((api) => [`${api.apiVersion}/${api.kind}`, api]));

const apiVersions = new Set(REMOVED_APIS.map((api) => api.apiVersion));

/**
 * False when no apiVersion line of the manifest names an API of the table: plan checks every chart's
 * manifests, and most name none, so they are not parsed at all (a plan of a thousand charts stays fast).
 */
export function mayNameRemovedApi(manifest: string): boolean {
  for (const match of manifest.matchAll(/^\s*apiVersion:[ \t]*["']?([^"'\s#]+)/gm)) if (apiVersions.has(match[1]!)) return true;
  return false;
}

/** The table's entry for an apiVersion and kind; undefined when it was never deprecated. Pure. */
export function removedApiOf(apiVersion: string, kind: string): RemovedApi | undefined {
  return byKey.get(`${apiVersion}/${kind}`);
}
