// Reads the objects out of a rendered helm manifest (multi-document YAML). Pure.
import { parseAllDocuments } from 'yaml';
import type { KubeObject, ObjectRef } from './types.js';

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<KubeObject>;
  return typeof v.apiVersion === 'string' && typeof v.kind === 'string' && typeof v.metadata?.name === 'string';
}

/** Every object in the manifest; namespaced objects without a namespace get `defaultNamespace`. */
export function parseManifest(manifest: string, defaultNamespace?: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    const value = doc.toJS() as unknown;
    const items = isKubeObject(value) && value.kind.endsWith('List') && Array.isArray(value.items) ? (value.items as unknown[]) : [value];
    for (const item of items) {
      if (!isKubeObject(item)) continue;
      if (defaultNamespace && !item.metadata.namespace && !CLUSTER_SCOPED_KINDS.has(item.kind)) {
        item.metadata.namespace = defaultNamespace;
      }
      objects.push(item);
    }
  }
  return objects;
}

/** Built-in kinds that live outside namespaces; enough for the kinds helm charts ship. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume',
  'StorageClass', 'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'APIService', 'IngressClass', 'RuntimeClass', 'CSIDriver', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'Node',
]);

export function refOf(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
}

export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

/**
 * The workloads a rendered manifest declares, parsing only the documents that may be one. A release's
 * manifest is mostly Services, ConfigMaps, RBAC and CRDs, and the YAML parser costs a few milliseconds a
 * document: validate and status read it for every chart of a run. A document is skipped only when its
 * top-level `kind:` line (block style, as helm renders) names another kind; any other shape is parsed. Pure.
 */
export function workloadsInManifest(manifest: string, defaultNamespace?: string): KubeObject[] {
  const documents = manifest.split(/^---[ \t]*(?:#.*)?$/m);
  const maybe = documents.filter((doc) => {
    const kind = /^kind:[ \t]*["']?([A-Za-z0-9]+)["']?[ \t]*(?:#.*)?$/m.exec(doc)?.[1];
    return kind === undefined || WORKLOAD_KINDS.has(kind) || kind.endsWith('List');
  });
  return workloadsOf(parseManifest(maybe.join('\n---\n'), defaultNamespace));
}

/** The workloads (Deployment, StatefulSet, DaemonSet, Job) a manifest declares. */
export function workloadsOf(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
}

/** A label selector string from a workload's spec.selector.matchLabels (what its pods carry). */
export function podSelectorOf(workload: KubeObject): string | undefined {
  const selector = workload.spec?.selector as { matchLabels?: Record<string, string> } | undefined;
  const labels = selector?.matchLabels ?? ((workload.spec?.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels);
  if (!labels || Object.keys(labels).length === 0) return undefined;
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}
