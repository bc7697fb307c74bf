// Builds dist/'s JavaScript with esbuild, from src/ (tsc then writes the declarations only: see package.json).
//
// Why a bundle: loaded as tsc writes it, a command's start is ~150 of helmcycle's modules plus its
// dependencies' (zod, yaml, commander, execa, and @kubernetes/client-node's ~800), ~350 ms in Node's ESM
// loader. Bundled, it is a few files. Why one build with shared chunks (splitting) for every entry point,
// not one file per entry: the CLI loads the user's config, which imports 'helmcycle' (the package's
// index.js; from CommonJS, through require(esm)); one file per entry would give it a second copy of every
// class the CLI has, and `instanceof` (the errors, StorageBackedHelmClient) would fail between the user's
// code and the CLI's. With chunks, each module is one file whichever entry loads it. (A config that is an
// ES module, loaded through tsx's tsImport, still gets copies of its own: tsImport tags every URL it
// resolves with its namespace, src/stack/load.ts.) The CLI's lazy `import()`s (renderers, init,
// report...) become chunks of their own, loaded when asked as before.
//
// The dependencies are bundled too, tsx excepted: it loads the user's config at run time and registers
// Node loader hooks, so it stays the installed package. The source maps point at ../src/, which the
// package ships (hence no sourcesContent); code from node_modules is left unmapped (trim-source-map.ts).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { build, transform, type BuildOptions, type Message, type OutputFile } from 'esbuild';
import { clientNodeSlim } from './client-node-slim.js';
import { trimSourceMap, type SourceMap } from './trim-source-map.js';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');

/**
 * The CommonJS dependencies (yaml, semver, commander, ws...) call require() for Node's built-ins, which an
 * ES module does not have: esbuild's __require then throws "Dynamic require of "fs" is not supported".
 * Every output file gets its own require (each is a module scope of its own). The names are checked
 * below not to collide with what esbuild writes into the same file.
 */
const REQUIRE_BANNER = "import { createRequire as __helmcycleCreateRequire } from 'node:module'; const require = __helmcycleCreateRequire(import.meta.url);";

const common = {
  absWorkingDir: ROOT,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  // errors.ts names each error class after its constructor (new.target.name); the bundler renames
  // classes whose names collide between modules, so names are kept. Kubernetes' serializer may read them too.
  keepNames: true,
  legalComments: 'eof',
  logLevel: 'silent',
  // In memory first: the maps are trimmed and every file checked before dist/ is replaced.
  write: false as const,
} satisfies BuildOptions;

async function buildModules(): Promise<OutputFile[]> {
  const slim = clientNodeSlim();
  const result = await build({
    plugins: [slim.plugin],
    ...common,
    // The package's entry points (package.json "exports" and the bin's), named as dist/ has them.
    entryPoints: { index: 'src/index.ts', config: 'src/config.ts', 'cli/entry': 'src/cli/entry.ts' },
    outdir: DIST,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    external: ['tsx', 'tsx/*'],
    banner: { js: REQUIRE_BANNER },
  });
  failOnWarnings(result.warnings);
  // A client-node release that no longer imports the generated index from config.js would bring the
  // whole generated API back into every command's start without a word: say so instead.
  if (!slim.applied()) throw new Error('scripts/client-node-slim.ts did not apply: @kubernetes/client-node/dist/config.js no longer imports ./gen/index.js; look at what it imports now');
  return result.outputFiles;
}

/** The `require` entry (see src/cjs-entry.cts): one file, compiled alone; it loads index.js at run time. */
async function buildCjsEntry(): Promise<OutputFile[]> {
  const result = await build({ ...common, entryPoints: ['src/cjs-entry.cts'], outfile: join(DIST, 'cjs-entry.cjs'), bundle: false, format: 'cjs' });
  failOnWarnings(result.warnings);
  return result.outputFiles;
}

function failOnWarnings(warnings: Message[]): void {
  if (warnings.length === 0) return;
  const lines = warnings.map((w) => `  ${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`);
  throw new Error(`esbuild warned (a warning here is usually a dependency that does not work bundled):\n${lines.join('\n')}`);
}

/** Whether a map's source is a file the package ships: one under src/. */
const shipped = (mapFile: string, sourceRoot: string | undefined) => (source: string) => !relative(SRC, resolve(dirname(mapFile), sourceRoot ?? '', source)).startsWith('..');

/**
 * The files to write: each map trimmed to helmcycle's own sources; a file with none of its own code (a
 * chunk of dependencies alone) gets no map and no sourceMappingURL comment.
 */
function withShippedMaps(outputs: OutputFile[]): Map<string, string> {
  const files = new Map(outputs.map((file) => [file.path, file.text]));
  for (const [path, text] of files) {
    if (!path.endsWith('.map')) continue;
    const map = JSON.parse(text) as SourceMap;
    const trimmed = trimSourceMap(map, shipped(path, map.sourceRoot));
    if (trimmed) {
      files.set(path, JSON.stringify(trimmed));
      continue;
    }
    files.delete(path);
    const code = path.slice(0, -'.map'.length);
    const comment = `//# sourceMappingURL=${basename(path)}\n`;
    const js = files.get(code);
    if (js === undefined || !js.endsWith(comment)) throw new Error(`${relative(ROOT, code)} does not end with the comment linking ${basename(path)}`);
    files.set(code, js.slice(0, -comment.length));
  }
  return files;
}

/**
 * Every JavaScript file parses as the module it is. Why: the banner is text esbuild does not know of; a
 * bundled module declaring `require` at its top level in the same file would be a SyntaxError only at
 * run time, in whichever command loads that chunk ("Identifier 'require' has already been declared").
 */
async function checkParses(files: Map<string, string>): Promise<void> {
  for (const [path, text] of files) {
    if (!/\.c?js$/.test(path)) continue;
    await transform(text, { format: path.endsWith('.cjs') ? 'cjs' : 'esm', sourcefile: relative(ROOT, path), logLevel: 'silent' }).catch((error: Error) => {
      throw new Error(`${relative(ROOT, path)} does not parse: ${error.message}`);
    });
  }
}

const files = withShippedMaps([...(await buildModules()), ...(await buildCjsEntry())]);
await checkParses(files);
rmSync(DIST, { recursive: true, force: true });
for (const [path, text] of files) {
  if (!path.startsWith(DIST + sep)) throw new Error(`esbuild wrote ${path}, outside dist/`);
  if (!existsSync(dirname(path))) mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
