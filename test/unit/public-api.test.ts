// The public API is a deliberate list. Every name `helmcycle` and `helmcycle/config` export, type-only
// ones included, is checked in (public-api.txt, public-api-config.txt) and documented in docs/api.md:
// a name added, dropped or turned from a value into a type shows here and must be chosen on purpose.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as api from '../../src/index.js';
import * as config from '../../src/config.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const ENTRIES = { 'src/index.ts': 'public-api.txt', 'src/config.ts': 'public-api-config.txt' } as const;

/** Every name an entry exports, as `name<TAB>value|type`, sorted: read by the compiler, so type-only exports count. */
function exportedNames(program: ts.Program, entry: string): string[] {
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, entry))!)!;
  return checker
    .getExportsOfModule(module)
    .map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return `${symbol.name}\t${target.flags & ts.SymbolFlags.Value ? 'value' : 'type'}`;
    })
    .sort();
}

async function checkedIn(file: string): Promise<string[]> {
  return (await readFile(join(HERE, file), 'utf8')).split('\n').filter((line) => line.trim() !== '');
}

describe('the public API', async () => {
  const program = ts.createProgram(
    Object.keys(ENTRIES).map((entry) => join(ROOT, entry)),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, skipLibCheck: true, noEmit: true, types: ['node'] },
  );

  for (const [entry, list] of Object.entries(ENTRIES)) {
    it(`${entry} exports exactly the names in test/unit/${list}`, async () => {
      assert.deepEqual(exportedNames(program, entry), await checkedIn(list), `update test/unit/${list} and docs/api.md on purpose`);
    });
  }

  it('the runtime exports are the listed values, for both entries', async () => {
    const values = async (list: string) => (await checkedIn(list)).filter((l) => l.endsWith('\tvalue')).map((l) => l.split('\t')[0]).sort();
    assert.deepEqual(Object.keys(api).sort(), await values(ENTRIES['src/index.ts']));
    assert.deepEqual(Object.keys(config).sort(), await values(ENTRIES['src/config.ts']));
  });

  it('src/index.ts lists its names: no export *', async () => {
    const source = program.getSourceFile(join(ROOT, 'src/index.ts'))!;
    const star = source.statements.filter((s) => ts.isExportDeclaration(s) && (!s.exportClause || ts.isNamespaceExport(s.exportClause)));
    assert.deepEqual(star.map((s) => s.getText(source)), []);
  });

  it('docs/api.md documents every name of both entries, and no other', async () => {
    const doc = await readFile(join(ROOT, 'docs/api.md'), 'utf8');
    const documented = [...doc.matchAll(/^- `([A-Za-z_$][\w$]*)`/gm)].map((m) => m[1]!).sort();
    const names = [...new Set([...(await checkedIn(ENTRIES['src/index.ts'])), ...(await checkedIn(ENTRIES['src/config.ts']))].map((l) => l.split('\t')[0]!))].sort();
    assert.deepEqual(documented, names);
  });
});
