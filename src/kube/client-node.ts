// The one door to @kubernetes/client-node: every module of helmcycle imports it from here, so what
// helmcycle uses of the package is named in one place. Loading the package as it is published is about
// 800 ES modules (its generated API models), 0.7-1.0 s of a command's start on a 2-core machine; the
// build (scripts/build.ts) bundles it with the rest, and only the commands that reach the cluster load
// that chunk (src/cli/main.ts imports the clients lazily).
export { ApiException, AuthorizationV1Api, CoreV1Api, KubeConfig, Log, VersionApi } from '@kubernetes/client-node';
export type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
