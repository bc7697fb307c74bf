// The parts of a CustomResourceDefinition that its evolution reads: versions (served, storage, schema),
// conversion, status.storedVersions. Pure accessors over the CRD as plain JSON.
import type { KubeObject } from '../kube/types.js';
import type { OpenApiSchema } from './openapi-schema.js';

export const CRD_API_VERSION = 'apiextensions.k8s.io/v1';

export function crdRef(name: string) {
  return { apiVersion: CRD_API_VERSION, kind: 'CustomResourceDefinition', name };
}

export interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  schema?: { openAPIV3Schema?: OpenApiSchema };
  [key: string]: unknown;
}

export interface WebhookClientConfig {
  service?: { namespace: string; name: string; port?: number; path?: string };
  url?: string;
}

export interface CrdConversion {
  strategy?: 'None' | 'Webhook';
  webhook?: { clientConfig?: WebhookClientConfig; conversionReviewVersions?: string[] };
}

export interface CrdSpecShape {
  group: string;
  names: { kind: string; plural: string };
  scope?: string;
  versions: CrdVersion[];
  conversion?: CrdConversion;
}

export function specOf(crd: KubeObject): CrdSpecShape {
  return crd.spec as unknown as CrdSpecShape;
}

/** The version objects are stored at (undefined for a CRD without one, which the API server refuses). */
export function storageVersion(crd: KubeObject): CrdVersion | undefined {
  return specOf(crd).versions.find((v) => v.storage);
}

export function versionNamed(crd: KubeObject, name: string): CrdVersion | undefined {
  return specOf(crd).versions.find((v) => v.name === name);
}

/** The versions the API server may still have objects stored at (status.storedVersions). */
export function storedVersions(crd: KubeObject): string[] {
  const listed = (crd.status as { storedVersions?: unknown } | undefined)?.storedVersions;
  return Array.isArray(listed) ? listed.filter((v): v is string => typeof v === 'string') : [];
}

/** "group/version" of a CRD's version. */
export function apiVersionOf(crd: KubeObject, version: string): string {
  return `${specOf(crd).group}/${version}`;
}

export function conversionStrategy(crd: KubeObject): 'None' | 'Webhook' {
  return specOf(crd).conversion?.strategy === 'Webhook' ? 'Webhook' : 'None';
}

/** namespace/name of a custom resource (name when cluster-scoped). */
export function objectName(object: KubeObject): string {
  return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}
