// A chart's `transform`: a function of the user's config that changes the rendered objects before helm
// applies, dry-runs or prints them (Helm's post-render step). This file is the pure half: the stream
// helm hands its post-renderer is parsed into plain objects, the transform's answer is checked, and the
// objects are written back as one stream. The helm side (the post-renderer process that calls back into
// this process) is src/helm/post-render/.
//
// YAML is read as Kubernetes reads it (YAML 1.1: `on`, `yes` are booleans) and written so it reads back
// the same way (a string "on" is quoted), so a document the transform leaves alone means what it meant.
import { parseAllDocuments, stringify, type Document, type Tags } from 'yaml';
import { HelmcycleError } from '../errors.js';
import type { PostRenderer } from '../helm/types.js';
import type { MessageLevel } from './events.js';

/** A rendered object as the transform sees it: plain data, every key helm rendered. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface TransformContext {
  /** The chart's name in the stack, which is also its release's name. */
  name: string;
  release: string;
  namespace: string;
  /** The chart reference (folder, repository chart name, oci://). */
  chart: string;
  /** Reports a message as an event of the phase that renders (in plan and template: nowhere). */
  log(message: string, level?: MessageLevel): void;
}

/**
 * Changes a chart's rendered objects without forking it: add labels, patch a field the chart does not
 * expose, drop an object. Returns the objects to render (the same array changed in place is fine).
 */
export type ManifestTransform = (manifests: ManifestObject[], ctx: TransformContext) => ManifestObject[] | Promise<ManifestObject[]>;

/** A transform threw, or returned something that is not a list of Kubernetes objects. */
export class TransformError extends HelmcycleError {
  constructor(chart: string, message: string, cause?: unknown) {
    super('TRANSFORM_FAILED', `chart '${chart}': transform ${message}`, {
      chart,
      cause,
      hint: 'fix the chart\'s transform in the config; helm applied nothing of this render, so the release is as it was',
    });
  }
}

/**
 * Helm 4 marks every document with the template file it came from before post-rendering, and takes the
 * mark off again after. It is helm's bookkeeping, not the chart's: the transform does not see it.
 */
const HELM_FILENAME_ANNOTATION = 'postrenderer.helm.sh/postrender-filename';

// Timestamps stay strings, as the API server reads them: a Date would serialize differently.
const withoutTimestamp = (tags: Tags) => tags.filter((tag) => typeof tag === 'string' ? tag !== 'timestamp' : tag.tag !== 'tag:yaml.org,2002:timestamp');
const READ = { version: '1.1', customTags: withoutTimestamp } as const;
const WRITE = { version: '1.1', customTags: withoutTimestamp, lineWidth: 0, aliasDuplicates: false, aliasDuplicateObjects: false } as const;

interface RenderedDocument {
  object: Record<string, unknown>;
  /** helm's `# Source: file` comment, kept for the same object on the way out. */
  source: string | undefined;
  helmFilename: string | undefined;
}

function sourceComment(document: Document.Parsed): string | undefined {
  // After a `---` the comment belongs to the document; at the very top of the stream, to its first node.
  const comments = `${document.commentBefore ?? ''}\n${(document.contents as { commentBefore?: string | null } | null)?.commentBefore ?? ''}`;
  const match = /^ ?Source: (.+)$/m.exec(comments);
  return match?.[1];
}

