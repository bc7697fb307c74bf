// What keeps every command's start small (docs/benchmarks.md, "The start-up chunk"): @kubernetes/client-node's
// generated API clients (~2.7 MB bundled) are reached only through src/kube/client-node-apis.ts, and that
// module only through a dynamic import(). A static import of the package's index anywhere else (a type-only
// one is erased and costs nothing), or of client-node-apis.ts, would put them back into the chunk every
// command loads, with no test or type error to say so.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { sourceFiles, SRC } from './support/source-files.js';

const API_DOOR = 'kube/client-node-apis.ts';

/** The module specifiers a file imports or re-exports statically with a value (type-only ones left out). */
function staticValueImports(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (!clause.name && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) found.push(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) && !statement.isTypeOnly) {
      found.push(statement.moduleSpecifier.text);
    }
  }
  return found;
}

/** Why a file breaks the rule, or undefined. */
function startUpImportProblem(file: string, text: string): string | undefined {
  for (const specifier of staticValueImports(file, text)) {
    if (specifier === '@kubernetes/client-node' && file !== API_DOOR) return `${file} imports @kubernetes/client-node's index statically: take KubeConfig from kube/client-node.ts, the API clients through ${API_DOOR} with import()`;
    if (/(^|\/)client-node-apis\.js$/.test(specifier)) return `${file} imports ${API_DOOR} statically: use import() so that it loads when such a call is made`;
  }
  return undefined;
}

describe('start-up imports', () => {
  it("finds the static imports that would load client-node's generated API at every start, and only those", () => {
    assert.match(startUpImportProblem('kube/client.ts', "import { CoreV1Api } from '@kubernetes/client-node';") ?? '', /imports @kubernetes\/client-node's index statically/);
    assert.match(startUpImportProblem('kube/client.ts', "export { Log } from '@kubernetes/client-node';") ?? '', /statically/);
    assert.match(startUpImportProblem('kube/client.ts', "import { readPodLog } from './client-node-apis.js';") ?? '', /use import\(\)/);
    assert.equal(startUpImportProblem('kube/client.ts', "import type { V1Pod } from '@kubernetes/client-node';"), undefined, 'a type-only import is erased');
    assert.equal(startUpImportProblem('kube/client.ts', "import { type V1Pod } from '@kubernetes/client-node';"), undefined);
    assert.equal(startUpImportProblem('kube/client.ts', "const m = await import('./client-node-apis.js');"), undefined, 'a dynamic import loads when asked');
    assert.equal(startUpImportProblem(API_DOOR, "import { CoreV1Api } from '@kubernetes/client-node';"), undefined, 'the door itself');
  });

  it('holds for every file of src/', () => {
    const problems = sourceFiles(SRC)
      .map((path) => startUpImportProblem(relative(SRC, path).split('\\').join('/'), readFileSync(path, 'utf8')))
      .filter((problem): problem is string => problem !== undefined);
    assert.deepEqual(problems, []);
  });
});
