// The objects of a release's manifest that a health rule judges, as references. Only these are read
// while validate waits, so a release of ConfigMaps, RBAC and ClusterIP Services costs no request. Helm
// renders block-style documents whose header lines say all a reference needs (kube/manifest.ts); a
// Service's rule matters only for type LoadBalancer, so a Service document that names that type is
// parsed whole; any document in another shape is too. Pure.
import { parseAllDocuments } from 'yaml';
import { CLUSTER_SCOPED_KINDS, documentHeader, parseManifest, refOf } from '../kube/manifest.js';
import type { KubeObject, ObjectRef } from '../kube/types.js';
import { hasHealthRule, healthKey } from './health-of.js';
import type { HealthFunctions } from './types.js';

function judged(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'spec'>, custom: HealthFunctions): boolean {
  if (!hasHealthRule(object, custom)) return false;
  if (healthKey(object) !== 'Service' || Object.hasOwn(custom, 'Service')) return true;
  return object.spec?.type === 'LoadBalancer';
}

function serviceType(doc: string): unknown {
  const value = parseAllDocuments(doc)[0]?.toJS() as { spec?: { type?: unknown } } | undefined;
  return value?.spec?.type;
}

export function healthRefsInManifest(manifest: string, defaultNamespace: string | undefined, custom: HealthFunctions = {}): ObjectRef[] {
  const refs: ObjectRef[] = [];
  for (const doc of manifest.split(/^---[ \t]*(?:#.*)?$/m)) {
    if (doc.trim() === '') continue;
    const header = documentHeader(doc);
    if (header && !header.kind.endsWith('List')) {
      if (!hasHealthRule(header, custom)) continue;
      const isService = healthKey(header) === 'Service' && !Object.hasOwn(custom, 'Service');
      if (isService && !(doc.includes('LoadBalancer') && serviceType(doc) === 'LoadBalancer')) continue;
      refs.push({ ...header, namespace: header.namespace ?? (CLUSTER_SCOPED_KINDS.has(header.kind) ? undefined : defaultNamespace) });
      continue;
    }
    refs.push(...parseManifest(doc, defaultNamespace).filter((o) => judged(o, custom)).map(refOf));
  }
  return refs;
}
