// `helmcycle import helmfile.yaml [--ts] [--out file] [--force]`: reads the helmfile and the plain
// values files of its environments, converts (import/convert.ts, pure), checks the stack as plan would
// load it, writes it, and lists on stderr what was not converted. Never overwrites without --force.
// The helmfile and its values files are untrusted: an alias bomb, a circular alias or nesting too deep
// for the parser is refused (exit 2) naming the file, and every message stays short.
import { access, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { clip, isInputError, ScaffoldError, StackConfigError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { convertHelmfile } from '../import/convert.js';
import { emitTypeScript, emitYaml, itemsFor, type ImportFormat } from '../import/emit.js';
import { notConvertedLine } from '../import/not-converted.js';
import { shown } from '../import/quote.js';
import { resolveStack } from '../stack/load.js';
import { writePrivateFile } from './private-file.js';

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

/**
 * Plain YAML values files of the environments, read by their path in the helmfile; templates are left out,
 * and so is a file that is not YAML (the conversion lists it). One that expands too far is refused.
 */
async function environmentFiles(document: unknown, baseDir: string, shownDir: string): Promise<Record<string, unknown>> {
  const environments = (document as { environments?: unknown } | null)?.environments;
  // No prototype: a file named `__proto__` is a key like any other.
  const files: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (environments === null || typeof environments !== 'object') return files;
  for (const env of Object.values(environments) as ({ values?: unknown } | null)[]) {
    for (const item of env && Array.isArray(env.values) ? (env.values as unknown[]) : []) {
      if (typeof item !== 'string' || item.includes('{{') || item.endsWith('.gotmpl') || Object.hasOwn(files, item)) continue;
      const text = await readFile(resolve(baseDir, item), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      let parsed: Document;
      try {
        parsed = parseDocument(text);
      } catch {
        continue;
      }
      if (parsed.errors.length === 0) files[item] = dataOf(parsed, shown(join(shownDir, item))) ?? {};
    }
  }
  return files;
}

const exists = (path: string) => access(path).then(() => true, () => false);

function relativePath(from: string, to: string): string {
  const rel = relative(from, to).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export async function runImport(helmfile: string, options: ImportOptions, cwd: string, io: { stdout: (t: string) => void; stderr: (t: string) => void }): Promise<number> {
  const file = resolve(cwd, helmfile);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new StackConfigError('cannot read the helmfile', { file: helmfile, issues: [{ field: '(file)', message: 'no such file, or not readable' }] });
  });
  const format: ImportFormat = options.ts ? 'ts' : 'yaml';
  const out = resolve(cwd, options.out ?? (format === 'ts' ? 'helmcycle.config.ts' : 'helmcycle.yaml'));
  if (!options.force && (await exists(out))) throw new ScaffoldError(`${relative(cwd, out) || out} exists; import does not overwrite it`, 'pass --force to replace it, or --out another file');
  const document = parseHelmfileYaml(text, helmfile);
  const helmfileDir = dirname(file);
  const outDir = dirname(out);
  const result = convertHelmfile({
    document,
    file: helmfile,
    path: (p) => (isAbsolute(p) ? p : relativePath(outDir, resolve(helmfileDir, p))),
    environmentFiles: await environmentFiles(document, helmfileDir, dirname(helmfile)),
  });
  // Checked as plan will load it, needs included (credentials aside, which only a TypeScript stack reads
  // from the environment); the loader's graph walks are iterative, so a chain of thousands of needs loads.
  try {
    resolveStack(result.stack as never, { file: out });
  } catch (error) {
    if (!isInputError(error)) throw error;
    throw new StackConfigError(`the stack imported from it would not load: ${clip((error as Error).message, LOADER_MESSAGE_MAX)}`, { file: helmfile });
  }
  const source = relative(outDir, file).split(sep).join('/') || file;
  const content = format === 'ts' ? emitTypeScript(result, source) : emitYaml(result, source, relativePath(outDir, join(packageRoot(), 'schema', 'helmcycle.schema.json')));
  // The stack carries the helmfile's inline values, which may be secrets: it is never readable by more
  // people than the helmfile was (0644 at most), and replaces an older file whole, mode included.
  await writePrivateFile(out, content, (await stat(file)).mode & 0o644);
  const items = itemsFor(result, format);
  for (const item of items.slice(0, ITEMS_ON_STDERR)) io.stderr(`not converted: ${notConvertedLine(item)}\n`);
  if (items.length > ITEMS_ON_STDERR) io.stderr(`not converted: … and ${items.length - ITEMS_ON_STDERR} more item(s), all listed in ${relative(cwd, out) || out}\n`);
  const environments = Object.keys(result.stack.environments ?? {}).length;
  io.stdout(`wrote ${relative(cwd, out) || out}: ${result.stack.charts.length} chart(s), ${environments} environment(s), ${items.length} item(s) not converted${items.length ? ' (listed above and in the file)' : ''}\n`);
  return 0;
}
