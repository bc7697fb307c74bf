// Fitting text into terminal rows. A row wider than the terminal wraps into two physical lines, and a
// live view that redraws in place (log-update) then erases one line too few: rows vanish, swap places
// or stay behind. So every row is cut to the width, measured in terminal columns (a CJK character or
// an emoji takes two), and text from events is made one plain line first. Pure.
import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';

export const ELLIPSIS = '…';

/**
 * Text from an event (a chart's message, helm's error) as plain, printable text: its own escape
 * sequences removed (they would move the cursor or colour the rest of the screen), tabs as spaces,
 * other control characters dropped. Newlines are kept; see `lines`.
 */
export function printable(text: string): string {
  return stripAnsi(text)
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '  ')
    // C0 and C1 controls except the newline.
    .replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, '');
}

/** Characters of an event's text kept for the screen: more than any terminal row shows, far less than helm can say. */
const MAX_SCREEN_TEXT = 4_000;

/** The non-empty lines of a text from an event, each printable. */
export function lines(text: string): string[] {
  return printable(text.length > MAX_SCREEN_TEXT ? text.slice(0, MAX_SCREEN_TEXT) : text)
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
}

/** How many terminal columns the text takes (escape sequences take none). */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/**
 * The row cut to at most `width` columns, with an ellipsis where it was cut; colours are closed at the
 * cut. A wide character that would straddle the edge is left out rather than let it overflow.
 */
export function fitWidth(row: string, width: number): string {
  // Plain ASCII is one column a character: no need to measure.
  if (ASCII.test(row)) return row.length <= width ? row : `${row.slice(0, Math.max(0, width - 1))}${width > 0 ? ELLIPSIS : ''}`;
  // A live frame is mostly the rows of the last one (5 frames a second), and measuring by grapheme is
  // not cheap: the answers are remembered.
  const key = `${width}\u0000${row}`;
  const known = fitted.get(key);
  if (known !== undefined) return known;
  if (fitted.size >= FIT_CACHE_SIZE) fitted.clear();
  const answer = fit(row, width);
  fitted.set(key, answer);
  return answer;
}

const ASCII = /^[\x20-\x7E]*$/;
const FIT_CACHE_SIZE = 2_000;
const fitted = new Map<string, string>();

function fit(row: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(row) <= width) return row;
  if (width === 1) return ELLIPSIS;
  let end = width - 1;
  let cut = sliceAnsi(row, 0, end);
  // slice-ansi keeps a double-width character that starts inside the range; step back until it fits.
  while (end > 0 && stringWidth(cut) > width - 1) cut = sliceAnsi(row, 0, --end);
  return `${cut}${ELLIPSIS}`;
}

/** Pads to `width` columns (by display width, unlike String.padEnd). */
export function padWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}
