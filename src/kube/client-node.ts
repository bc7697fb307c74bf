// The door to @kubernetes/client-node for what every command that reaches the cluster needs: the
// kubeconfig and its credentials (KubeConfig). Loading the package as it is published is about 800 ES
// modules (its generated API models), 0.7-1.0 s of a command's start on a 2-core machine; the build
// (scripts/build.ts) bundles it, keeping only what is used. The generated API clients (logs, the service
// proxy) come through the other door, client-node-apis.ts, which is imported only when such a call is
// made: every other request is plain JSON over rest-transport.ts.
// From its own module, not the package's index: see scripts/client-node-slim.ts.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
