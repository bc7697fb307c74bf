// A readable diff of two rendered manifests, resource by resource, computed without the helm-diff
// plugin. Secret data is never shown: a changed Secret says which keys changed, not their values. Pure.
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { parseManifest } from '../kube/manifest.js';
import type { KubeObject } from '../kube/types.js';

export interface ResourceChange {
  /** kind/namespace/name (kind/name when cluster-scoped). */
  resource: string;
  change: 'added' | 'removed' | 'changed';
  /** A unified diff of the resource's YAML (Secret values masked). */
  patch: string;
}

function keyOf(object: KubeObject): string {
  const ns = object.metadata.namespace;
  return ns ? `${object.kind}/${ns}/${object.metadata.name}` : `${object.kind}/${object.metadata.name}`;
}

/** Replaces each Secret value with a marker that changes when the value does, without revealing it. */
function maskSecret(object: KubeObject, marker: (key: string, value: unknown) => string): KubeObject {
  if (object.kind !== 'Secret') return object;
  const masked = { ...object } as KubeObject & { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
  for (const field of ['data', 'stringData'] as const) {
    const values = masked[field];
    if (values && typeof values === 'object') {
      masked[field] = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, marker(k, v)]));
    }
  }
  return masked;
}

function index(manifest: string, namespace: string): Map<string, KubeObject> {
  return new Map(parseManifest(manifest, namespace).map((o) => [keyOf(o), o]));
}

/** The changes from `before` to `after`; empty when they render the same objects. */
export function diffManifests(before: string, after: string, namespace: string): ResourceChange[] {
  const old = index(before, namespace);
  const next = index(after, namespace);
  const changes: ResourceChange[] = [];
  const keys = [...new Set([...old.keys(), ...next.keys()])].sort();
  for (const key of keys) {
    const a = old.get(key);
    const b = next.get(key);
    // Same value on both sides gives the same marker; a changed value gives "(changed)" on the new side.
    const oldText = a ? stringify(maskSecret(a, (k) => `(secret value of ${k})`)) : '';
    const newText = b
      ? stringify(maskSecret(b, (k, v) => {
          const before = a && (a as unknown as Record<string, Record<string, unknown> | undefined>).data?.[k];
          const beforeString = a && (a as unknown as Record<string, Record<string, unknown> | undefined>).stringData?.[k];
          return before === v || beforeString === v ? `(secret value of ${k})` : `(secret value of ${k}, changed)`;
        }))
      : '';
    if (oldText === newText) continue;
    const change = !a ? 'added' : !b ? 'removed' : 'changed';
    const patch = createTwoFilesPatch(key, key, oldText, newText, undefined, undefined, { context: 3 })
      .split('\n')
      .slice(2) // drop the "Index"/"===" header lines
      .join('\n');
    changes.push({ resource: key, change, patch });
  }
  return changes;
}

/** The diff as text for a terminal or a log. */
export function formatManifestDiff(changes: readonly ResourceChange[], options: { patches?: boolean } = {}): string {
  const lines: string[] = [];
  const sign = { added: '+', removed: '-', changed: '~' } as const;
  for (const change of changes) {
    lines.push(`${sign[change.change]} ${change.resource} (${change.change})`);
    if (options.patches !== false && change.change === 'changed') {
      for (const line of change.patch.split('\n')) if (/^[-+@ ]/.test(line) && !/^(---|\+\+\+) /.test(line)) lines.push(`    ${line}`);
    }
  }
  return lines.join('\n');
}
