// A parsed template (parser.ts) evaluated over helmfile's data (`.Environment.Name`, `.Values`,
// `.StateValues`, …) into text. Where a value cannot be evaluated (values.ts: Unrenderable) or must stay a
// run-time reference (EnvValue), the output holds a placeholder the caller maps back after parsing the
// YAML, so what it affects is known exactly; a condition, range or with on such a value cannot be decided
// and stops the document (RenderFailure), never a guess. Pure but for the readFile the caller passes.
import { callFunction, type CallContext } from './functions.js';
import { TemplateSyntaxError } from './lexer.js';
import { parseTemplate, type Node, type Operand, type Pipeline } from './parser.js';
import { display, EnvValue, isMap, isSpecial, RenderFailure, truth, Unrenderable, type Special } from './values.js';

export interface RenderOptions {
  /** The template's `.`: `{ Environment: { Name, Values }, Values, StateValues, … }`. */
  data: Record<string, unknown>;
  readFile?: (path: string, line: number) => string;
  /** The text an import value is written as (a placeholder). */
  special: (s: Special) => string;
}

/** How many range iterations a template may run in all (a loop is data, not a way to stall import). */
const MAX_ITERATIONS = 100_000;
/** How long the output may grow. */
const MAX_OUTPUT = 10_000_000;

class Scope {
  private readonly vars = new Map<string, unknown>();
  constructor(private readonly parent?: Scope) {}
  get(name: string): { found: boolean; value?: unknown } {
    if (this.vars.has(name)) return { found: true, value: this.vars.get(name) };
    return this.parent ? this.parent.get(name) : { found: false };
  }
  declare(name: string, value: unknown) {
    this.vars.set(name, value);
  }
  assign(name: string, value: unknown): boolean {
    if (this.vars.has(name)) return this.vars.set(name, value), true;
    return this.parent ? this.parent.assign(name, value) : false;
  }
}

function fieldOf(base: unknown, path: readonly string[], shownAs: string, line: number): unknown {
  let node = base;
  let at = shownAs;
  for (const key of path) {
    if (isSpecial(node)) return node;
    at = `${at}.${key}`;
    if (!isMap(node) || !Object.hasOwn(node, key)) {
      if (at === '.Release') return new Unrenderable('.Release in the helmfile itself (helmfile fills it per release, later)', line);
      return new Unrenderable(`${at} is not set`, line);
    }
    node = node[key];
  }
  return node;
}

