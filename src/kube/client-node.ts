// The one door to @kubernetes/client-node: every module of helmcycle imports it from here. Why: loading
// the package is about 800 ES modules (its generated API models), 0.7-1.0 s of every command's start on a
// 2-core machine, more than a whole `helm upgrade`. The build (scripts/bundle-client-node.mjs) replaces
// this module's output in dist/ with one esbuild bundle of the package, which loads in 0.15-0.3 s. Run
// from the sources (tsx, the tests), it is the package itself.
export { ApiException, AuthorizationV1Api, CoreV1Api, KubeConfig, Log, VersionApi } from '@kubernetes/client-node';
export type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
