// A helmfile's text as its YAML documents, each rendered as helmfile renders it: the parts between `---`
// lines are templates rendered one after the other, each seeing the environment values the parts before
// it defined (the caller passes them in), then parsed as YAML. A part that cannot be rendered (a syntax
// error, a condition on what the import cannot evaluate) is reported with its file and line and left
// out, never guessed. A part that is not YAML after rendering is exit 2, as a plain helmfile is. Pure.
import { parseDocument } from 'yaml';
import { StackConfigError } from '../errors.js';
import { renderTemplate } from './gotmpl/evaluate.js';
import { RenderFailure } from './gotmpl/values.js';
import type { Placeholders } from './placeholders.js';
import { shown } from './quote.js';

/** How many aliases a document may expand (yaml's own guard against alias bombs). */
const MAX_ALIAS_COUNT = 100;

export interface DocumentPart {
  /** 1-based, as `---` separates them. */
  index: number;
  text: string;
  /** The line of the file it starts on. */
  line: number;
}

/** The parts between `---` lines (a leading `---` opens the first one); empty parts are dropped. */
export function splitDocuments(text: string): DocumentPart[] {
  const parts: DocumentPart[] = [];
  let current: string[] = [];
  let start = 1;
  const lines = text.split('\n');
  const flush = (next: number) => {
    const body = current.join('\n');
    // A part of blank lines and comments only is no document (helmfile skips it too).
    if (!current.every((line) => /^\s*(#.*)?$/.test(line))) parts.push({ index: parts.length + 1, text: body, line: start });
    current = [];
    start = next;
  };
  lines.forEach((line, i) => {
    if (/^---[ \t]*(#.*)?$/.test(line)) flush(i + 2);
    else current.push(line);
  });
  flush(lines.length + 1);
  return parts;
}

export interface RenderScope {
  environment: string;
  values: Record<string, unknown>;
  placeholders: Placeholders;
  /** The file's path as shown in messages. */
  file: string;
  readFile?: (path: string, line: number) => string;
  /** The parsed YAML made plain data (plain-data.ts), before import values are revived in it. */
  plain: (data: unknown) => unknown;
}

export type RenderedPart = { ok: true; data: unknown } | { ok: false; line: number; reason: string };

/** The template data helmfile gives a state file. */
export function templateData(scope: Pick<RenderScope, 'environment' | 'values'>): Record<string, unknown> {
  return {
    Environment: { Name: scope.environment, Values: scope.values, KubeContext: '' },
    Values: scope.values,
    StateValues: scope.values,
    Namespace: '',
  };
}

/** YAML text as data, or exit 2 naming the file and the line; one that expands too far is refused. */
export function parseYamlPart(text: string, file: string, firstLine = 1): unknown {
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true });
  } catch (error) {
    throw new StackConfigError('cannot be imported: it nests too deep to read', { file, issues: [{ field: '(document)', message: shown((error as Error).message) }] });
  }
  if (doc.errors.length) {
    const issues = doc.errors.slice(0, 20).map((e) => ({ field: e.linePos ? `line ${e.linePos[0].line + firstLine - 1}, column ${e.linePos[0].col}` : '(document)', message: shown(e.message.split('\n')[0]!) }));
    throw new StackConfigError(firstLine > 1 || text.includes('{{') ? 'not valid YAML once rendered' : 'not valid YAML', { file, issues });
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const reason = error instanceof RangeError ? 'it nests too deep to read' : `its aliases expand too far (at most ${MAX_ALIAS_COUNT} alias expansions; an alias bomb?)`;
    throw new StackConfigError(`cannot be imported: ${reason}`, { file, issues: [{ field: '(aliases)', message: shown((error as Error).message) }] });
  }
}

/** One part rendered (when it holds a template) and parsed, its import values revived. */
export function renderPart(part: DocumentPart, scope: RenderScope): RenderedPart {
  let text = part.text;
  if (text.includes('{{')) {
    try {
      text = renderTemplate(text, {
        data: templateData(scope),
        special: (value) => scope.placeholders.token(value, scope.file, part.line - 1),
        ...(scope.readFile ? { readFile: (path, line) => scope.readFile!(path, line + part.line - 1) } : {}),
      });
    } catch (error) {
      if (!(error instanceof RenderFailure)) throw error;
      return { ok: false, line: error.line ? error.line + part.line - 1 : part.line, reason: error.reason };
    }
  }
  return { ok: true, data: scope.placeholders.revive(scope.plain(parseYamlPart(text, scope.file, part.line))) };
}
