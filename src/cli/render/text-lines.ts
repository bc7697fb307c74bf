// Text from events made plain, printable lines for the screen or a log. Pure. Kept apart from fit.ts
// (terminal widths): the plain renderer of CI logs needs only this, not string-width's Unicode tables.
import stripAnsi from 'strip-ansi';

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
