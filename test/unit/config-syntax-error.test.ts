// A TypeScript stack file with a syntax error: the error names the file, line and column (1-based,
// in characters), esbuild's message and the lines around it with a caret, not "Transform failed".
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StackConfigError } from '../../src/errors.js';
import { characterColumn, codeFrame, describeSyntaxProblems, isTransformFailure, syntaxProblems, transformProblems } from '../../src/stack/config-syntax-error.js';
import { loadStack } from '../../src/stack/load.js';

const ESBUILD_TEXT = 'Transform failed with 2 errors:\n/s/helmcycle.config.ts:3:31: ERROR: Expected identifier but found ","\n/s/lib.ts:1:18: ERROR: Unexpected ";"';

describe('reading esbuild\'s transform failure', () => {
  it('finds every error with its file, line and byte column', () => {
    assert.deepEqual(transformProblems(ESBUILD_TEXT), [
      { file: '/s/helmcycle.config.ts', line: 3, byteColumn: 31, text: 'Expected identifier but found ","' },
      { file: '/s/lib.ts', line: 1, byteColumn: 18, text: 'Unexpected ";"' },
    ]);
    assert.deepEqual(transformProblems('Cannot find module ./x'), []);
  });

  it('tells a transform failure from other load errors', () => {
    const transform = Object.assign(new Error(ESBUILD_TEXT), { name: 'TransformError' });
    assert.equal(isTransformFailure(transform), true);
    assert.equal(isTransformFailure(new Error('Cannot find module ./x')), false);
    assert.equal(isTransformFailure('Transform failed with 1 error:'), false);
  });

  it('turns the byte column into a 1-based character column', () => {
    assert.equal(characterColumn('abc,,', 4), 5);
    assert.equal(characterColumn('"wéb",,', 7), 7);
  });
});

describe('the code frame', () => {
  const source = ['export default {', '  charts: [', "    { name: 'web',, },", '  ],', '};'].join('\n');

  it('shows the line before and after, marks the line and puts a caret under the column', () => {
    assert.equal(codeFrame(source, 3, 19), ['  2 |   charts: [', "> 3 |     { name: 'web',, },", '    |                   ^', '  4 |   ],'].join('\n'));
  });

  it('stays inside the file at its first and last line', () => {
    assert.equal(codeFrame('a b', 1, 3), ['> 1 | a b', '    |   ^'].join('\n'));
  });

  it('keeps tabs before the caret and cuts a huge line to a window around the column', () => {
    assert.equal(codeFrame('\tx ,,', 1, 5).split('\n')[1], '    | \t   ^');
    const long = `${'a'.repeat(10_000)},,${'b'.repeat(10_000)}`;
    const [marked, caret] = codeFrame(long, 1, 10_002).split('\n');
    assert.ok(marked!.length < 140, `${marked!.length} characters`);
    assert.ok(marked!.includes(',,'));
    assert.equal(caret!.indexOf('^'), marked!.indexOf(',,') + 1);
  });

  it('says where with the stack file left implicit, other files named, and only the first few', () => {
    const problems = syntaxProblems(ESBUILD_TEXT, (file) => (file === '/s/helmcycle.config.ts' ? source.replace("{ name: 'web',, }", "{ name: 'web', chart: 'x' ,, }") : undefined));
    assert.equal(problems[0]!.column, 32);
    assert.equal(problems[1]!.frame, undefined);
    const text = describeSyntaxProblems(problems, '/s/helmcycle.config.ts');
    assert.match(text, /^syntax error at line 3, column 32: Expected identifier but found ","\n {4}2 \| {3}charts/);
    assert.match(text, /\nsyntax error at \/s\/lib\.ts:1:19: Unexpected ";"$/);
    const many = Array.from({ length: 5 }, (_, i) => ({ file: '/s/a.ts', line: i + 1, column: 1, text: 'x' }));
    assert.match(describeSyntaxProblems(many, '/s/a.ts'), /… and 2 more syntax error\(s\)$/);
  });
});

describe('loading a TypeScript stack with a syntax error', () => {
  it('is a StackConfigError naming the file, the place, the message and the frame', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-syntax-'));
    const file = join(dir, 'helmcycle.config.ts');
    // Unique content: tsx caches transforms by content, and a cached failure names the first file it saw.
    await writeFile(file, `// ${dir}\nexport default {\n  charts: [{ name: 'web', chart: './web' ,, }],\n};\n`);
    await assert.rejects(loadStack(file), (error: unknown) => {
      assert.ok(error instanceof StackConfigError, String(error));
      assert.equal(error.file, file);
      assert.doesNotMatch(error.message, /Transform failed/);
      const [first, ...frame] = error.message.split('\n');
      assert.equal(first, `${file}: syntax error at line 3, column 43: Expected identifier but found ","`);
      assert.deepEqual(frame, ['    2 | export default {', "  > 3 |   charts: [{ name: 'web', chart: './web' ,, }],", `      | ${' '.repeat(42)}^`, '    4 | };']);
      return true;
    });
  });
});
