// Every fenced code block in README.md and docs/*.md is either checked here or marked as output or
// illustration (the convention is in docs/README.md): TypeScript blocks are type-checked against the
// package source, YAML stacks are loaded by the stack loader, and every helmcycle invocation in a sh
// block is parsed by the CLI's own program. A block a user would copy that stops being true fails here.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import * as api from '../../src/index.js';
import { loadStack } from '../../src/stack/load.js';
import { main } from '../../src/cli/main.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Info strings that mark a block as output or illustration: never run. */
const OUTPUT_INFO = new Set(['text', 'yaml-output', 'json-output']);

interface Block {
  file: string;
  line: number;
  info: string;
  body: string;
}

export function fencedBlocks(file: string, markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(open[1]!) && l.slice(open[1]!.length).trim() === '');
    assert.ok(end > i, `${file}:${i + 1}: a code block that is never closed`);
    blocks.push({ file, line: i + 1, info: open[2]!.trim(), body: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

async function allBlocks(): Promise<Block[]> {
  const docs = (await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).sort();
  const files = ['README.md', ...docs.map((f) => `docs/${f}`)];
  const blocks = await Promise.all(files.map(async (f) => fencedBlocks(f, await readFile(join(ROOT, f), 'utf8'))));
  return blocks.flat();
}

const where = (b: Block) => `${b.file}:${b.line}`;
const isStackYaml = (b: Block) => b.info === 'yaml' && /^(charts|targets):/m.test(b.body);

// ---- TypeScript: one program, every block a virtual file beside the source -------------------------

/** A block with no import of its own sees the main entry's value names, as the prose around it assumes. */
function tsSource(block: Block): string {
  const names = Object.keys(api).join(', ');
  const preamble = /^import /m.test(block.body) ? '' : `import { ${names} } from 'helmcycle';\n`;
  // `ts chart-member`: a member of a chart definition (e.g. `transform(manifests) { ... }`).
  const body = block.info === 'ts chart-member' ? `defineChart({ name: 'example', chart: './chart',\n${block.body}\n});` : block.body;
  return `${preamble}${body}\nexport {};\n`;
}

function typeErrors(blocks: readonly Block[]): string[] {
  const virtual = new Map(blocks.map((b, i) => [join(ROOT, '.docs-blocks', `block-${i}.ts`), { block: b, text: tsSource(b) }]));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    esModuleInterop: true,
    baseUrl: ROOT,
    paths: { helmcycle: ['src/index.ts'], 'helmcycle/config': ['src/config.ts'] },
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile: read, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f)?.text ?? read.call(host, f);
  host.getSourceFile = (f, language, onError, create) => {
    const v = virtual.get(f);
    return v ? ts.createSourceFile(f, v.text, language) : getSourceFile.call(host, f, language, onError, create);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const errors: string[] = [];
  for (const [file, { block }] of virtual) {
    const source = program.getSourceFile(file)!;
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      errors.push(`${where(block)} (${block.info}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  return errors;
}

// ---- YAML stacks: loaded by the loader, with the files they name present ---------------------------

const work = await mkdtemp(join(tmpdir(), 'helmcycle-docs-blocks-'));
after(() => rm(work, { recursive: true, force: true }));

async function loadYamlStack(block: Block, index: number): Promise<void> {
  const folder = join(work, `stack-${index}`);
  await mkdir(folder, { recursive: true });
  const data = parseYaml(block.body) as {
    charts?: { chart?: string; valuesFiles?: string[]; secretValuesFiles?: string[] }[];
    targets?: { environment?: string; kubeconfig?: string }[];
  };
  // A fragment that shows only `targets` is part of a stack: it loads with one local chart and the
  // environments its targets name added, and the kubeconfig files they name present.
  let text = block.body;
  if (data.charts === undefined) {
    const environments = [...new Set((data.targets ?? []).flatMap((t) => (t.environment ? [t.environment] : [])))];
    text += `\ncharts: [{ name: example, chart: ./example }]\nenvironments: { ${environments.map((e) => `${e}: {}`).join(', ')} }\n`;
    data.charts = [{ chart: './example' }];
  }
  for (const target of data.targets ?? []) {
    if (target.kubeconfig) {
      await mkdir(dirname(join(folder, target.kubeconfig)), { recursive: true });
      await writeFile(join(folder, target.kubeconfig), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    }
  }
  // The example names its local chart folders and values files; a reader's repository has them.
  for (const chart of data.charts ?? []) {
    if (chart.chart?.startsWith('./')) {
      await mkdir(join(folder, chart.chart), { recursive: true });
      await writeFile(join(folder, chart.chart, 'Chart.yaml'), 'apiVersion: v2\nname: example\nversion: 0.1.0\n');
    }
    for (const values of [...(chart.valuesFiles ?? []), ...(chart.secretValuesFiles ?? [])]) {
      await mkdir(dirname(join(folder, values)), { recursive: true });
      await writeFile(join(folder, values), '{}\n');
    }
  }
  const file = join(folder, 'helmcycle.yaml');
  await writeFile(file, text);
  await loadStack(file, { cwd: folder });
}

// ---- sh: every helmcycle invocation names a real command and real options --------------------------

/** The shell commands of a YAML block that is not a stack (a CI workflow): its `run:` steps, parsed as YAML. */
function runSteps(body: string): string {
  const commands: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'run' && typeof value === 'string') commands.push(value);
        else walk(value);
      }
    }
  };
  walk(parseYaml(body));
  // A CI expression stands for a value the runner fills in, as `${{ matrix.shard }}` does.
  return commands.join('\n').replace(/\$\{\{[^}]*\}\}/g, '1');
}

/** The helmcycle invocations of a shell block, as argv words (comments and the `npx` prefix dropped). */
export function helmcycleInvocations(body: string): string[][] {
  return body
    .split('\n')
    .map((line) => line.replace(/\s#.*$/, '').trim())
    .map((line) => line.split(/\s+/).filter(Boolean))
    .map((words) => (words[0] === 'npx' ? words.slice(1) : words))
    .filter((words) => words[0] === 'helmcycle')
    .map((words) => words.slice(1));
}

class Parsed extends Error {}

/** Parses argv with the CLI's program and stops before the command runs: the command it chose, or the parse error. */
async function parseOnly(argv: string[]): Promise<{ command?: string; stderr: string }> {
  let command: string | undefined;
  let stderr = '';
  await main(argv, {
    stdout: () => {},
    stderr: (text) => (stderr += text),
    interactive: false,
    cwd: work,
    onCommand: (name) => {
      command = name;
      throw new Parsed('parsed');
    },
  });
  return { command, stderr: command ? '' : stderr };
}

describe('code blocks in README.md and docs/', async () => {
  const blocks = await allBlocks();

  it('every block is checked or marked as output', () => {
    const checked = (b: Block) => ['ts', 'ts chart-member', 'sh', 'yaml'].includes(b.info);
    const unmarked = blocks.filter((b) => !checked(b) && !OUTPUT_INFO.has(b.info)).map((b) => `${where(b)} info '${b.info}'`);
    assert.deepEqual(unmarked, [], 'mark each as ```text (output, illustration) or make it a checked kind (see docs/README.md)');
  });

  it('TypeScript blocks type-check against the package source', () => {
    const tsBlocks = blocks.filter((b) => b.info === 'ts' || b.info === 'ts chart-member');
    assert.ok(tsBlocks.length >= 5, `found ${tsBlocks.length} TypeScript blocks`);
    assert.deepEqual(typeErrors(tsBlocks), []);
  });

  it('YAML stacks load with the stack loader', async () => {
    const stacks = blocks.filter(isStackYaml);
    assert.ok(stacks.length >= 2, `found ${stacks.length} YAML stacks`);
    const failures: string[] = [];
    for (const [i, b] of stacks.entries()) {
      await loadYamlStack(b, i).catch((e: unknown) => failures.push(`${where(b)}: ${e instanceof Error ? e.message : String(e)}`));
    }
    assert.deepEqual(failures, []);
  });

  it('helmcycle commands in sh blocks name real commands and options', async () => {
    const shell = (b: Block) => (b.info === 'sh' ? b.body : b.info === 'yaml' && !isStackYaml(b) ? runSteps(b.body) : '');
    const invocations = blocks.flatMap((b) => helmcycleInvocations(shell(b)).map((argv) => ({ b, argv })));
    assert.ok(invocations.length >= 5, `found ${invocations.length} helmcycle invocations`);
    const failures: string[] = [];
    for (const { b, argv } of invocations) {
      const { command, stderr } = await parseOnly(argv);
      if (!command || !argv.includes(command)) failures.push(`${where(b)}: helmcycle ${argv.join(' ')}: ${stderr.trim() || `parsed as '${command}'`}`);
    }
    assert.deepEqual(failures, []);
  });

  it('the option check refuses what the program does not know', async () => {
    assert.equal((await parseOnly(['plan', '--no-such-option'])).command, undefined);
    assert.equal((await parseOnly(['no-such-command'])).command, undefined);
    assert.equal((await parseOnly(['plan', '--detailed-exitcode'])).command, 'plan');
  });
});
