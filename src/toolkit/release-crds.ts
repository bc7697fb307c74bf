// Every CRD a release brings, wherever its chart keeps it: the chart's own crds/ folder, the crds/
// folder of each subchart that is enabled (Helm decides that from the dependencies' condition and tags
// and the release's values), and CRD objects among the rendered templates (often a subchart's,
// switched by a value). One `helm template --include-crds` with the release's values finds them all,
// each with the file Helm rendered it from, which tells a crds/ folder from a template.
import { parseAllDocuments } from 'yaml';
import type { HelmClient, TemplateRequest } from '../helm/types.js';
import type { KubeObject } from '../kube/types.js';
import { CRD_API_VERSION, isCrd, readCrdsFromPath } from './crds.js';
import { isOwnedBy, ownershipPatch, releaseOwnerOf, type ReleaseIdentity } from './ownership.js';

/** Where a CRD comes from: a crds/ folder (Helm installs it once, never upgrades it), a template, or crds.path. */
export type CrdSource = 'crds-folder' | 'template' | 'path';

export interface ReleaseCrd {
  crd: KubeObject;
  source: CrdSource;
  /** The file, as Helm names it ("monitor-stack/charts/crds/crds/probes.yaml"), or the path read. */
  file: string;
}

/**
 * Whether a file Helm rendered lies in a crds/ folder: the chart's own, or that of a subchart (under
 * charts/<name>/, at any depth). "templates/crds/x.yaml" is a template. Pure.
 */
export function isCrdsFolderFile(file: string): boolean {
  const parts = file.split('/');
  let i = 1;
  while (parts[i] === 'charts' && parts.length > i + 2) i += 2;
  return parts[i] === 'crds';
}

const DOCUMENT_MARKER = /^---(?:[ \t].*)?$/;
const SOURCE_LINE = /^#\s*Source:\s*(.+?)\s*$/;

/**
 * The CRDs in helm's rendered output (`helm template --include-crds`, or a release manifest), each
 * with the file it came from: helm starts each file with "# Source: <file>", and the later documents
 * of a multi-document file belong to the same file. Pure.
 */
export function crdsOfRendered(manifest: string): ReleaseCrd[] {
  const found: ReleaseCrd[] = [];
  let file = '';
  let chunk: string[] = [];
  const flush = () => {
    const text = chunk.join('\n');
    chunk = [];
    if (!text.trim()) return;
    for (const line of text.split('\n')) {
      const source = SOURCE_LINE.exec(line);
      if (source) file = source[1]!;
    }
    for (const doc of parseAllDocuments(text).map((d) => d.toJS() as unknown)) {
      if (isCrd(doc)) found.push({ crd: doc, source: isCrdsFolderFile(file) ? 'crds-folder' : 'template', file });
    }
  };
  for (const line of manifest.split('\n')) {
    if (DOCUMENT_MARKER.test(line)) flush();
    else chunk.push(line);
  }
  flush();
  return found;
}

/** One entry per CRD name; a later list wins (crds.path over the chart's own). Pure. */
export function mergeReleaseCrds(...lists: readonly (readonly ReleaseCrd[])[]): ReleaseCrd[] {
  const byName = new Map<string, ReleaseCrd>();
  for (const list of lists) for (const entry of list) byName.set(entry.crd.metadata.name, entry);
  return [...byName.values()];
}

export interface ReadReleaseCrdsOptions {
  /** crds.path: a directory or file of CRD manifests, added to (and winning over) the chart's. */
  path?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The CRDs a release of the chart brings with these values. `request` renders the chart as the
 * release would be (its values, its namespace); CRDs are included whatever it says about skipping them.
 */
export async function readReleaseCrds(helm: HelmClient, request: TemplateRequest, options: ReadReleaseCrdsOptions = {}): Promise<ReleaseCrd[]> {
  const rendered = crdsOfRendered(await helm.template({ ...request, skipCrds: false }, { signal: options.signal }));
  const fromPath = options.path ? (await readCrdsFromPath(options.path)).map((crd): ReleaseCrd => ({ crd, source: 'path', file: options.path! })) : [];
  return mergeReleaseCrds(rendered, fromPath);
}

export type CrdApplyDecision =
  | { apply: KubeObject }
  | { skip: string };

export interface CrdApplyContext {
  owner: ReleaseIdentity;
  /** The spec may take over objects (takeOwnership, or the CRD is in `adopt`). */
  mayTakeOver: boolean;
}

function describeOwner(owner: ReleaseIdentity): string {
  return `release ${owner.release} in namespace ${owner.namespace}`;
}

/**
 * What helmcycle does with one CRD before the deploy. Pure.
 * - A CRD of another release is left alone: changing it would change that release; for a template CRD,
 *   Helm then reports the ownership conflict itself, which the remedy policy handles.
 * - A template CRD is applied with the release's ownership metadata, so that Helm takes it over as its
 *   own (it refuses an existing object without it). An existing one that is not the release's already
 *   is left to Helm, as any other object would be, unless the spec takes objects over.
 * - A CRD of a crds/ folder or crds.path is applied as it is: Helm never owns those.
 */
export function decideCrdApply(entry: ReleaseCrd, live: KubeObject | undefined, context: CrdApplyContext): CrdApplyDecision {
  const name = entry.crd.metadata.name;
  const liveOwner = live ? releaseOwnerOf(live) : undefined;
  const ours = live !== undefined && isOwnedBy(live, context.owner);
  if (liveOwner && !ours && !context.mayTakeOver) return { skip: `CRD ${name} belongs to ${describeOwner(liveOwner)}` };
  if (entry.source !== 'template') return { apply: entry.crd };
  if (live && !ours && !context.mayTakeOver) return { skip: `CRD ${name} exists and does not belong to ${describeOwner(context.owner)}; Helm will refuse to take it over` };
  const ownership = ownershipPatch(context.owner).metadata;
  const metadata = entry.crd.metadata;
  return {
    apply: {
      ...entry.crd,
      metadata: { ...metadata, labels: { ...metadata.labels, ...ownership.labels }, annotations: { ...metadata.annotations, ...ownership.annotations } },
    },
  };
}

export function crdRef(name: string) {
  return { apiVersion: CRD_API_VERSION, kind: 'CustomResourceDefinition', name };
}
