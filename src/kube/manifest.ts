// Reads the objects out of a rendered helm manifest (multi-document YAML). Pure.
import { parseAllDocuments } from 'yaml';
import { readPlainYamlStream } from '../config/fast-yaml.js';
import type { KubeObject, ObjectRef } from './types.js';

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<KubeObject>;
  return typeof v.apiVersion === 'string' && typeof v.kind === 'string' && typeof v.metadata?.name === 'string';
}

/** Every object in the manifest; namespaced objects without a namespace get `defaultNamespace`. */
export function parseManifest(manifest: string, defaultNamespace?: string): KubeObject[] {
  const objects: KubeObject[] = [];
  // Most manifests are plain YAML, read by js-yaml several times faster (fast-yaml.ts); any other by yaml.
  const values = readPlainYamlStream(manifest) ?? parseAllDocuments(manifest).map((doc) => doc.toJS() as unknown);
  for (const value of values) {
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
  // Kinds of removed or deprecated APIs (src/upgrade/api-removals.ts) that are cluster-scoped too.
  'PodSecurityPolicy', 'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration', 'CSINode',
  'VolumeAttachment', 'VolumeAttributesClass', 'DeviceClass',
]);

export function refOf(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
}

/** A reference a spec names (adopt, backup), with the release's namespace filled in where the kind has one. Pure. */
export function resolveRef(ref: { apiVersion: string; kind: string; name: string; namespace?: string | undefined }, releaseNamespace: string): ObjectRef {
  const namespace = CLUSTER_SCOPED_KINDS.has(ref.kind) ? undefined : (ref.namespace ?? releaseNamespace);
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace };
}

export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

/** A plain or simply quoted scalar on one line; undefined for anything else (an anchor, a flow, a block). Pure. */
function headerScalar(raw: string): string | undefined {
  const value = raw.replace(/[ \t]+#.*$/, '').trim();
  if (/^"[^"\\]*"$/.test(value) || /^'[^']*'$/.test(value)) return value.slice(1, -1);
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) ? value : undefined;
}

/**
 * apiVersion, kind, metadata.name and metadata.namespace of one block-style document, read from its
 * lines as helm renders them; undefined when the document has any other shape (the caller parses it). Pure.
 */
export function documentHeader(doc: string): ObjectRef | undefined {
  const top: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  let inMetadata = false;
  let childIndent = -1;
  for (const line of doc.split('\n')) {
    if (line.trim() === '' || /^\s*#/.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) {
      const field = /^([A-Za-z]+):(.*)$/.exec(line);
      if (!field) return undefined; // a flow document, a list, a directive: not this reader's shape
      inMetadata = field[1] === 'metadata';
      if (inMetadata) {
        if (field[2]!.replace(/#.*$/, '').trim() !== '') return undefined; // metadata: {name: x}
        continue;
      }
      if (field[1] === 'apiVersion' || field[1] === 'kind') {
        const value = headerScalar(field[2]!);
        if (value === undefined) return undefined;
        top[field[1]] = value;
      }
      continue;
    }
    if (!inMetadata) continue;
    if (childIndent < 0) childIndent = indent;
    if (indent !== childIndent) continue; // labels', annotations' own content
    const field = /^ *([A-Za-z]+):(.*)$/.exec(line);
    if (!field) return undefined;
    if (field[1] === 'name' || field[1] === 'namespace') {
      const value = headerScalar(field[2]!);
      if (value === undefined) return undefined;
      metadata[field[1]] = value;
    }
  }
  if (!top.apiVersion || !top.kind || !metadata.name) return undefined;
  return { apiVersion: top.apiVersion, kind: top.kind, name: metadata.name, namespace: metadata.namespace };
}

/**
 * The workloads a rendered manifest declares, as references. A release's manifest is mostly Services,
 * ConfigMaps, RBAC and CRDs, and the YAML parser costs milliseconds a document, which validate and
 * status paid for every chart of a run; helm renders block-style documents whose header lines say all a
 * reference needs. A document in any other shape is parsed whole. Pure.
 */
export function workloadRefsInManifest(manifest: string, defaultNamespace?: string): ObjectRef[] {
  const refs: ObjectRef[] = [];
  for (const doc of manifest.split(/^---[ \t]*(?:#.*)?$/m)) {
    if (doc.trim() === '') continue;
    const header = documentHeader(doc);
    if (header && !header.kind.endsWith('List')) {
      if (!WORKLOAD_KINDS.has(header.kind)) continue;
      refs.push({ ...header, namespace: header.namespace ?? (CLUSTER_SCOPED_KINDS.has(header.kind) ? undefined : defaultNamespace) });
      continue;
    }
    refs.push(...workloadsOf(parseManifest(doc, defaultNamespace)).map(refOf));
  }
  return refs;
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
