// A small terminal emulator for the renderer tests: it understands what log-update writes (text,
// newlines, cursor up/down/column, erase line, SGR and private modes, which it ignores) and wraps
// like xterm (a character past the last column goes to the next line; a line that fills the last
// column wraps on the next character). It counts wraps, so that a test can say "nothing wrapped", and
// keeps every line ever written (the scrollback), as a real terminal's would.
import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter();
const widths = new Map<string, number>();
const widthOf = (grapheme: string) => {
  let width = widths.get(grapheme);
  if (width === undefined) widths.set(grapheme, (width = stringWidth(grapheme)));
  return width;
};
const CSI = /\u001B\[([?0-9;]*)([A-Za-z])/y;
const OSC = /\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)/y;
const TEXT = /[^\u0000-\u001F]+/y;

export class VirtualTerminal {
  /** Every physical line, scrollback included; a cell holds a grapheme, '' the second half of a wide one. */
  readonly lines: string[][] = [[]];
  row = 0;
  col = 0;
  private pendingWrap = false;
  wraps = 0;
  /** Everything written, for checking the raw output too. */
  raw = '';

  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {}

  /** The stream the renderer draws on. */
  stream() {
    return {
      isTTY: true,
      columns: this.columns,
      rows: this.rows,
      write: (chunk: string) => {
        this.write(chunk);
        return true;
      },
    };
  }

  /** The text of each physical line, trailing blanks trimmed. */
  text(): string[] {
    return this.lines.map((cells) => cells.join('').trimEnd());
  }

  /** The lines, without trailing empty ones. */
  screen(): string[] {
    const text = this.text();
    while (text.length && text.at(-1) === '') text.pop();
    return text;
  }

  private line(): string[] {
    while (this.lines.length <= this.row) this.lines.push([]);
    return this.lines[this.row]!;
  }

  /** The top line the cursor can reach: the first of the visible screen. */
  private get top(): number {
    return Math.max(0, this.lines.length - this.rows);
  }

  private newline(): void {
    this.row++;
    this.col = 0;
    this.pendingWrap = false;
    this.line();
  }

  private put(grapheme: string): void {
    const width = widthOf(grapheme);
    if (width === 0) return;
    if (this.pendingWrap || this.col + width > this.columns) {
      this.wraps++;
      this.newline();
    }
    const line = this.line();
    while (line.length < this.col) line.push(' ');
    line.splice(this.col, width, grapheme, ...Array(width - 1).fill(''));
    this.col += width;
    if (this.col >= this.columns) {
      this.col = this.columns - 1;
      this.pendingWrap = true;
    }
  }

  private csi(params: string, final: string): void {
    const n = Number(params.replace(/^\?/, '').split(';')[0] || '0');
    this.pendingWrap = false;
    switch (final) {
      case 'A':
        this.row = Math.max(this.top, this.row - Math.max(1, n));
        return;
      case 'B':
        this.row += Math.max(1, n);
        this.line();
        return;
      case 'C':
        this.col = Math.min(this.columns - 1, this.col + Math.max(1, n));
        return;
      case 'D':
        this.col = Math.max(0, this.col - Math.max(1, n));
        return;
      case 'G':
        this.col = Math.max(0, n - 1);
        return;
      case 'K': {
        const line = this.line();
        if (n === 2) line.length = 0;
        else if (n === 1) for (let i = 0; i <= this.col && i < line.length; i++) line[i] = ' ';
        else line.length = Math.min(line.length, this.col);
        return;
      }
      default:
        // m (colours), h/l (cursor, synchronized output): nothing to draw.
        return;
    }
  }

  write(chunk: string): void {
    this.raw += chunk;
    let i = 0;
    while (i < chunk.length) {
      const ch = chunk[i]!;
      if (ch === '\u001B') {
        CSI.lastIndex = i;
        const csi = CSI.exec(chunk);
        if (csi) {
          this.csi(csi[1]!, csi[2]!);
          i += csi[0].length;
          continue;
        }
        OSC.lastIndex = i;
        const osc = OSC.exec(chunk);
        i += osc ? osc[0].length : 2;
        continue;
      }
      if (ch === '\n') {
        // A terminal's output processing (onlcr) turns it into CR LF.
        this.newline();
        i++;
        continue;
      }
      if (ch === '\r') {
        this.col = 0;
        this.pendingWrap = false;
        i++;
        continue;
      }
      // The text up to the next control character, grapheme by grapheme.
      TEXT.lastIndex = i;
      const text = TEXT.exec(chunk)?.[0];
      if (!text) {
        i++;
        continue;
      }
      for (const { segment } of segmenter.segment(text)) this.put(segment);
      i += text.length;
    }
  }
}
