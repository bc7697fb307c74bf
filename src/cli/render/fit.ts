// Fitting text into terminal rows. A row wider than the terminal wraps into two physical lines, and a
// live view that redraws in place (log-update) then erases one line too few: rows vanish, swap places
// or stay behind. So every row is cut to the width, measured in terminal columns (a CJK character or
// an emoji takes two). Pure. (Making event text one plain line is text-lines.ts: the plain renderer
// needs only that, and string-width's tables cost ~45 ms to load.)
import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';

export const ELLIPSIS = '…';

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
