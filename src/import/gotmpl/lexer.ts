// Go text/template source as pieces: text between actions and each action's tokens. It follows Go's
// rules for what helmfiles use: `{{- ` and ` -}}` trim the white space beside the action, `{{/* */}}` is
// a comment, strings are "interpreted" (Go escapes) or `raw`, fields chain as `.A.B`, variables as `$x.A`.
// A piece it cannot read is a TemplateSyntaxError with its line, never a guess. Pure.

export class TemplateSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

export type Token =
  | { kind: 'field'; path: string[]; start: number; end: number }
  | { kind: 'variable'; name: string; path: string[]; start: number; end: number }
  | { kind: 'ident'; name: string; start: number; end: number }
  | { kind: 'string'; value: string; start: number; end: number }
  | { kind: 'number'; value: number; start: number; end: number }
  | { kind: 'dot' | 'pipe' | 'open' | 'close' | 'declare' | 'assign' | 'comma'; start: number; end: number };

export type Piece = { kind: 'text'; text: string } | { kind: 'action'; tokens: Token[]; line: number };

const SPACE = /\s/;
const IDENT = /[A-Za-z0-9_]/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\u0007', b: '\b', f: '\f', v: '\v', "'": "'" };

function interpreted(source: string, from: number, line: number): { value: string; end: number } {
  let value = '';
  for (let i = from + 1; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"') return { value, end: i + 1 };
    if (c === '\n') break;
    if (c !== '\\') {
      value += c;
      continue;
    }
    const next = source[++i];
    if (next !== undefined && Object.hasOwn(ESCAPES, next)) value += ESCAPES[next];
    else if (next === 'u' || next === 'x') {
      const width = next === 'u' ? 4 : 2;
      const hex = source.slice(i + 1, i + 1 + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) throw new TemplateSyntaxError('a bad escape in a string', line);
      value += String.fromCharCode(parseInt(hex, 16));
      i += width;
    } else throw new TemplateSyntaxError(`an unknown escape \\${next ?? ''} in a string`, line);
  }
  throw new TemplateSyntaxError('a string that is never closed', line);
}

function name(source: string, from: number): number {
  let i = from;
  while (i < source.length && IDENT.test(source[i]!)) i++;
  return i;
}

/** `.A.B` from `from` (at a dot): the path and where it ends. */
function path(source: string, from: number): { path: string[]; end: number } {
  const out: string[] = [];
  let i = from;
  while (source[i] === '.' && i + 1 < source.length && /[A-Za-z_]/.test(source[i + 1]!)) {
    const end = name(source, i + 1);
    out.push(source.slice(i + 1, end));
    i = end;
  }
  return { path: out, end: i };
}

/** The tokens of one action's inside. */
export function tokenize(source: string, line: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const start = i;
    if (SPACE.test(c)) i++;
    else if (c === '"') {
      const s = interpreted(source, i, line);
      tokens.push({ kind: 'string', value: s.value, start, end: (i = s.end) });
    } else if (c === '`') {
      const close = source.indexOf('`', i + 1);
      if (close < 0) throw new TemplateSyntaxError('a raw string that is never closed', line);
      tokens.push({ kind: 'string', value: source.slice(i + 1, close), start, end: (i = close + 1) });
    } else if (c === '.' && /[A-Za-z_]/.test(source[i + 1] ?? '')) {
      const p = path(source, i);
      tokens.push({ kind: 'field', path: p.path, start, end: (i = p.end) });
    } else if (c === '.') tokens.push({ kind: 'dot', start, end: ++i });
    else if (c === '$') {
      const end = name(source, i + 1);
      const p = path(source, end);
      tokens.push({ kind: 'variable', name: source.slice(i, end), path: p.path, start, end: (i = p.end) });
    } else if (/[-+0-9]/.test(c) && /[0-9]/.test(c === '-' || c === '+' ? (source[i + 1] ?? '') : c)) {
      const m = /^[-+]?(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)/.exec(source.slice(i))!;
      tokens.push({ kind: 'number', value: Number(m[0]), start, end: (i += m[0].length) });
    } else if (/[A-Za-z_]/.test(c)) {
      const end = name(source, i);
      tokens.push({ kind: 'ident', name: source.slice(i, end), start, end: (i = end) });
    } else if (c === ':' && source[i + 1] === '=') tokens.push({ kind: 'declare', start, end: (i += 2) });
    else if (c === '=') tokens.push({ kind: 'assign', start, end: ++i });
    else if (c === '|') tokens.push({ kind: 'pipe', start, end: ++i });
    else if (c === '(') tokens.push({ kind: 'open', start, end: ++i });
    else if (c === ')') tokens.push({ kind: 'close', start, end: ++i });
    else if (c === ',') tokens.push({ kind: 'comma', start, end: ++i });
    else throw new TemplateSyntaxError(`an unexpected character '${c}' in an action`, line);
  }
  return tokens;
}

/** Where an action that starts at `from` (after `{{`) closes, skipping strings that hold `}}`. */
function actionEnd(text: string, from: number, line: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') i = interpreted(text, i, line).end - 1;
    else if (c === '`') {
      const close = text.indexOf('`', i + 1);
      if (close < 0) break;
      i = close;
    } else if (c === '}' && text[i + 1] === '}') return i;
  }
  throw new TemplateSyntaxError('an action {{ that is never closed with }}', line);
}

/** The template as text and actions, white space trimmed where `{{-` / `-}}` say. */
export function lex(text: string): Piece[] {
  const pieces: Piece[] = [];
  let at = 0;
  let line = 1;
  let trimNext = false;
  while (at <= text.length) {
    const open = text.indexOf('{{', at);
    let chunk = text.slice(at, open < 0 ? text.length : open);
    if (trimNext) chunk = chunk.replace(/^\s+/, '');
    trimNext = false;
    line += (text.slice(at, open < 0 ? text.length : open).match(/\n/g) ?? []).length;
    if (open < 0) {
      if (chunk) pieces.push({ kind: 'text', text: chunk });
      break;
    }
    const trimLeft = text[open + 2] === '-' && SPACE.test(text[open + 3] ?? '');
    if (trimLeft) chunk = chunk.replace(/\s+$/, '');
    if (chunk) pieces.push({ kind: 'text', text: chunk });
    const innerStart = open + (trimLeft ? 3 : 2);
    // A comment may hold quotes and braces: it ends at the first */ (Go's rule), then }}.
    const comment = /^\s*\/\*/.exec(text.slice(innerStart, innerStart + 8)) ? text.indexOf('*/', innerStart) : -1;
    if (comment < 0 && /^\s*\/\*/.test(text.slice(innerStart, innerStart + 8))) throw new TemplateSyntaxError('a comment {{/* that is not closed with */}}', line);
    const close = comment >= 0 ? text.indexOf('}}', comment + 2) : actionEnd(text, innerStart, line);
    if (close < 0) throw new TemplateSyntaxError('an action {{ that is never closed with }}', line);
    const trimRight = text[close - 1] === '-' && SPACE.test(text[close - 2] ?? '');
    const inner = text.slice(innerStart, trimRight ? close - 1 : close);
    const actionLine = line;
    line += (text.slice(open, close).match(/\n/g) ?? []).length;
    at = close + 2;
    trimNext = trimRight;
    const trimmed = inner.trim();
    if (trimmed.startsWith('/*')) {
      if (!trimmed.endsWith('*/')) throw new TemplateSyntaxError('a comment {{/* that is not closed with */}}', actionLine);
      continue;
    }
    pieces.push({ kind: 'action', tokens: tokenize(inner, actionLine), line: actionLine });
  }
  return pieces;
}
