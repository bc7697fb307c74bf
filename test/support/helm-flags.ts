// Every flag helmcycle ever gives helm: in an argv built from a stack, a flag name outside this set came
// from data (the hostile-input tests check the argv's shape against it).
export const OUR_FLAGS: ReadonlySet<string> = new Set([
  'install', 'namespace', 'repo', 'version', 'plain-http', 'ca-file', 'cert-file', 'key-file', 'insecure-skip-tls-verify',
  'pass-credentials', 'repository-config', 'repository-cache', 'registry-config', 'values', 'set-json', 'set', 'set-string',
  'reset-values', 'create-namespace', 'atomic', 'rollback-on-failure', 'wait', 'wait-for-jobs', 'timeout', 'force',
  'force-replace', 'server-side', 'cleanup-on-fail', 'history-max', 'skip-crds', 'no-hooks', 'take-ownership',
  'force-conflicts', 'description', 'labels', 'dry-run', 'output', 'keep-history', 'ignore-not-found', 'filter', 'max',
  'revision', 'all', 'include-crds', 'untar', 'destination', 'username', 'password-stdin', 'kubeconfig', 'kube-context',
  'disable-openapi-validation',
]);
