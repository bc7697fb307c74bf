// Rewrites the apiVersion of objects in a stored release manifest, as helm-mapkubeapis does: each
// document whose apiVersion and kind are to be mapped gets its top-level `apiVersion:` line replaced;
// an object whose kind has no replacement (PodSecurityPolicy) is dropped from the manifest, since the
// cluster can hold none of it. Everything else (comments, `# Source:` lines, field order, quoting) is
// kept byte for byte. Pure.
import { parse } from 'yaml';

/** apiVersion → replacement apiVersion for one kind; undefined: the object is dropped. */
export interface ApiMapping {
  apiVersion: string;
  kind: string;
  replacement: string | undefined;
}

export interface ManifestRewrite {
  manifest: string;
  /** What changed, one line per object: "PodDisruptionBudget/web policy/v1beta1 -> policy/v1". */
  changes: string[];
}

interface Header {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
}

function headerOf(body: string): Header | undefined {
  try {
    const value = parse(body) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Header) : undefined;
  } catch {
    // A document helm stored but this cannot parse is left exactly as it is.
    return undefined;
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The manifest with the mapped objects rewritten (or dropped), and what changed. */
export function rewriteManifestApis(manifest: string, mappings: readonly ApiMapping[]): ManifestRewrite {
  // Documents with the `---` line that opens each kept with it; the text before the first is a document too.
  const pieces = manifest.split(/^(?=---[ \t]*(?:#[^\n]*)?$)/m);
  const changes: string[] = [];
  const kept: string[] = [];
  for (const piece of pieces) {
    const body = piece.replace(/^---[^\n]*\n?/, '');
    const header = headerOf(body);
    const mapping = header && mappings.find((m) => m.apiVersion === header.apiVersion && m.kind === header.kind);
    if (!mapping) {
      kept.push(piece);
      continue;
    }
    const object = `${mapping.kind}/${String(header.metadata?.name ?? '?')}`;
    if (mapping.replacement === undefined) {
      changes.push(`${object} ${mapping.apiVersion} -> removed (no replacement)`);
      continue;
    }
    const line = new RegExp(`^apiVersion:[ \\t]*(["']?)${escape(mapping.apiVersion)}\\1[ \\t]*$`, 'm');
    if (!line.test(piece)) {
      kept.push(piece);
      continue;
    }
    kept.push(piece.replace(line, `apiVersion: ${mapping.replacement}`));
    changes.push(`${object} ${mapping.apiVersion} -> ${mapping.replacement}`);
  }
  return { manifest: kept.join(''), changes };
}
