// A readable diff of two rendered manifests, resource by resource, computed without the helm-diff
// plugin. Secret data is never shown: a changed Secret says which keys changed, not their values. A
// sensitive value rendered into any other kind (a ConfigMap, an env var, an annotation) is replaced by a
// marker on both sides of the diff, at the same place in the old object too, so that the previous
// revision's value at that place (a secret no longer in the spec) does not show either. Pure.
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { parseManifest } from '../kube/manifest.js';
import type { KubeObject } from '../kube/types.js';
import { NO_MASKER, type Masker } from '../secrets/masker.js';

export interface DiffOptions {
  /** Masks the chart's sensitive values (see secrets/sensitive.ts); nothing is masked beyond Secrets without it. */
  masker?: Masker;
}

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

const SENSITIVE = '(sensitive value)';
const SENSITIVE_CHANGED = '(sensitive value, changed)';

type Tree = Record<string, unknown> | unknown[];
const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null;
const isLeaf = (value: unknown): value is string | number | boolean => ['string', 'number', 'bigint', 'boolean'].includes(typeof value);

/**
 * Copies of both objects where every leaf that holds a sensitive value (on either side) is a marker,
 * the same marker on both sides when the leaf did not change. Keys are masked as text.
 */
function maskSensitiveLeaves(before: unknown, after: unknown, masker: Masker): { before: unknown; after: unknown } {
  const sensitive = (value: unknown) => isLeaf(value) && masker.reveals(String(value));
  if (sensitive(before) || sensitive(after)) {
    const same = isLeaf(before) && isLeaf(after) && before === after;
    return { before: before === undefined ? undefined : SENSITIVE, after: after === undefined ? undefined : same ? SENSITIVE : SENSITIVE_CHANGED };
  }
  if (Array.isArray(before) || Array.isArray(after)) {
    const a = Array.isArray(before) ? before : undefined;
    const b = Array.isArray(after) ? after : undefined;
    const length = Math.max(a?.length ?? 0, b?.length ?? 0);
    const outA: unknown[] = [];
    const outB: unknown[] = [];
    for (let i = 0; i < length; i++) {
      const pair = maskSensitiveLeaves(a ? a[i] : undefined, b ? b[i] : undefined, masker);
      if (a && i < a.length) outA.push(pair.before);
      if (b && i < b.length) outB.push(pair.after);
    }
    return { before: a ? outA : maskSensitiveLeaves(before, undefined, masker).before, after: b ? outB : maskSensitiveLeaves(undefined, after, masker).after };
  }
  if (isTree(before) || isTree(after)) {
    const a = isTree(before) ? (before as Record<string, unknown>) : undefined;
    const b = isTree(after) ? (after as Record<string, unknown>) : undefined;
    const outA: Record<string, unknown> = {};
    const outB: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])) {
      const pair = maskSensitiveLeaves(a?.[key], b?.[key], masker);
      if (a && key in a) outA[masker.mask(key)] = pair.before;
      if (b && key in b) outB[masker.mask(key)] = pair.after;
    }
    return { before: a ? outA : maskSensitiveLeaves(before, undefined, masker).before, after: b ? outB : maskSensitiveLeaves(undefined, after, masker).after };
  }
  return { before, after };
}

function index(manifest: string, namespace: string): Map<string, KubeObject> {
  return new Map(parseManifest(manifest, namespace).map((o) => [keyOf(o), o]));
}

/** The changes from `before` to `after`; empty when they render the same objects. */
export function diffManifests(before: string, after: string, namespace: string, options: DiffOptions = {}): ResourceChange[] {
  const masker = options.masker ?? NO_MASKER;
  const old = index(before, namespace);
  const next = index(after, namespace);
  const changes: ResourceChange[] = [];
  const keys = [...new Set([...old.keys(), ...next.keys()])].sort();
  for (const key of keys) {
    const masked = masker.empty ? { before: old.get(key), after: next.get(key) } : maskSensitiveLeaves(old.get(key), next.get(key), masker);
    const a = masked.before as KubeObject | undefined;
    const b = masked.after as KubeObject | undefined;
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
    // Last, the text itself: a value in a resource's name, or split across a YAML line fold.
    changes.push({ resource: masker.mask(key), change, patch: masker.mask(patch) });
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
