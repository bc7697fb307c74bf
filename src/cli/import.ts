// `helmcycle import helmfile.yaml [--ts] [--out file] [--force] [-e env | --all-environments]`: reads the
// helmfile as helmfile does in each of its environments (import/read-helmfile.ts: documents, bases,
// sub-helmfiles, templates), converts (import/convert.ts, pure), checks the stack as plan would load it in
// every environment, writes it, lists on stderr what was not converted and prints the checklist of what
// is left to do by hand (one JSON object with -o json). Never overwrites without --force.
// The helmfile and its values files are untrusted: an alias bomb, a circular alias or nesting too deep
// for the parser is refused (exit 2) naming the file, and every message stays short.
import { access, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { clip, isInputError, ScaffoldError, StackConfigError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { convertHelmfile } from '../import/convert.js';
import { emitTypeScript, emitYaml, itemsFor, type ImportFormat } from '../import/emit.js';
import { notConvertedLine } from '../import/not-converted.js';
import { checklist, checklistLines } from '../import/checklist.js';
import { readHelmfile } from '../import/read-helmfile.js';
import { shown } from '../import/quote.js';
import { resolveStack } from '../stack/load.js';
import { writePrivateFile } from './private-file.js';
import { checkLines } from '../import/check.js';
import { runImportCheck, type ImportCheckDeps, type ImportCheckInput } from './import-check.js';

/** How many aliases a helmfile or values file may expand (yaml's own guard against alias bombs). */
const MAX_ALIAS_COUNT = 100;
/** How many not-converted items stderr shows; the file lists them all. */
const ITEMS_ON_STDERR = 50;
/** How long a refusal from the stack loader may be when the import passes it on. */
const LOADER_MESSAGE_MAX = 1500;

/** A parsed document as data, or an error naming the file: too many aliases, an alias of itself, too deep. */
function dataOf(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const reason = error instanceof RangeError ? 'it nests too deep to read' : `its aliases expand too far (at most ${MAX_ALIAS_COUNT} alias expansions; an alias bomb?)`;
    throw new StackConfigError(`cannot be imported: ${reason}`, { file, issues: [{ field: '(aliases)', message: shown((error as Error).message) }] });
  }
}

export interface ImportOptions {
  ts?: boolean;
  out?: string;
  force?: boolean;
  /** Only this environment, rendered into the charts (the global --env). */
  env?: string;
  /** Every environment (the default), said explicitly. */
  allEnvironments?: boolean;
  /** The global --output: `json` prints one JSON object instead of the lines. */
  output?: string;
  /** Compare the written stack with helmfile's own rendering (import/check.ts); exit 1 when it differs or cannot be compared. */
  check?: boolean;
}

/** What --check needs from the command line: the global options and the seams (cli/import-check.ts). */
export interface ImportCheckContext extends ImportCheckDeps {
  globals: ImportCheckInput['globals'];
}

/** The helmfile's data, or an error naming the file and the line. */
export function parseHelmfileYaml(text: string, file: string): unknown {
  let doc: Document;
  try {
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true });
  } catch (error) {
    throw new StackConfigError('cannot be imported: it nests too deep to read', { file, issues: [{ field: '(document)', message: shown((error as Error).message) }] });
  }
  if (doc.errors.length === 0) return dataOf(doc, file);
  const issues = doc.errors.slice(0, 20).map((e) => ({
    field: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(document)',
    message: e.code === 'MULTIPLE_DOCS' ? 'more than one YAML document (helmfile layers parts with ---): join them into one to import' : shown(e.message.split('\n')[0]!),
  }));
  const templated = text.includes('{{') ? ' (Go templates outside values, such as {{ if }} blocks, are not YAML: render it with helmfile build first)' : '';
  throw new StackConfigError(`not valid YAML${templated}`, { file, issues });
}

const exists = (path: string) => access(path).then(() => true, () => false);

