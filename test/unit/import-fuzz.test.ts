// helmcycle import, fuzzed: generated hostile strings (line breaks of every kind, --flags, quotes, ${},
// backticks, NUL, __proto__, U+2028/U+2029, */, the old environment marker, Go templates, YAML syntax)
// go into every string field of a helmfile, one field per case, from a fixed seed. Each case is converted
// and written as YAML and as TypeScript. The YAML must parse back to exactly the converted stack; the
// TypeScript must be the fixed scaffold (one import, one `export default defineStack(...)`) around literal
// data only: no call, no identifier, no line that leaves a comment. A refusal must be an input error of a
// screen at most. A slice of the cases goes through the CLI too: exit 0 or 2, no file but its output,
// and `list` loads what it wrote without running any of it.
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { parseDocument, stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { convertHelmfile, type ImportResult } from '../../src/import/convert.js';
import { emitTypeScript, emitYaml, itemsFor } from '../../src/import/emit.js';
import { isInputError } from '../../src/errors.js';
import { seededRandom } from '../support/seeded-random.js';

const SEED = 24;
/** The file the payload among the pieces writes, were it ever run. */
const MARKER = join(tmpdir(), 'helmcycle-import-fuzz-PWNED');
const CASES = 400;
const CLI_CASES = 40;
/** A screen: what a refusal may print at most. */
const SCREEN = 4000;

const exists = (path: string) => access(path).then(() => true, () => false);

const random = seededRandom;

const PIECES = [
  '\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\u0000', '\u001b[2J', '\u202e', '\t',
  '--post-renderer=./evil.sh', '-f', '--kubeconfig=/tmp/k', '-',
  "'", '"', '`', '${HOME}', '`id`', '$(id)', '\\', '\\n', '\\u0000',
  '__proto__', 'constructor', 'prototype', '__proto__.polluted', 'a.__proto__.b',
  '*/', '/*', '//', '});', '"); process.exit(7); ("', `process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(MARKER)}, '1')`,
  '\u0000helmcycle-env:HOME', '\u0000helmcycle-env:A;B',
  '{{ .Values.x }}', '{{ env "HOME" }}', '{{', '}}',
  '# ', ': ', '- ', '&a', '*a', '!!binary', '---', '...', '? ', '|', '>', '[', ']', '{', '}', ',',
  'ignoreDrift: true', 'name: evil', 'web', 'db', 'team-a', '1.0.0', '0x1F', 'null', 'true', '',
];

function hostileString(next: () => number): string {
  const count = 1 + Math.floor(next() * 4);
  return Array.from({ length: count }, () => PIECES[Math.floor(next() * PIECES.length)]!).join(next() < 0.3 ? ' ' : '');
}

/** A helmfile with every field in use; `field` decides which one holds the hostile string `h`. */
type Placement = (h: string) => Record<string, unknown>;

const base = (release: Record<string, unknown> = {}, more: Record<string, unknown> = {}) => ({
  repositories: [{ name: 'stable', url: 'https://charts.example.invalid' }],
  environments: { default: { values: [{ x: 'v' }] }, prod: { values: [{ x: 'p' }] } },
  releases: [{ name: 'web', chart: './web', ...release }, { name: 'db', chart: 'stable/db', namespace: 'data' }],
  ...more,
});

const PLACEMENTS: Record<string, Placement> = {
  'release name': (h) => base({ name: h }),
  chart: (h) => base({ chart: h }),
  'chart in a repository': (h) => base({ chart: `stable/${h}` }),
  version: (h) => base({ version: h }),
  namespace: (h) => base({ namespace: h }),
  'needs entry': (h) => base({ needs: [h] }),
  'values key': (h) => base({ values: [{ [h]: 1, keep: 'k' }] }),
  'values value': (h) => base({ values: [{ keep: h }] }),
  'nested values key': (h) => base({ values: [{ a: { [h]: { b: h } } }] }),
  'values file': (h) => base({ values: [h] }),
  'environment name': (h) => base({ values: [{ e: '{{ .Values.x }}' }] }, { environments: { default: { values: [{ x: 'v' }] }, [h]: { values: [{ x: 'p' }] } } }),
  'environment values': (h) => base({ values: [{ e: '{{ .Values.x }}' }] }, { environments: { default: { values: [{ x: h }] }, prod: { values: [{ x: h, [h]: h }] } } }),
  'label key': (h) => base({ labels: { [h]: 'v' } }),
  'label value': (h) => base({ labels: { tier: h } }),
  'set name': (h) => base({ set: [{ name: h, value: 1 }] }),
  'set value': (h) => base({ set: [{ name: 'a.b', value: h }] }),
  'setString name': (h) => base({ setString: [{ name: h, value: 'v' }] }),
  'set values list': (h) => base({ set: [{ name: 'list', values: [h, 'x'] }] }),
  'set file': (h) => base({ set: [{ name: 'cfg', file: h }] }),
  'unknown release key': (h) => base({ [h]: h }),
  'unknown document key': (h) => base({}, { [h]: h }),
  'helmDefaults key': (h) => base({}, { helmDefaults: { wait: true, [h]: h } }),
  'repository name': (h) => ({ ...base({ chart: `${h}/web` }), repositories: [{ name: h, url: 'https://charts.example.invalid', username: 'u', password: h }] }),
  'repository url': (h) => ({ ...base({ chart: 'stable/web' }), repositories: [{ name: 'stable', url: h }] }),
  'repository username': (h) => ({ ...base({ chart: 'stable/web' }), repositories: [{ name: 'stable', url: 'https://x.invalid', username: h, password: '{{ requiredEnv "P" }}' }] }),
  'commonLabels value': (h) => base({}, { commonLabels: { [h]: h } }),
  'hook command': (h) => base({ hooks: [{ events: ['presync'], command: h, args: [h] }] }),
  installed: (h) => base({ installed: h }),
};

/** What the TypeScript evaluates to, read from its syntax tree; anything but the scaffold and literal data fails. */
function evaluateTypeScript(text: string, label: string): unknown {
  const diagnostics = ts.transpileModule(text, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).diagnostics ?? [];
  assert.deepEqual(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], `${label}: the TypeScript parses`);
  const source = ts.createSourceFile('helmcycle.config.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const [importDecl, exported, ...rest] = source.statements;
  assert.equal(rest.length, 0, `${label}: two statements only`);
  assert.ok(importDecl && ts.isImportDeclaration(importDecl));
  assert.equal((importDecl.moduleSpecifier as ts.StringLiteral).text, 'helmcycle/config');
  assert.equal(importDecl.importClause?.getText(source), '{ defineStack }');
  assert.ok(exported && ts.isExportAssignment(exported) && ts.isCallExpression(exported.expression));
  const call = exported.expression;
  assert.ok(ts.isIdentifier(call.expression) && call.expression.text === 'defineStack' && call.arguments.length === 1);
  const data = (node: ts.Expression): unknown => {
    if (ts.isStringLiteral(node)) return node.text;
    if (ts.isNumericLiteral(node)) return Number(node.text);
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand)) return -Number(node.operand.text);
    if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
    if (node.kind === ts.SyntaxKind.NullKeyword) return null;
    if (ts.isArrayLiteralExpression(node)) return node.elements.map((e) => data(e));
    if (ts.isNonNullExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const access = node.expression;
      assert.ok(ts.isPropertyAccessExpression(access.expression) && access.expression.getText(source) === 'process.env', `only process.env.NAME!, not ${node.getText(source)}`);
      return { $env: access.name.text };
    }
    if (ts.isObjectLiteralExpression(node)) {
      const out: Record<string, unknown> = {};
      for (const property of node.properties) {
        assert.ok(ts.isPropertyAssignment(property), `a plain property, not ${property.getText(source)}`);
        const name = property.name;
        let key: string;
        if (ts.isIdentifier(name) || ts.isStringLiteral(name)) key = name.text;
        else if (ts.isComputedPropertyName(name) && ts.isStringLiteral(name.expression)) key = name.expression.text;
        else assert.fail(`a literal key, not ${name.getText(source)}`);
        // A plain `__proto__:` key would set the prototype instead of holding data.
        assert.ok(key !== '__proto__' || ts.isComputedPropertyName(name), '__proto__ only as a computed key');
        Object.defineProperty(out, key, { value: data(property.initializer), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    assert.fail(`only literal data, not ${ts.SyntaxKind[node.kind]}: ${node.getText(source).slice(0, 200)}`);
  };
  // Every line before the import is one comment line: nothing in them can end the comment early.
  const head = text.slice(0, importDecl.getStart(source)).split('\n').filter(Boolean);
  assert.ok(head.every((line) => line.startsWith('// ')), `${label}: the header is comment lines only`);
  return data(call.arguments[0]!);
}

/** The stack as the TypeScript should hold it: credentials as environment references. */
function expectedTypeScriptData(result: ImportResult): unknown {
  const byChart = new Map(result.credentials.map((c) => [c.chart, c]));
  return {
    ...result.stack,
    charts: result.stack.charts.map((chart) => {
      const c = byChart.get(chart.name as string);
      return c ? { ...chart, repositoryAuth: { username: 'env' in c.username ? { $env: c.username.env } : c.username.literal, password: { $env: c.passwordEnv } } } : chart;
    }),
  };
}

/** Line breaks of any language (JS, YAML 1.1) never appear raw: escaped in strings, never in comments. */
const RAW_BREAKS = /[\r\u0085\u2028\u2029]/;

function checkOutputs(result: ImportResult, label: string): void {
  const yaml = emitYaml(result, 'helmfile.yaml', './schema.json');
  assert.ok(!RAW_BREAKS.test(yaml), `${label}: no raw CR, NEL, U+2028/9 in the YAML`);
  const doc = parseDocument(yaml);
  assert.deepEqual(doc.errors.map((e) => e.message), [], `${label}: the YAML parses`);
  assert.deepEqual(doc.toJS(), JSON.parse(JSON.stringify(result.stack)), `${label}: the YAML holds exactly the converted stack`);
  const yamlHead = yaml.split('\n');
  const firstData = yamlHead.findIndex((line) => line !== '' && !line.startsWith('#'));
  const items = itemsFor(result, 'yaml').length;
  assert.equal(yamlHead.slice(0, firstData).filter(Boolean).length, 2 + (items ? 1 + items : 0), `${label}: one comment line per item`);

  const text = emitTypeScript(result, 'helmfile.yaml');
  assert.ok(!RAW_BREAKS.test(text), `${label}: no raw CR, NEL, U+2028/9 in the TypeScript`);
  assert.deepEqual(evaluateTypeScript(text, label), expectedTypeScriptData(result), `${label}: the TypeScript holds exactly the converted stack`);
}

interface Case {
  label: string;
  document: Record<string, unknown>;
  hostile: string;
}

function cases(): Case[] {
  const next = random(SEED);
  const names = Object.keys(PLACEMENTS);
  return Array.from({ length: CASES }, (_, index) => {
    const field = names[index % names.length]!;
    const hostile = hostileString(next);
    const shown = JSON.stringify(hostile).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return { label: `case ${index} (${field}: ${shown})`, document: PLACEMENTS[field]!(hostile), hostile };
  });
}

/** Converts, or returns the refusal, which must be an input error of a screen at most. */
function convertOrRefuse(c: Case): ImportResult | undefined {
  try {
    return convertHelmfile({ document: c.document, file: 'helmfile.yaml', path: (p) => `./${p}` });
  } catch (error) {
    assert.ok(isInputError(error), `${c.label}: refused as bad input, not ${(error as Error).stack}`);
    assert.ok((error as Error).message.length < SCREEN, `${c.label}: the refusal fits a screen (${(error as Error).message.length})`);
    return undefined;
  }
}

describe('import fuzz: hostile strings in every field of a helmfile', () => {
  it(`writes only data, as YAML and TypeScript, for ${CASES} generated cases (seed ${SEED})`, () => {
    let converted = 0;
    for (const c of cases()) {
      const result = convertOrRefuse(c);
      if (!result) continue;
      converted += 1;
      checkOutputs(result, c.label);
    }
    // The generator must reach the writers, not only the refusals.
    assert.ok(converted > CASES / 2, `${converted} of ${CASES} cases converted`);
  });

  it(`through the CLI (${CLI_CASES} cases, both formats): exit 0 or 2, a short refusal, no file but the output, which list loads`, async () => {
    const root = await mkdtemp(join(tmpdir(), 'helmcycle-import-fuzz-'));
    await rm(MARKER, { force: true });
    try {
      for (const c of cases().slice(0, CLI_CASES)) {
        for (const format of ['yaml', 'ts'] as const) {
          const dir = join(root, `${c.label.split(' ')[1]}-${format}`);
          await mkdir(join(dir, 'web'), { recursive: true });
          await writeFile(join(dir, 'web', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
          await writeFile(join(dir, 'helmfile.yaml'), stringify(c.document));
          const out = format === 'ts' ? 'stack.ts' : 'stack.yaml';
          let stdout = '';
          let stderr = '';
          const code = await main(['import', 'helmfile.yaml', '--out', out, ...(format === 'ts' ? ['--ts'] : [])], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd: dir });
          assert.ok(code === 0 || code === 2, `${c.label} ${format}: exit ${code}\n${stderr}`);
          const files = (await readdir(dir)).sort();
          if (code === 2) {
            assert.match(stderr, /^helmcycle: helmfile\.yaml: /, `${c.label} ${format}: the refusal names the helmfile`);
            assert.ok(stderr.length < SCREEN, `${c.label} ${format}: the refusal fits a screen (${stderr.length})`);
            assert.deepEqual(files, ['helmfile.yaml', 'web'], `${c.label} ${format}: nothing written`);
          } else {
            assert.deepEqual(files, ['helmfile.yaml', out, 'web'].sort(), `${c.label} ${format}: only the output written`);
            assert.ok(!/[\r\u2028\u2029\u0085]/.test(stderr + stdout), `${c.label} ${format}: every line printed is one line`);
            // The written stack loaded as `helmcycle list` loads it ('helmcycle/config' is the source here).
            const file = join(dir, out);
            if (format === 'ts') await writeFile(file, (await readFile(file, 'utf8')).replace("'helmcycle/config'", JSON.stringify(resolve('src/config.ts'))));
            let listed = '';
            const listCode = await main(['-c', file, 'list'], { stdout: (t) => (listed += t), stderr: (t) => (listed += t), interactive: false, cwd: dir });
            assert.ok(listCode === 0 || listCode === 2, `${c.label} ${format}: list exits ${listCode}\n${listed}`);
            assert.equal(await exists(MARKER), false, `${c.label} ${format}: helmfile text ran as code`);
          }
        }
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
