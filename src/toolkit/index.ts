// The lifecycle toolkit: helpers a chart's custom phases reach for. Each is a plain async function over
// the KubeClient (and HelmClient where a chart must be read), usable from any phase.
export * from './ownership.js';
export * from './crds.js';
export * from './release-crds.js';
export * from './backup.js';
export * from './pods.js';
export * from './checks.js';
export * from './job.js';
