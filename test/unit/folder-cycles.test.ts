// The cycle finder the structure test relies on: it must see a cycle of two, a longer one, and none in
// a layered graph, or the structure test would pass whatever the imports are.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { folderCycles, type FolderGraph } from './support/folder-cycles.js';

function graphOf(edges: Array<[string, string]>): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const [from, to] of edges) {
    const out = graph.get(from) ?? new Map<string, string>();
    out.set(to, `${from}/a.ts -> ${to}/b.ts`);
    graph.set(from, out);
  }
  return graph;
}

test('a layered graph has no cycle', () => {
  assert.deepEqual(folderCycles(graphOf([['cli', 'stack'], ['stack', 'lifecycle'], ['cli', 'lifecycle'], ['lifecycle', 'helm']])), []);
});

test('two folders importing each other are one cycle, named by the imports', () => {
  assert.deepEqual(folderCycles(graphOf([['config', 'failures'], ['failures', 'config'], ['cli', 'config']])), [
    'config -> failures: config/a.ts -> failures/b.ts',
    'failures -> config: failures/a.ts -> config/b.ts',
  ]);
});

test('a longer cycle is found whole, and a folder outside it is not in it', () => {
  const cycles = folderCycles(graphOf([['helm', 'secrets'], ['secrets', 'lease'], ['lease', 'helm'], ['cli', 'helm']]));
  assert.equal(cycles.length, 3);
  assert.ok(cycles.every((line) => !line.startsWith('cli')));
});
