// Which renderer a stack run gets, and whether output is coloured: `-o json` → JSON lines (never
// coloured); a terminal (not CI) → the live tree; otherwise CI lines. Colours: see palette.ts.
import { colorWanted, palette, type Palette } from './palette.js';
import type { TerminalStream } from './tree.js';
import type { Renderer } from './types.js';

export interface OutputChoice {
  output: 'text' | 'json';
  /** false with --no-color. */
  color: boolean;
  /** stdout, when it is a terminal. */
  terminal: TerminalStream | undefined;
  env?: Readonly<Record<string, string | undefined>>;
}

/** The colours of text output. Pure. */
export function paletteFor(choice: OutputChoice): Palette {
  return palette(choice.output !== 'json' && colorWanted({ flag: choice.color, env: choice.env ?? process.env, isTTY: Boolean(choice.terminal?.isTTY ?? choice.terminal) }));
}

export async function chooseRenderer(choice: OutputChoice & { interactive: boolean; reportPath: string | undefined; write: (line: string) => void }): Promise<Renderer> {
  if (choice.output === 'json') return (await import('./json.js')).jsonRenderer(choice.write);
  const paint = paletteFor(choice);
  if (choice.interactive) return (await import('./tree.js')).treeRenderer({ ...(choice.terminal ? { stream: choice.terminal } : {}), paint, reportPath: choice.reportPath });
  return (await import('./plain.js')).plainRenderer(choice.write, { paint, reportPath: choice.reportPath });
}