/** Every non-empty document of a rendered stream, as plain objects. Throws on YAML helm would refuse too. Pure. */
export function parseRendered(stream: string): RenderedDocument[] {
  const documents: RenderedDocument[] = [];
  for (const document of parseAllDocuments(stream, READ)) {
    if (document.errors.length > 0) throw new Error(`the rendered manifest is not YAML: ${document.errors[0]!.message}`);
    const value = document.toJS({ maxAliasCount: -1 }) as unknown;
    // A template that renders nothing leaves an empty document; helm drops those too.
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('the rendered manifest holds a document that is not an object');
    const object = value as Record<string, unknown>;
    const annotations = (object.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
    let helmFilename: string | undefined;
    if (annotations && typeof annotations[HELM_FILENAME_ANNOTATION] === 'string') {
      helmFilename = annotations[HELM_FILENAME_ANNOTATION] as string;
      delete annotations[HELM_FILENAME_ANNOTATION];
      if (Object.keys(annotations).length === 0) delete (object.metadata as Record<string, unknown>).annotations;
    }
    documents.push({ object, source: sourceComment(document), helmFilename });
  }
  return documents;
}

function identity(object: { apiVersion?: unknown; kind?: unknown; metadata?: unknown }): string {
  const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  return JSON.stringify([object.apiVersion, object.kind, metadata.namespace ?? '', metadata.name]);
}

/** Why the transform's answer is not a list of objects helm can apply, or undefined when it is. Pure. */
export function invalidTransformResult(result: unknown): string | undefined {
  if (!Array.isArray(result)) return `returned ${result === null ? 'null' : typeof result}, not a list of objects`;
  for (const [index, item] of result.entries()) {
    const at = `returned an invalid object at index ${index}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return `${at}: ${item === null ? 'null' : Array.isArray(item) ? 'a list' : typeof item}, not an object`;
    const object = item as Record<string, unknown>;
    if (typeof object.apiVersion !== 'string' || object.apiVersion === '') return `${at}: no apiVersion`;
    if (typeof object.kind !== 'string' || object.kind === '') return `${at}: no kind`;
    const metadata = object.metadata as Record<string, unknown> | undefined;
    if (!metadata || typeof metadata !== 'object' || typeof metadata.name !== 'string' || metadata.name === '') return `${at} (${object.kind}): no metadata.name`;
  }
  return undefined;
}

/** The objects as one stream, each after its `# Source:` comment when it came from the render. Pure. */
export function serializeRendered(objects: readonly ManifestObject[], rendered: readonly RenderedDocument[]): string {
  const byIdentity = new Map(rendered.map((document) => [identity(document.object), document]));
  return objects
    .map((object) => {
      const from = byIdentity.get(identity(object));
      let written: Record<string, unknown> = object;
      if (from?.helmFilename !== undefined) {
        // helm 4 files the object under its template again by this mark (a copy: the user's object stays theirs).
        const metadata = { ...object.metadata, annotations: { ...object.metadata.annotations, [HELM_FILENAME_ANNOTATION]: from.helmFilename } };
        written = { ...object, metadata };
      }
      const comment = from?.source ? `# Source: ${from.source}\n` : '';
      return `---\n${comment}${stringify(written, WRITE)}`;
    })
    .join('');
}

/**
 * Runs a transform over a rendered stream and returns the stream to render. Any failure is a
 * TransformError naming the chart. The objects are the transform's to change: they are parsed afresh for it.
 */
export async function transformRendered(stream: string, transform: ManifestTransform, ctx: TransformContext): Promise<string> {
  let rendered: RenderedDocument[];
  try {
    rendered = parseRendered(stream);
  } catch (error) {
    throw new TransformError(ctx.name, `could not read what helm rendered: ${(error as Error).message}`, error);
  }
  let result: unknown;
  try {
    result = await transform(rendered.map((document) => structuredClone(document.object)) as ManifestObject[], ctx);
  } catch (error) {
    throw new TransformError(ctx.name, `threw: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const invalid = invalidTransformResult(result);
  if (invalid) throw new TransformError(ctx.name, invalid);
  try {
    return serializeRendered(result as ManifestObject[], rendered);
  } catch (error) {
    throw new TransformError(ctx.name, `returned objects that cannot be written as YAML: ${(error as Error).message}`, error);
  }
}

/** The post-renderer helm runs for a chart with a transform; undefined without one. */
export function postRendererFor(
  spec: { name: string; namespace: string; chart: string },
  transform: ManifestTransform | undefined,
  log: TransformContext['log'] = () => {},
): PostRenderer | undefined {
  if (!transform) return undefined;
  const ctx: TransformContext = { name: spec.name, release: spec.name, namespace: spec.namespace, chart: spec.chart, log };
  return (manifest) => transformRendered(manifest, transform, ctx);
}

/**
 * What the release digest records of a transform: its source text. An edited transform is an upgrade;
 * one that reads the world outside its own text (a file, an environment variable) changes nothing the
 * digest sees, and needs --force-upgrade (or skipUnchanged: false) to take effect. Pure.
 */
export function transformFingerprint(transform: ManifestTransform | undefined): string | undefined {
  return transform ? Function.prototype.toString.call(transform) : undefined;
}
