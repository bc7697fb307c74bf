// The closed set of reasons a deploy fails, and the remedies helmcycle can take for them. Every failure
// is put in exactly one class; "other" is the honest answer when none fits.

export const FAILURE_CLASSES = [
  'stuck-release',
  'concurrent-install',
  'immutable-field',
  'ownership-conflict',
  'missing-crd',
  'readiness-timeout',
  'readiness-failed',
  'unhealthy-resource',
  'hook-failure',
  'helm-wait-race',
  'chart-test-failed',
  'admission-denied',
  'quota-denied',
  'rbac-denied',
  'invalid-values',
  'crd-in-use',
  'crd-invalid-resources',
  'crd-migration-blocked',
  'removed-api-in-release',
  'unused-values',
  'other',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** What each class means, in words a person acts on. */
export const FAILURE_CLASS_ADVICE: Readonly<Record<FailureClass, string>> = {
  'stuck-release': 'an earlier helm operation never finished and left the release locked (pending-*)',
  'concurrent-install': 'another deployer installed the same release at the same moment (outside helmcycle\'s lease); it exists now',
  'immutable-field': 'the new chart changes a field Kubernetes does not allow to change; the object must be recreated',
  'ownership-conflict': 'an object the chart creates already exists and does not belong to this release',
  'missing-crd': 'the chart uses a custom resource kind whose CRD is not installed',
  'readiness-timeout': "the workloads did not become ready in time, or the chart's checks did not pass",
  'readiness-failed': "a workload failed in a way waiting does not heal (a crash loop, an image that cannot be pulled, a pod no node can take, a failed Job), so helm's wait was ended early",
  'unhealthy-resource': 'a resource of the release (a custom resource, a LoadBalancer Service, an Ingress, a PersistentVolumeClaim, ...) did not become healthy in time, or failed',
  'hook-failure': "a Helm hook (a Job of the chart's) failed",
  'helm-wait-race': "helm's own wait lost an object it had made (a hook Job that completed and was deleted, by its delete policy or TTL, before helm's watcher read it): the chart did nothing wrong, and the same action run again passes",
  'chart-test-failed': "a test hook of the chart (helm test) failed after the deploy",
  'admission-denied': 'an admission webhook or policy rejected an object',
  'quota-denied': 'a ResourceQuota denied an object',
  'rbac-denied': 'the credentials in use may not do what the deploy needs',
  'invalid-values': 'the chart did not render with these values',
  'crd-in-use': 'a CRD the destroy would delete still has custom resources (deleting the CRD deletes them all)',
  'crd-invalid-resources': 'existing custom resources would no longer validate against the new CRD schema (crds.allowInvalid upgrades anyway)',
  'crd-migration-blocked': "the new CRD drops a version objects are still stored at, and their migration cannot run now (a conversion webhook without ready endpoints, or a stored version the live CRD no longer defines)",
  'removed-api-in-release': "the release's stored manifest (the revision helm upgrades from) names an API the cluster no longer serves, so helm cannot build its objects to compare against",
  'unused-values': 'with --strict-values: values are set that the chart does not read (a typo, a key the chart moved or removed, one its values.schema.json does not allow)',
  other: 'an unclassified failure; read the error and diagnostics',
};

export const REMEDIES = [
  'retry',
  'unlock-retry',
  'recreate-retry',
  'force-replace-retry',
  'adopt-retry',
  'apply-crds-retry',
  'rollback',
  'uninstall',
  'restore-backup',
  'rewrite-release-apis-retry',
  'none',
] as const;
export type Remedy = (typeof REMEDIES)[number];
