// Existing custom resources against the new CRD: each object, read through a version the live CRD
// serves, is checked against the schema of the new CRD's storage version, the version every object is
// written through once the new CRD is in place. Structural schema by ajv (schema-check.ts), CEL rules
// by @bufbuild/cel (cel-rules.ts). Pure.
import type { KubeObject } from '../kube/types.js';
import { celViolations, uncheckableRules, type UncheckedRule } from './cel-rules.js';
import { conversionStrategy, objectName, specOf, storageVersion, versionNamed } from './crd-shape.js';
import { schemaViolations } from './schema-check.js';

/** One existing custom resource that would no longer validate. */
export interface ResourceFinding {
  /** namespace/name (name when cluster-scoped). */
  object: string;
  path: string;
  rule: string;
  message: string;
}

export interface CompatibilityReport {
  crd: string;
  /** The version of the new CRD the objects were checked against (its storage version). */
  version: string;
  /** How many objects were checked. */
  checked: number;
  findings: ResourceFinding[];
  /** CEL rules that were not evaluated, and why. */
  unchecked: UncheckedRule[];
  /** Why nothing was checked, when so. */
  notChecked?: string;
}

/** Where to read the live objects for the check: a version the live CRD serves. */
export type ReadChoice = { read: string; against: string } | { notChecked: string; against: string };

/**
 * The version to list the objects through, and the new version to check them against. Through the
 * new storage version when the live CRD already serves it (the API server converts); else through the
 * live storage version, whose fields are the same when conversion is None (only apiVersion changes).
 * With a conversion webhook and no served target version, there is nothing to convert with yet. Pure.
 */
export function readChoice(live: KubeObject, next: KubeObject): ReadChoice {
  const against = storageVersion(next)?.name ?? '';
  if (versionNamed(live, against)?.served) return { read: against, against };
  const liveStorage = storageVersion(live)?.name;
  if (!liveStorage) return { notChecked: 'the live CRD has no storage version', against };
  if (conversionStrategy(live) === 'Webhook' || conversionStrategy(next) === 'Webhook') {
    return { notChecked: `the live CRD does not serve ${against} and converts through a webhook: the objects cannot be read at ${against} before the upgrade`, against };
  }
  return { read: liveStorage, against };
}

/** The findings of the live objects (read through `choice.read`) against the new CRD. Pure. */
export function checkCompatibility(next: KubeObject, choice: ReadChoice, objects: readonly KubeObject[]): CompatibilityReport {
  const crd = next.metadata.name;
  const schema = versionNamed(next, choice.against)?.schema?.openAPIV3Schema;
  const base = { crd, version: choice.against, findings: [] as ResourceFinding[] };
  if ('notChecked' in choice) return { ...base, checked: 0, unchecked: schema ? uncheckableRules(schema) : [], notChecked: choice.notChecked };
  if (!schema) return { ...base, checked: 0, unchecked: [], notChecked: `version ${choice.against} of the new CRD has no schema` };
  const apiVersion = `${specOf(next).group}/${choice.against}`;
  const unchecked = new Map<string, UncheckedRule>();
  const findings: ResourceFinding[] = [];
  for (const object of objects) {
    // Read through another version with conversion None: the same fields, as the new version names them.
    const seen = { ...object, apiVersion };
    for (const v of schemaViolations(schema, seen)) findings.push({ object: objectName(object), ...v });
    const cel = celViolations(schema, seen);
    for (const v of cel.violations) findings.push({ object: objectName(object), ...v });
    for (const u of cel.unchecked) unchecked.set(`${u.path}\0${u.rule}`, u);
  }
  for (const u of uncheckableRules(schema)) if (!unchecked.has(`${u.path}\0${u.rule}`)) unchecked.set(`${u.path}\0${u.rule}`, u);
  return { ...base, checked: objects.length, findings, unchecked: [...unchecked.values()] };
}
