// trimSourceMap (scripts/trim-source-map.ts, used by the build): a bundle's map keeps helmcycle's own
// sources and their mappings exactly, and the code of a dependency maps to nothing rather than to a
// node_modules path the package does not ship. Checked with a real esbuild bundle and Node's own reader.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { SourceMap as NodeSourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { build } from 'esbuild';
import { decodeMappings, encodeMappings, trimSourceMap, type SourceMap } from '../../scripts/trim-source-map.js';

/** A one-file bundle of src/main.ts importing a dependency: its code, its map, and where each part is. */
async function bundle(): Promise<{ code: string; map: SourceMap }> {
  const root = await mkdtemp(join(tmpdir(), 'helmcycle-map-'));
  await mkdir(join(root, 'src'));
  await mkdir(join(root, 'node_modules', 'dep'), { recursive: true });
  await writeFile(join(root, 'node_modules', 'dep', 'package.json'), JSON.stringify({ name: 'dep', main: 'index.js' }));
  await writeFile(join(root, 'node_modules', 'dep', 'index.js'), 'exports.depHelper = function depHelper(x) {\n  return "dep:" + x;\n};\n');
  await writeFile(join(root, 'src', 'main.ts'), "import { depHelper } from 'dep';\n\nexport function ownCode(name: string): string {\n  return depHelper(name).toUpperCase();\n}\n");
  const result = await build({ absWorkingDir: root, entryPoints: ['src/main.ts'], outdir: join(root, 'dist'), bundle: true, format: 'esm', platform: 'node', sourcemap: 'external', sourcesContent: false, write: false, logLevel: 'silent' });
  const file = (suffix: string) => result.outputFiles.find((f) => f.path.endsWith(suffix))!.text;
  return { code: file('main.js'), map: JSON.parse(file('main.js.map')) as SourceMap };
}

/** The 0-based line and column of the first occurrence of `text` in `code`. */
function position(code: string, text: string): { line: number; column: number } {
  const lines = code.split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `${text} is in the bundle`);
  return { line, column: lines[line]!.indexOf(text) };
}

const own = (source: string) => source.includes('src/');

/** Where Node's own source map reader says a generated position comes from (nothing: {}). */
function origin(map: SourceMap, at: { line: number; column: number }): { originalSource?: string; originalLine?: number; originalColumn?: number } {
  const reader = new NodeSourceMap({ version: map.version, file: map.file ?? '', sourceRoot: map.sourceRoot ?? '', sources: map.sources, sourcesContent: [], names: map.names, mappings: map.mappings });
  return reader.findEntry(at.line, at.column);
}

describe('trimSourceMap', () => {
  it('decodes and encodes mappings back to the same text', async () => {
    const { map } = await bundle();
    assert.equal(encodeMappings(decodeMappings(map.mappings)), map.mappings);
    assert.equal(encodeMappings(decodeMappings('AAAA,SAAS;;ACDT,gBAAgBA;E')), 'AAAA,SAAS;;ACDT,gBAAgBA;E');
  });

  it("keeps the own sources' mappings and leaves the dependency's code unmapped", async () => {
    const { code, map } = await bundle();
    assert.ok(map.sources.some((s) => s.includes('node_modules/dep/')), `the bundle maps the dependency: ${map.sources.join(', ')}`);
    const trimmed = trimSourceMap(map, own)!;
    assert.deepEqual(trimmed.sources, map.sources.filter(own));
    assert.equal(trimmed.sourcesContent, undefined);

    const ownCode = position(code, 'toUpperCase');
    const found = origin(trimmed, ownCode);
    assert.match(found.originalSource ?? '', /src\/main\.ts$/);
    assert.equal(found.originalLine, 3, 'the return line of ownCode');
    assert.deepEqual(found, origin(map, ownCode));

    const depCode = position(code, '"dep:"');
    assert.match(origin(map, depCode).originalSource ?? '', /node_modules\/dep\/index\.js$/);
    assert.deepEqual(origin(trimmed, depCode), {}, 'the dependency maps to nothing');
  });

  it('renumbers names, and gives no map for code of dependencies alone', () => {
    // Two sources, each segment naming a name: [column, source, line, column, name].
    const mappings = encodeMappings([[[0, 0, 0, 0, 0], [10, 1, 4, 2, 1]], [[0, 1, 5, 0, 2], [8, 0, 1, 0]]]);
    const map: SourceMap = { version: 3, sources: ['node_modules/x.js', '../src/a.ts'], names: ['dropped', 'kept', 'alsoKept'], mappings };
    const trimmed = trimSourceMap(map, own)!;
    assert.deepEqual(trimmed.sources, ['../src/a.ts']);
    assert.deepEqual(trimmed.names, ['kept', 'alsoKept']);
    // The dropped first segment needs no marker (nothing mapped before it); the one after a kept segment does.
    assert.deepEqual(decodeMappings(trimmed.mappings), [[[10, 0, 4, 2, 0]], [[0, 0, 5, 0, 1], [8]]]);
    assert.equal(trimSourceMap(map, () => false), undefined);
  });
});
