// `helmcycle import helmfile.yaml [--ts] [--out file] [--force]`: reads the helmfile and the plain
// values files of its environments, converts (import/convert.ts, pure), checks the stack as plan would
// load it, writes it, and lists on stderr what was not converted. Never overwrites without --force.
import { access, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { isInputError, ScaffoldError, StackConfigError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { convertHelmfile } from '../import/convert.js';
import { emitTypeScript, emitYaml, itemsFor, type ImportFormat } from '../import/emit.js';
import { resolveStack } from '../stack/load.js';

export interface ImportOptions {
  ts?: boolean;
  out?: string;
  force?: boolean;
}

/** The helmfile's data, or an error naming the file and the line. */
export function parseHelmfileYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true });
  if (doc.errors.length === 0) return doc.toJS({ maxAliasCount: 100 });
  const issues = doc.errors.slice(0, 20).map((e) => ({
    field: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(document)',
    message: e.code === 'MULTIPLE_DOCS' ? 'more than one YAML document (helmfile layers parts with ---): join them into one to import' : e.message.split('\n')[0]!,
  }));
  const templated = text.includes('{{') ? ' (Go templates outside values, such as {{ if }} blocks, are not YAML: render it with helmfile build first)' : '';
  throw new StackConfigError(`not valid YAML${templated}`, { file, issues });
}

/** Plain YAML values files of the environments, read by their path in the helmfile; templates are left out. */
async function environmentFiles(document: unknown, baseDir: string): Promise<Record<string, unknown>> {
  const environments = (document as { environments?: Record<string, { values?: unknown[] } | null> } | null)?.environments;
  const files: Record<string, unknown> = {};
  for (const env of Object.values(environments ?? {})) {
    for (const item of Array.isArray(env?.values) ? env.values : []) {
      if (typeof item !== 'string' || item.includes('{{') || item.endsWith('.gotmpl')) continue;
      const text = await readFile(resolve(baseDir, item), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const parsed = parseDocument(text);
      if (parsed.errors.length === 0) files[item] = parsed.toJS() ?? {};
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
    environmentFiles: await environmentFiles(document, helmfileDir),
  });
  // Checked as plan will load it (credentials aside, which only a TypeScript stack reads from the environment).
  try {
    resolveStack(result.stack as never, { file: out });
  } catch (error) {
    if (!isInputError(error)) throw error;
    throw new StackConfigError(`the stack imported from it would not load: ${(error as Error).message}`, { file: helmfile });
  }
  const source = relative(outDir, file).split(sep).join('/') || file;
  const content = format === 'ts' ? emitTypeScript(result, source) : emitYaml(result, source, relativePath(outDir, join(packageRoot(), 'schema', 'helmcycle.schema.json')));
  await writeFile(out, content, { mode: 0o644 });
  const items = itemsFor(result, format);
  for (const item of items) io.stderr(`not converted: ${item.field}: ${item.what} -> ${item.instead}\n`);
  const environments = Object.keys(result.stack.environments ?? {}).length;
  io.stdout(`wrote ${relative(cwd, out) || out}: ${result.stack.charts.length} chart(s), ${environments} environment(s), ${items.length} item(s) not converted${items.length ? ' (listed above and in the file)' : ''}\n`);
  return 0;
}
