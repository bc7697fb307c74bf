// A fast reader for the block-style YAML helm renders (release manifests), for the no-change paths that
// read every release's manifest: the `yaml` library builds a full document tree per document and costs
// about a millisecond for a one-ConfigMap manifest (200 ms of a 200-chart plan); this reads the same
// documents in a few microseconds. It reads only a narrow, common shape: block mappings and sequences,
// plain scalars of ordinary characters, one-line quoted strings without escapes, literal blocks (| and
// |-), and flow collections on one line of those. Anything else (anchors, tags, escapes, folded or multi-line
// scalars, comments after a value, floats, tabs, duplicate keys, ...) answers undefined and the caller
// parses the document with `yaml`, so a document read here is exactly what `yaml` (YAML 1.2, core schema)
// reads: test/unit/block-yaml.test.ts compares the two. Pure.

/** Why a document is not this reader's shape: the caller then uses `yaml`. */
class NotBlockYaml extends Error {}

interface Line {
  indent: number;
  /** The line without its indentation. */
  text: string;
  /** The line as written (literal blocks keep their own indentation). */
  raw: string;
}

// A plain key of ordinary characters, or a double-quoted one without escapes ("helm.sh/hook": test).
const KEY = /^(?:([A-Za-z_][A-Za-z0-9_./-]*)|"([^"\\]*)"):(?: +(.*))?$/;
const RESERVED_KEYS: ReadonlySet<string> = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '__proto__', 'constructor', 'prototype']);
// What the core schema reads as something other than a string, besides the words below (yaml's own tests).
const NUMBER_LIKE = [/^[-+]?[0-9]+$/, /^0o[0-7]+$/, /^0x[0-9a-fA-F]+$/, /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/, /^[-+]?\.(?:inf|Inf|INF)$/, /^\.(?:nan|NaN|NAN)$/];
const WORDS: ReadonlyMap<string, null | boolean> = new Map<string, null | boolean>([
  ['~', null], ['null', null], ['Null', null], ['NULL', null],
  ['true', true], ['True', true], ['TRUE', true], ['false', false], ['False', false], ['FALSE', false],
]);
// A plain scalar of ordinary characters: no indicator first, no ": " or " #" inside (checked apart).
// A dash starts a plain scalar when a character other than a space follows ("--log-level=info").
const PLAIN = /^(?:[A-Za-z0-9_./$=+(]|-(?!-- |---$)[^ ])[^\t]*$/;
// In a flow collection: a quoted string without escapes, or a plain word; a key and its ": ".
const FLOW_SCALAR = /"([^"\\]*)"|'((?:[^']|'')*)'|([A-Za-z0-9_./=+-]+)/y;
const FLOW_KEY = /(?:([A-Za-z_][A-Za-z0-9_./-]*)|"([^"\\]*)"): +/y;

function fail(): never {
  throw new NotBlockYaml();
}

/** A plain scalar as the core schema resolves it. */
function plainScalar(text: string): unknown {
  if (WORDS.has(text)) return WORDS.get(text);
  if (!PLAIN.test(text) || text.includes(': ') || text.includes(' #') || text.endsWith(':') || text.endsWith(' ')) fail();
  if (/^(?:0|[1-9][0-9]{0,14})$/.test(text)) return Number(text);
  if (NUMBER_LIKE.some((pattern) => pattern.test(text))) fail();
  return text;
}

/** A value written on the key's (or the dash's) line. */
function inlineScalar(text: string): unknown {
  if (text.startsWith('{') || text.startsWith('[')) return FlowReader.read(text);
  if (text.startsWith('"')) {
    if (!/^"[^"\\]*"$/.test(text)) fail();
    return text.slice(1, -1);
  }
  if (text.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(text)) fail();
    return text.slice(1, -1).replaceAll("''", "'");
  }
  return plainScalar(text);
}

/**
 * A flow collection on one line, nested or not: {path: /healthz, port: 8080}, ["sh", "-c"]. Its items are
 * quoted strings without escapes or plain words (no ":" in a plain word: a URL must be quoted here).
 */
class FlowReader {
  private at = 0;
  constructor(private readonly text: string) {}

  static read(text: string): unknown {
    const reader = new FlowReader(text);
    const value = reader.value();
    if (reader.at !== text.length) fail();
    return value;
  }

  private spaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  private match(pattern: RegExp): RegExpExecArray {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (!found) fail();
    this.at += found[0].length;
    return found;
  }

  private value(): unknown {
    const first = this.text[this.at];
    if (first === '{') return this.collection('}', {} as Record<string, unknown>);
    if (first === '[') return this.collection(']', [] as unknown[]);
    const item = this.match(FLOW_SCALAR);
    return item[1] ?? (item[2] !== undefined ? item[2].replaceAll("''", "'") : plainScalar(item[3]!));
  }

  private collection<T extends Record<string, unknown> | unknown[]>(close: string, out: T): T {
    this.at++;
    this.spaces();
    if (this.text[this.at] === close) {
      this.at++;
      return out;
    }
    for (;;) {
      if (Array.isArray(out)) out.push(this.value());
      else {
        const field = this.match(FLOW_KEY);
        const key = field[1] ?? field[2]!;
        if (RESERVED_KEYS.has(key) || Object.hasOwn(out, key)) fail();
        out[key] = this.value();
      }
      this.spaces();
      const next = this.text[this.at++];
      if (next === close) return out;
      if (next !== ',') fail();
      this.spaces();
      if (this.text[this.at] === close) fail(); // a trailing comma: rare, left to yaml
    }
  }
}

