// Colours for states and diff lines, and when to use them. Off with NO_COLOR (https://no-color.org),
// --no-color, or when the output is not a terminal (a pipe, a file); FORCE_COLOR turns them on for a
// pipe (a CI log that shows colours). `-o json` never has colours: main does not ask for them there.
// The SGR codes are written here rather than taken from a colour library because such libraries decide
// at import time, from the process's streams, whether to colour; here the rule above decides. Pure.

export interface ColorInputs {
  /** false when --no-color was given. */
  flag: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** The output is a terminal. */
  isTTY: boolean;
}

export function colorWanted({ flag, env, isTTY }: ColorInputs): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

type Paint = (text: string) => string;

export interface Palette {
  enabled: boolean;
  green: Paint;
  red: Paint;
  yellow: Paint;
  cyan: Paint;
  dim: Paint;
  bold: Paint;
}

const sgr = (open: number, close: number): Paint => (text) => (text === '' ? text : `\u001B[${open}m${text}\u001B[${close}m`);
const plain: Paint = (text) => text;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { enabled, green: plain, red: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };
  return { enabled, green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39), cyan: sgr(36, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

export const NO_COLORS = palette(false);
