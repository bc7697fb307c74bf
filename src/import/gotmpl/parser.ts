// Go text/template pieces (lexer.ts) as a tree: text, output actions, `if`/`else if`/`else`, `range`
// (with `$i, $v :=`), `with`, variable declarations and assignments, and pipelines of commands whose
// operands are fields, variables, literals, function names and parenthesised pipelines. `define`,
// `template` and `block` are kept as nodes the evaluator lists, never run. Syntax it cannot read is a
// TemplateSyntaxError with its line. Pure.
import { lex, TemplateSyntaxError, type Piece, type Token } from './lexer.js';

export type Operand =
  | { kind: 'field'; path: string[] }
  | { kind: 'variable'; name: string; path: string[] }
  | { kind: 'function'; name: string }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'dot' }
  | { kind: 'sub'; pipe: Pipeline; path: string[] };

export interface Command {
  operands: Operand[];
}

export interface Pipeline {
  /** `$x := …` declares, `$x = …` assigns; `range $i, $v :=` declares two. */
  variables: string[];
  assign: boolean;
  commands: Command[];
  line: number;
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'output'; pipe: Pipeline; line: number }
  | { kind: 'if' | 'with'; pipe: Pipeline; body: Node[]; otherwise: Node[]; line: number }
  | { kind: 'range'; pipe: Pipeline; body: Node[]; otherwise: Node[]; line: number }
  | { kind: 'unsupported'; what: string; line: number };

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

/** How deep parentheses and blocks may nest (the evaluator recurses on both). */
const MAX_NESTING = 100;

function parsePipeline(tokens: readonly Token[], line: number, allowDeclare: boolean, nesting = 0): Pipeline {
  let rest = tokens;
  const variables: string[] = [];
  let assign = false;
  // `$x :=`, `$x =`, `$i, $v :=`
  const declaration = rest.findIndex((t) => t.kind === 'declare' || t.kind === 'assign');
  if (declaration > 0 && rest.slice(0, declaration).every((t) => t.kind === 'variable' || t.kind === 'comma')) {
    if (!allowDeclare) throw new TemplateSyntaxError('a variable declared where none may be', line);
    for (const t of rest.slice(0, declaration)) if (t.kind === 'variable') variables.push(t.name);
    assign = rest[declaration]!.kind === 'assign';
    rest = rest.slice(declaration + 1);
  }
  const commands: Command[] = [];
  let i = 0;
  const operand = (): Operand => {
    const t = rest[i++]!;
    switch (t.kind) {
      case 'field':
        return { kind: 'field', path: t.path };
      case 'variable':
        return { kind: 'variable', name: t.name, path: t.path };
      case 'dot':
        return { kind: 'dot' };
      case 'string':
      case 'number':
        return { kind: 'literal', value: t.value };
      case 'ident':
        if (t.name === 'true' || t.name === 'false') return { kind: 'literal', value: t.name === 'true' };
        if (t.name === 'nil') return { kind: 'literal', value: null };
        if (KEYWORDS.has(t.name)) throw new TemplateSyntaxError(`'${t.name}' where a value belongs`, line);
        return { kind: 'function', name: t.name };
      case 'open': {
        if (nesting >= MAX_NESTING) throw new TemplateSyntaxError(`parentheses nested deeper than ${MAX_NESTING}`, line);
        let depth = 1;
        const from = i;
        while (i < rest.length && depth > 0) {
          const k = rest[i++]!.kind;
          if (k === 'open') depth++;
          else if (k === 'close') depth--;
        }
        if (depth !== 0) throw new TemplateSyntaxError('a ( that is never closed', line);
        const pipe = parsePipeline(rest.slice(from, i - 1), line, false, nesting + 1);
        const next = rest[i];
        // `(…).field`: a field right after the parenthesis, with no space between.
        if (next?.kind === 'field' && next.start === rest[i - 1]!.end) return i++, { kind: 'sub', pipe, path: next.path };
        return { kind: 'sub', pipe, path: [] };
      }
      default:
        throw new TemplateSyntaxError(`an unexpected '${t.kind}' in a pipeline`, line);
    }
  };
  let current: Operand[] = [];
  while (i < rest.length) {
    if (rest[i]!.kind === 'pipe') {
      if (current.length === 0) throw new TemplateSyntaxError('a | with no command before it', line);
      commands.push({ operands: current });
      current = [];
      i++;
      continue;
    }
    current.push(operand());
  }
  if (current.length === 0) throw new TemplateSyntaxError(commands.length ? 'a | with no command after it' : 'an empty action', line);
  commands.push({ operands: current });
  return { variables, assign, commands, line };
}

interface Frame {
  node: Extract<Node, { kind: 'if' | 'with' | 'range' }>;
  inElse: boolean;
  /** `else if` opens a nested if that the same `end` closes. */
  chained: number;
}

/** The tree of a template; a syntax error names its line. */
export function parseTemplate(text: string): Node[] {
  const pieces: Piece[] = lex(text);
  const root: Node[] = [];
  const stack: Frame[] = [];
  const target = () => {
    const top = stack.at(-1);
    return top ? (top.inElse ? top.node.otherwise : top.node.body) : root;
  };
  for (const piece of pieces) {
    if (piece.kind === 'text') {
      target().push({ kind: 'text', text: piece.text });
      continue;
    }
    const { tokens, line } = piece;
    const head = tokens[0];
    const keyword = head?.kind === 'ident' && KEYWORDS.has(head.name) ? head.name : undefined;
    if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
      const node = { kind: keyword, pipe: parsePipeline(tokens.slice(1), line, keyword === 'range'), body: [], otherwise: [], line } as Frame['node'];
      target().push(node);
      if (stack.length >= MAX_NESTING) throw new TemplateSyntaxError(`blocks nested deeper than ${MAX_NESTING}`, line);
      stack.push({ node, inElse: false, chained: 0 });
    } else if (keyword === 'else') {
      const top = stack.at(-1);
      if (!top || top.inElse) throw new TemplateSyntaxError('an else with no if, with or range open', line);
      top.inElse = true;
      const next = tokens[1];
      if (next?.kind === 'ident' && (next.name === 'if' || next.name === 'with')) {
        const node = { kind: next.name, pipe: parsePipeline(tokens.slice(2), line, false), body: [], otherwise: [], line } as Frame['node'];
        top.node.otherwise.push(node);
        stack.push({ node, inElse: false, chained: top.chained + 1 });
      } else if (tokens.length > 1) throw new TemplateSyntaxError('else followed by something other than if or with', line);
    } else if (keyword === 'end') {
      let top = stack.pop();
      if (!top) throw new TemplateSyntaxError('an end with nothing open', line);
      for (let n = top.chained; n > 0; n--) top = stack.pop()!;
    } else if (keyword === 'define' || keyword === 'block') {
      throw new TemplateSyntaxError(`{{ ${keyword} }} (named templates) is not read by import`, line);
    } else if (keyword === 'template' || keyword === 'break' || keyword === 'continue') {
      target().push({ kind: 'unsupported', what: `{{ ${keyword} }}`, line });
    } else {
      target().push({ kind: 'output', pipe: parsePipeline(tokens, line, true), line });
    }
  }
  if (stack.length) throw new TemplateSyntaxError(`an {{ ${stack.at(-1)!.node.kind} }} that is never closed with {{ end }}`, stack.at(-1)!.node.line);
  return root;
}