function relativePath(from: string, to: string): string {
  const rel = relative(from, to).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export async function runImport(helmfile: string, options: ImportOptions, cwd: string, io: { stdout: (t: string) => void; stderr: (t: string) => void }, checkWith?: ImportCheckContext): Promise<number> {
  const file = resolve(cwd, helmfile);
  await access(file).catch(() => {
    throw new StackConfigError('cannot read the helmfile', { file: helmfile, issues: [{ field: '(file)', message: 'no such file, or not readable' }] });
  });
  if (options.env !== undefined && options.allEnvironments) throw new ScaffoldError('--env and --all-environments exclude each other', 'pass --env NAME for one environment, or --all-environments (the default) for every one');
  const format: ImportFormat = options.ts ? 'ts' : 'yaml';
  const out = resolve(cwd, options.out ?? (format === 'ts' ? 'helmcycle.config.ts' : 'helmcycle.yaml'));
  if (!options.force && (await exists(out))) throw new ScaffoldError(`${relative(cwd, out) || out} exists; import does not overwrite it`, 'pass --force to replace it, or --out another file');
  const read = readHelmfile(file, options.env !== undefined ? { environment: options.env } : {});
  const helmfileDir = dirname(file);
  const outDir = dirname(out);
  const result = convertHelmfile({
    states: read.states,
    origins: read.origins,
    refused: read.refused,
    baseEnvironment: read.baseEnvironment,
    notes: read.notes,
    file: helmfile,
    path: (p) => (isAbsolute(p) ? p : relativePath(outDir, resolve(helmfileDir, p))),
  });
  // Checked as plan will load it, in every environment, needs included (credentials aside, which only a
  // TypeScript stack reads from the environment); the loader's graph walks are iterative.
  for (const environment of [undefined, ...Object.keys(result.stack.environments ?? {})]) {
    try {
      resolveStack(result.stack as never, { file: out, ...(environment ? { environment } : {}) });
    } catch (error) {
      if (!isInputError(error)) throw error;
      throw new StackConfigError(`the stack imported from it would not load${environment ? ` in environment '${environment}'` : ''}: ${clip((error as Error).message, LOADER_MESSAGE_MAX)}`, { file: helmfile });
    }
  }
  const source = relative(outDir, file).split(sep).join('/') || file;
  const content = format === 'ts' ? emitTypeScript(result, source) : emitYaml(result, source, relativePath(outDir, join(packageRoot(), 'schema', 'helmcycle.schema.json')));
  // The stack carries the helmfile's inline values, which may be secrets: it is never readable by more
  // people than the helmfile was (0644 at most), and replaces an older file whole, mode included.
  await writePrivateFile(out, content, (await stat(file)).mode & 0o644);
  const items = itemsFor(result, format);
  const written = relative(cwd, out) || out;
  const environments = Object.keys(result.stack.environments ?? {}).length;
  const groups = checklist(items);
  // --check: a check that could not run, or found differences, is exit 1 (never a silent pass).
  const check = options.check && checkWith
    ? await runImportCheck({ helmfile: file, helmfileDir, out, stack: result.stack as never, baseEnvironment: options.env ?? read.baseEnvironment, globals: checkWith.globals, cwd }, checkWith)
    : undefined;
  const code = check && !(check.status === 'compared' && check.differences.length === 0) ? 1 : 0;
  if (options.output === 'json') {
    io.stdout(`${JSON.stringify({ wrote: written, charts: result.stack.charts.length, environments, origins: result.origins, notConverted: items, checklist: groups, ...(check ? { check } : {}) })}\n`);
    return code;
  }
  for (const item of items.slice(0, ITEMS_ON_STDERR)) io.stderr(`not converted: ${notConvertedLine(item)}\n`);
  if (items.length > ITEMS_ON_STDERR) io.stderr(`not converted: … and ${items.length - ITEMS_ON_STDERR} more item(s), all listed in ${written}\n`);
  io.stdout(`wrote ${written}: ${result.stack.charts.length} chart(s), ${environments} environment(s), ${items.length} item(s) not converted${items.length ? ' (listed above and in the file)' : ''}\n`);
  io.stdout(`${checklistLines(groups).join('\n')}\n`);
  if (check) (code === 0 ? io.stdout : io.stderr)(`${checkLines(check).join('\n')}\n`);
  return code;
}
