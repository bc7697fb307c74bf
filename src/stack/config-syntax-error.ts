// A TypeScript or JavaScript stack file that does not parse, said as an editor says it: the file, line
// and column, esbuild's message and the lines around it with a caret, instead of tsx's bare "Transform
// failed with 1 error:". tsx hands esbuild's errors over only as text (the structured list is dropped),
// so that text is read here. Pure: the caller reads the source file.

export interface SyntaxProblem {
  /** The file esbuild names: the stack file, or a module it imports. */
  file: string;
  /** 1-based, as editors count. */
  line: number;
  /** 1-based, in characters (esbuild counts 0-based UTF-8 bytes). */
  column: number;
  text: string;
  /** The source lines around it with a caret under the column, when the source was at hand. */
  frame?: string;
}

/** How many of esbuild's errors are shown with their place; the rest are counted. */
const SHOWN_PROBLEMS = 3;
/** A source line is cut around the column to this many characters (a minified line can be megabytes). */
const FRAME_WIDTH = 120;

/** Whether an error thrown while importing a stack module is esbuild's "Transform failed" (a syntax error). */
export function isTransformFailure(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TransformError' || /^Transform failed with \d+ errors?:/.test(error.message));
}

/** The errors in esbuild's text ("/path/file.ts:3:31: ERROR: Expected identifier but found ','"). */
export function transformProblems(message: string): { file: string; line: number; byteColumn: number; text: string }[] {
  const problems: { file: string; line: number; byteColumn: number; text: string }[] = [];
  for (const match of message.matchAll(/^(.+?):(\d+):(\d+): ERROR: (.*)$/gm)) {
    problems.push({ file: match[1]!, line: Number(match[2]), byteColumn: Number(match[3]), text: match[4]! });
  }
  return problems;
}

/** esbuild's 0-based byte column in a line, as a 1-based character column. */
export function characterColumn(lineText: string, byteColumn: number): number {
  return Buffer.from(lineText, 'utf8').subarray(0, byteColumn).toString('utf8').length + 1;
}

/**
 * The lines around `line` with a `>` at it and a caret under `column` (both 1-based), like:
 *     2 |   charts: [
 *   > 3 |     { name: 'web',, },
 *       |                   ^
 *     4 |   ],
 */
export function codeFrame(source: string, line: number, column: number, around = 1): string {
  const lines = source.split(/\r?\n/);
  const first = Math.max(1, line - around);
  const last = Math.min(lines.length, line + around);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = lines[n - 1] ?? '';
    // Cut long lines to a window that holds the column.
    const start = text.length > FRAME_WIDTH ? Math.max(0, Math.min(column - 1 - FRAME_WIDTH / 2, text.length - FRAME_WIDTH)) : 0;
    const shown = (start > 0 ? '…' : '') + text.slice(start, start + FRAME_WIDTH) + (start + FRAME_WIDTH < text.length ? '…' : '');
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${shown}`);
    if (n === line) {
      // Tabs are kept so that the caret lines up with the character in a terminal.
      const lead = text.slice(start, Math.max(start, column - 1)).replace(/[^\t]/g, ' ');
      out.push(`  ${' '.repeat(width)} | ${start > 0 ? ' ' : ''}${lead}^`);
    }
  }
  return out.join('\n');
}

/** The problems of a transform failure, each with its frame when `sourceOf` has the file's text. */
export function syntaxProblems(message: string, sourceOf: (file: string) => string | undefined): SyntaxProblem[] {
  return transformProblems(message).map((p) => {
    const source = sourceOf(p.file);
    const lineText = source?.split(/\r?\n/)[p.line - 1];
    const column = lineText === undefined ? p.byteColumn + 1 : characterColumn(lineText, p.byteColumn);
    return { file: p.file, line: p.line, column, text: p.text, ...(source !== undefined ? { frame: codeFrame(source, p.line, column) } : {}) };
  });
}

const indent = (text: string) => text.replace(/^/gm, '  ');

/**
 * The text of the error: each problem as `file:line:column: message` (what terminals and editors turn into
 * a link) with its frame, the first few only. `stackFile` is left out of a problem's place when it is the
 * stack file itself, since the error names that file already.
 */
export function describeSyntaxProblems(problems: readonly SyntaxProblem[], stackFile: string): string {
  const shown = problems.slice(0, SHOWN_PROBLEMS).map((p) => {
    const place = p.file === stackFile ? `line ${p.line}, column ${p.column}` : `${p.file}:${p.line}:${p.column}`;
    return `syntax error at ${place}: ${p.text}${p.frame ? `\n${indent(p.frame)}` : ''}`;
  });
  const more = problems.length - shown.length;
  return [...shown, ...(more > 0 ? [`… and ${more} more syntax error(s)`] : [])].join('\n');
}