export function evaluateTemplate(nodes: readonly Node[], options: RenderOptions): string {
  let out = '';
  let iterations = 0;
  const root = new Scope();
  root.declare('$', options.data);
  const call = (line: number): CallContext => ({ line, readFile: options.readFile, special: options.special });

  const operand = (op: Operand, dot: unknown, scope: Scope, line: number): unknown => {
    switch (op.kind) {
      case 'literal':
        return op.value;
      case 'dot':
        return dot;
      case 'field':
        return fieldOf(dot, op.path, '', line);
      case 'variable': {
        const v = scope.get(op.name);
        if (!v.found) throw new RenderFailure(`the variable ${op.name} is not declared`, line);
        return fieldOf(v.value, op.path, op.name === '$' ? '' : op.name, line);
      }
      case 'sub':
        return fieldOf(pipeline(op.pipe, dot, scope), op.path, '(…)', line);
      case 'function':
        return callFunction(op.name, [], call(line));
    }
  };

  const pipeline = (pipe: Pipeline, dot: unknown, scope: Scope): unknown => {
    let piped: { value: unknown } | undefined;
    for (const command of pipe.commands) {
      const [head, ...rest] = command.operands;
      if (head!.kind === 'function') {
        const name = head!.name;
        if (name === 'and' || name === 'or') {
          // Go evaluates `and`/`or` arguments only as far as needed.
          const args = [...rest.map((op) => () => operand(op, dot, scope, pipe.line)), ...(piped ? [() => piped!.value] : [])];
          let value: unknown = name === 'and';
          for (const arg of args) {
            value = arg();
            if (isSpecial(value)) break;
            if (name === 'and' ? !truth(value) : truth(value)) break;
          }
          piped = { value: isSpecial(value) ? (value instanceof EnvValue ? new Unrenderable(`${name} on the environment variable ${value.name}, read only at run time`, pipe.line) : value) : value };
          continue;
        }
        const args = rest.map((op) => operand(op, dot, scope, pipe.line));
        if (piped) args.push(piped.value);
        piped = { value: callFunction(name, args, call(pipe.line)) };
      } else {
        if (rest.length || piped) throw new RenderFailure('arguments given to something that is not a function (a method call?)', pipe.line);
        piped = { value: operand(head!, dot, scope, pipe.line) };
      }
    }
    const value = piped!.value;
    for (const name of pipe.variables) {
      if (pipe.assign ? !scope.assign(name, value) : (scope.declare(name, value), false)) throw new RenderFailure(`the variable ${name} is not declared`, pipe.line);
    }
    return value;
  };

  const decided = (value: unknown, what: string, line: number): unknown => {
    if (value instanceof Unrenderable) throw new RenderFailure(`{{ ${what} }} on what import cannot evaluate: ${value.reason}`, value.line || line);
    if (value instanceof EnvValue) throw new RenderFailure(`{{ ${what} }} on the environment variable ${value.name}, which import leaves to run time`, line);
    return value;
  };

  const write = (text: string) => {
    out += text;
    if (out.length > MAX_OUTPUT) throw new RenderFailure(`the output grows past ${MAX_OUTPUT} characters`, 0);
  };

  const walk = (nodes: readonly Node[], dot: unknown, parent: Scope) => {
    const scope = new Scope(parent);
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          write(node.text);
          break;
        case 'output': {
          const value = pipeline(node.pipe, dot, scope);
          if (node.pipe.variables.length === 0) write(display(value, options.special));
          break;
        }
        case 'if': {
          const value = decided(pipeline(node.pipe, dot, scope), 'if', node.line);
          walk(truth(value) ? node.body : node.otherwise, dot, scope);
          break;
        }
        case 'with': {
          const value = decided(pipeline(node.pipe, dot, scope), 'with', node.line);
          if (truth(value)) walk(node.body, value, scope);
          else walk(node.otherwise, dot, scope);
          break;
        }
        case 'range': {
          const inner = new Scope(scope);
          const variables = node.pipe.variables;
          const value = decided(pipeline({ ...node.pipe, variables: [] }, dot, inner), 'range', node.line);
          const entries: [unknown, unknown][] = Array.isArray(value)
            ? value.map((v, i) => [i, v])
            : isMap(value)
              ? Object.keys(value).sort().map((k) => [k, value[k]])
              : typeof value === 'number' && Number.isInteger(value)
                ? Array.from({ length: Math.max(0, Math.min(value, MAX_ITERATIONS + 1)) }, (_, i) => [i, i])
                : value === null || value === undefined
                  ? []
                  : (() => {
                      throw new RenderFailure(`{{ range }} over ${typeof value}`, node.line);
                    })();
          if (entries.length === 0) walk(node.otherwise, dot, scope);
          for (const [key, item] of entries) {
            if (++iterations > MAX_ITERATIONS) throw new RenderFailure(`more than ${MAX_ITERATIONS} range iterations`, node.line);
            const loop = new Scope(inner);
            if (variables.length === 1) loop.declare(variables[0]!, item);
            if (variables.length === 2) loop.declare(variables[0]!, key), loop.declare(variables[1]!, item);
            walk(node.body, item, loop);
          }
          break;
        }
        case 'unsupported':
          write(options.special(new Unrenderable(`${node.what}, which import does not evaluate`, node.line)));
          break;
      }
    }
  };
  walk(nodes, options.data, root);
  return out;
}

/** A template's text rendered; a syntax error or an undecidable condition is a RenderFailure with its line. */
export function renderTemplate(text: string, options: RenderOptions): string {
  let nodes: Node[];
  try {
    nodes = parseTemplate(text);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) throw new RenderFailure(`template syntax: ${error.message}`, error.line);
    throw error;
  }
  try {
    return evaluateTemplate(nodes, options);
  } catch (error) {
    // Values a template nests very deep (dict in a long loop) overflow the evaluator: a failure, not a crash.
    if (error instanceof RangeError) throw new RenderFailure(`the template nests too deep or grows too large to render (${error.message})`, 0);
    throw error;
  }
}
