// The house rules a reviewer would otherwise check by hand: no file in src/ over 300 lines, and the
// folders of src/ form layers (a folder never imports, even for a type, a folder that imports it back).
// Imports are read with TypeScript's own pre-processor, so `import type`, re-exports and dynamic
// `import()` all count.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { folderCycles, type FolderGraph } from './support/folder-cycles.js';
import { sourceFiles, SRC } from './support/source-files.js';

const MAX_LINES = 300;

/** A file's folder under src/: its first path segment, or the file itself when it sits at the root. */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0]! : `(root)/${parts[0]}`;
}

function importGraph(files: string[]): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), fileName.replace(/\.(c|m)?js$/, '.ts'));
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${relative(SRC, file)} -> ${relative(SRC, target)}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

test('no file in src/ is longer than 300 lines', () => {
  const long = sourceFiles(SRC)
    .map((file) => ({ file: relative(SRC, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > MAX_LINES);
  assert.deepEqual(long, [], `split these files: ${long.map(({ file, lines }) => `${file} (${lines})`).join(', ')}`);
});

test('no import cycle between the folders of src/', () => {
  const graph = importGraph(sourceFiles(SRC));
  assert.ok(graph.size > 10, 'the import graph was read');
  const cycles = folderCycles(graph);
  assert.deepEqual(cycles, [], `folders importing each other:\n${cycles.join('\n')}`);
});
