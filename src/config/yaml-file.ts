// Parsing a YAML stack file into plain data, or a StackConfigError that names the file and the line.
// The yaml package's own duplicate-key check compares every key with every other (a 50,000-key map took
// minutes), so it is turned off and done here with a Set, in one pass over the document. Aliases are
// resolved with a bound on how much they may expand (a "billion laughs" file is refused, not expanded),
// and an alias to an anchor that does not exist is an input error with its line, not a crash. Pure.
import { isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { StackConfigError, type SpecIssue } from '../errors.js';
import { readPlainYamlDocument } from './fast-yaml.js';

/** How many aliases a document may expand (yaml's own default guard, kept explicit). */
const MAX_ALIAS_COUNT = 100;
/** How many problems of one kind are listed before the error stops looking. */
const MAX_LISTED = 20;

function where(lines: LineCounter, node: Node | null | undefined): string {
  const offset = node?.range?.[0];
  if (offset === undefined) return '(document)';
  const { line, col } = lines.linePos(offset);
  return `line ${line}, column ${col}`;
}

/** Keys that appear twice in one mapping, and keys that are not plain scalars. */
function keyIssues(doc: Document, lines: LineCounter): SpecIssue[] {
  const issues: SpecIssue[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (issues.length >= MAX_LISTED) return visit.BREAK;
        const key = pair.key as Node | null;
        if (!isScalar(key)) {
          issues.push({ field: where(lines, key), message: 'a key must be a plain name, not a list, a map or an alias' });
          continue;
        }
        // Keys are compared by their value, as YAML does: `1` and `"1"` are different keys.
        const identity = `${typeof key.value}:${String(key.value)}`;
        if (seen.has(identity)) issues.push({ field: where(lines, key), message: `the key '${String(key.value)}' appears twice in this mapping` });
        seen.add(identity);
      }
      return undefined;
    },
  });
  return issues;
}

/** Aliases whose anchor is not defined before them. */
function unresolvedAliases(doc: Document, lines: LineCounter): SpecIssue[] {
  const issues: SpecIssue[] = [];
  visit(doc, {
    Alias(_key, alias) {
      if (issues.length >= MAX_LISTED) return visit.BREAK;
      if (alias.resolve(doc) === undefined) issues.push({ field: where(lines, alias), message: `the alias *${alias.source} has no anchor &${alias.source} before it` });
      return undefined;
    },
  });
  return issues;
}

/** The data of a YAML stack file; `file` is only named in errors. */
export function parseStackYaml(text: string, file: string): unknown {
  // A plain file (no anchors, tags, duplicate or non-scalar keys) is read by js-yaml, as yaml would read
  // it (fast-yaml.ts; 100-300 ms less for a 1,000-chart stack); any other goes through the checks below.
  const plain = readPlainYamlDocument(text);
  if (plain !== undefined) return plain;
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    const issues = doc.errors.slice(0, MAX_LISTED).map((e) => ({
      field: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(document)',
      // prettyErrors appends a code excerpt after the first line; the position is already in the field.
      message: e.code === 'MULTIPLE_DOCS' ? 'a stack file holds one YAML document; this one has another after ---' : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
    }));
    throw new StackConfigError('not valid YAML', { file, issues });
  }
  const keys = keyIssues(doc, lines);
  if (keys.length > 0) throw new StackConfigError('not a valid stack file: its mappings have bad keys', { file, issues: keys });
  const aliases = unresolvedAliases(doc, lines);
  if (aliases.length > 0) throw new StackConfigError('not valid YAML: an alias names an anchor that is not defined', { file, issues: aliases });
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // What is left here is an alias that expands too far (yaml counts every expansion).
    throw new StackConfigError('not valid YAML: its aliases expand too far', {
      file,
      issues: [{ field: '(aliases)', message: `${(error as Error).message} (at most ${MAX_ALIAS_COUNT} alias expansions)` }],
    });
  }
}
