// The one place where text from a helmfile is written into the output file or onto the terminal. Every
// string the import writes is quoted for its target here: a TypeScript string literal (JSON.stringify,
// which escapes quotes, backslashes and control characters), a TypeScript object key, or a comment line.
// A comment ends at a line break, and JavaScript breaks lines at CR, LF, U+2028 and U+2029 (YAML 1.1 also
// at U+0085): none of them may reach a comment raw, or helmfile text would become code (TS) or fields
// (YAML). Bidirectional controls are escaped too, so the file reads as it runs (CVE-2021-42574). YAML
// values are quoted by the yaml package itself (emit.ts). Pure.

/** Characters never written raw in a comment or a terminal line: C0/C1 controls, line and paragraph separators, invisible and bidirectional formatting. */
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
/** Characters a string literal may hold but a reader could be fooled by. */
const UNSAFE_IN_LITERAL = /[\u0085\u2028-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The text on one line: every line break and invisible control written as a `\uXXXX` escape. */
export function oneLine(text: string): string {
  return text.replace(UNSAFE_IN_LINE, escapeChar);
}

/** How much of one piece of helmfile text an item or error shows. */
export const SHOWN_MAX = 200;

/** Helmfile text shown inside a message: on one line, and cut when long. */
export function shown(text: string, max = SHOWN_MAX): string {
  const line = oneLine(text);
  return line.length <= max ? line : `${line.slice(0, max)}… (${line.length - max} more characters)`;
}

/** Comment lines for the output, each one line whatever its text holds. */
export function commentLines(lines: readonly string[], marker: '#' | '//'): string[] {
  return lines.map((line) => `${marker} ${oneLine(line)}`);
}

/** A TypeScript string literal holding exactly `text`. */
export function tsString(text: string): string {
  return JSON.stringify(text).replace(UNSAFE_IN_LITERAL, escapeChar);
}

/** A TypeScript object key for `key`: bare when an identifier; `__proto__` computed, as a literal key would set the prototype. */
export function tsKey(key: string): string {
  if (key === '__proto__') return `[${tsString(key)}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : tsString(key);
}
