// `import --check`: what the imported stack deploys against what helmfile itself says, per environment.
// The releases (name, namespace, chart, version, digest) and every rendered object (kind, namespace,
// name, and its content, to the first field that differs). Both renderings arrive masked with the same
// masker, so a secret shows as *** on both sides and compares equal without being shown. Pure.
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { shown } from './quote.js';

/** A release as either side declares it; chart is the chart's own name (the last path segment). */
export interface CheckedRelease {
  name: string;
  namespace: string;
  chart: string;
  version?: string | undefined;
  digest?: string | undefined;
}

export interface CheckDifference {
  environment: string;
  what: string;
}

const DIGEST_AT = /@(sha256:[0-9a-fA-F]{64})$/;
/** A release's namespace as both sides spell "none given". */
const namespaceOf = (namespace: unknown) => (typeof namespace === 'string' && namespace !== '' ? namespace : 'default');
/** `local/web`, `oci://host/charts/web@sha256:…`, `./charts/web/` → `web`. */
export const chartBaseName = (chart: string) => chart.replace(DIGEST_AT, '').replace(/\/+$/, '').split('/').pop() ?? chart;

function splitVersion(version: unknown): { version?: string; digest?: string } {
  if (typeof version !== 'string' || version === '') return {};
  const digest = DIGEST_AT.exec(version)?.[1];
  const bare = version.replace(DIGEST_AT, '');
  return { ...(bare ? { version: bare } : {}), ...(digest ? { digest: digest.toLowerCase() } : {}) };
}

/** The releases `helmfile -e ENV list --output json` lists as installed. */
export function helmfileReleases(json: string): CheckedRelease[] {
  const listed = JSON.parse(json) as unknown;
  if (!Array.isArray(listed)) throw new Error('helmfile list did not print a JSON list');
  return listed
    .filter((r): r is Record<string, unknown> => !!r && typeof r === 'object' && r.installed !== false && r.enabled !== false)
    .map((r) => {
      const chart = String(r.chart ?? '');
      const chartDigest = DIGEST_AT.exec(chart)?.[1];
      const { version, digest } = splitVersion(r.version);
      return { name: String(r.name), namespace: namespaceOf(r.namespace), chart: chartBaseName(chart), version, digest: digest ?? chartDigest?.toLowerCase() };
    });
}

/** The releases a resolved stack deploys in one environment (its charts whose action is not destroy). */
export function stackReleases(charts: readonly { name: string; definition: Record<string, unknown> }[]): CheckedRelease[] {
  return charts
    .filter((c) => c.definition.action !== 'destroy')
    .map((c) => ({
      name: c.name,
      namespace: namespaceOf(c.definition.namespace),
      chart: chartBaseName(String(c.definition.chart ?? '')),
      version: typeof c.definition.version === 'string' ? c.definition.version : undefined,
      digest: typeof c.definition.digest === 'string' ? c.definition.digest.toLowerCase() : undefined,
    }));
}

export function compareReleases(environment: string, helmfile: readonly CheckedRelease[], stack: readonly CheckedRelease[]): CheckDifference[] {
  const out: CheckDifference[] = [];
  const diff = (what: string) => out.push({ environment, what });
  const ours = new Map(stack.map((r) => [r.name, r]));
  const theirs = new Map(helmfile.map((r) => [r.name, r]));
  for (const [name, h] of theirs) {
    const s = ours.get(name);
    if (!s) {
      diff(`release '${shown(name)}': helmfile deploys it, the stack does not`);
      continue;
    }
    for (const field of ['namespace', 'chart', 'version', 'digest'] as const) {
      if ((h[field] ?? '') !== (s[field] ?? '')) diff(`release '${shown(name)}': ${field} ${shown(h[field] ?? '(none)')} in helmfile, ${shown(s[field] ?? '(none)')} in the stack`);
    }
  }
  for (const name of ours.keys()) if (!theirs.has(name)) diff(`release '${shown(name)}': the stack deploys it, helmfile does not`);
  return out;
}

/** Rendered objects by `Kind namespace/name` (namespace `-` when the template sets none). */
export function renderedObjects(text: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS({ maxAliasCount: 100 }) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
    if (!object || typeof object !== 'object' || typeof object.kind !== 'string') continue;
    out.set(`${object.kind} ${typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : '-'}/${String(object.metadata?.name)}`, object);
  }
  return out;
}

/** The first path where two values differ (`spec.replicas`, `data.message`), or undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (found !== undefined) return found;
    }
  }
  return path || '(the whole object)';
}

export function compareManifests(environment: string, helmfile: string, stack: string): CheckDifference[] {
  const out: CheckDifference[] = [];
  const theirs = renderedObjects(helmfile);
  const ours = renderedObjects(stack);
  for (const [key, object] of theirs) {
    if (!ours.has(key)) out.push({ environment, what: `${shown(key)}: helmfile renders it, the stack does not` });
    else {
      const path = firstDifference(object, ours.get(key));
      if (path !== undefined) out.push({ environment, what: `${shown(key)}: differs at ${shown(path)}` });
    }
  }
  for (const key of ours.keys()) if (!theirs.has(key)) out.push({ environment, what: `${shown(key)}: the stack renders it, helmfile does not` });
  return out;
}