class Reader {
  private at = 0;
  constructor(private readonly lines: Line[]) {}

  /** The next line that holds something (blank and comment lines are skipped outside literal blocks). */
  peek(): Line | undefined {
    for (let line = this.lines[this.at]; line; line = this.lines[++this.at]) {
      if (line.text !== '' && !line.text.startsWith('#')) return line;
    }
    return undefined;
  }

  /** The node whose lines start at the next line. */
  node(indent: number): unknown {
    const line = this.peek()!;
    if (line.indent !== indent) fail();
    if (line.text.startsWith('{') || line.text.startsWith('[')) {
      // A flow collection on a line of its own ("resources:\n  {}").
      this.at++;
      const value = FlowReader.read(line.text);
      this.endOf(indent);
      return value;
    }
    return isDash(line.text) ? this.sequence(indent) : this.mapping(indent);
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let line = this.peek(); line && line.indent === indent; line = this.peek()) {
      const field = KEY.exec(line.text);
      const key = field?.[1] ?? field?.[2];
      if (key === undefined || RESERVED_KEYS.has(key) || Object.hasOwn(out, key)) fail();
      this.at++;
      out[key] = this.value(field![3], indent, true);
    }
    this.endOf(indent);
    return out;
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.peek(); line && line.indent === indent && isDash(line.text); line = this.peek()) {
      const rest = line.text.slice(1).replace(/^ +/, '');
      if (rest === '') {
        this.at++;
        out.push(this.value(undefined, indent, false));
        continue;
      }
      if (isDash(rest)) fail(); // a sequence in a sequence on one line
      if (KEY.test(rest)) {
        // "- key: value": a mapping whose first line is the dash's; its other lines sit where its first key does.
        const itemIndent = indent + line.text.length - rest.length;
        this.lines[this.at] = { indent: itemIndent, text: rest, raw: line.raw };
        out.push(this.mapping(itemIndent));
        continue;
      }
      this.at++;
      out.push(this.value(rest, indent, false));
    }
    this.endOf(indent);
    return out;
  }

  /** A node ends at a line less indented than its own; one more indented is a shape this reader does not know. */
  private endOf(indent: number): void {
    const next = this.peek();
    if (next && next.indent > indent) fail();
  }

  /**
   * The value after "key:" or "-": inline, a literal block, or the nested node below. A mapping's value may
   * be a sequence at the mapping's own indentation (helm writes "containers:\n- name: x").
   */
  private value(inline: string | undefined, indent: number, inMapping: boolean): unknown {
    if (inline !== undefined && inline !== '') {
      if (inline === '|' || inline === '|-') return this.literal(indent, inline === '|-');
      const value = inlineScalar(inline);
      this.endOf(indent); // a multi-line plain scalar, or a node after a value
      return value;
    }
    const next = this.peek();
    if (!next || next.indent < indent) return null;
    if (next.indent === indent) return inMapping && isDash(next.text) ? this.sequence(indent) : null;
    return this.node(next.indent);
  }

  /** A literal block scalar (| keeps one final newline, |- none); its lines are more indented than its parent. */
  private literal(indent: number, strip: boolean): string {
    const body: string[] = [];
    let blockIndent = -1;
    for (let line = this.lines[this.at]; line; line = this.lines[++this.at]) {
      if (line.text === '') {
        // A line of spaces only longer than the block's indentation would be text: not this reader's case.
        if (line.raw.length > 0 && (blockIndent < 0 || line.raw.length > blockIndent)) fail();
        body.push('');
        continue;
      }
      if (line.indent <= indent) break;
      if (blockIndent < 0) blockIndent = line.indent;
      if (line.indent < blockIndent) fail();
      body.push(line.raw.slice(blockIndent));
    }
    if (blockIndent < 0) fail(); // an empty block: its chomping has rules of its own
    // Empty lines after the block belong to the chomping, not to the text.
    while (body.length > 0 && body.at(-1) === '') body.pop();
    const text = body.join('\n');
    return strip ? text : `${text}\n`;
  }
}

function isDash(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/**
 * One document of a manifest (the text between two "---" lines) as `yaml` reads it, or undefined when
 * the document is not of the shape this reader knows (then parse it with `yaml`). An empty document is null.
 */
export function readBlockDocument(doc: string): unknown {
  const lines: Line[] = [];
  for (const raw of doc.split('\n')) {
    if (raw.includes('\t') || raw.includes('\r')) return undefined;
    const text = raw.trimStart();
    // Literal blocks keep trailing spaces; everywhere else they are not part of the value.
    lines.push({ indent: raw.length - text.length, text: text.trimEnd(), raw });
  }
  const reader = new Reader(lines);
  const first = reader.peek();
  if (!first) return null;
  try {
    const value = reader.node(first.indent);
    return reader.peek() ? undefined : value;
  } catch (error) {
    if (error instanceof NotBlockYaml) return undefined;
    throw error;
  }
}

/** Each document of a manifest read here, or undefined when any is not this reader's shape. */
export function readBlockManifest(manifest: string): unknown[] | undefined {
  const values: unknown[] = [];
  for (const doc of manifest.split(/^---[ \t]*$/m)) {
    const value = readBlockDocument(doc);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}
