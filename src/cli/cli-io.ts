// What a command line runs with: where its output goes, whether a person is there, and how it is
// interrupted. Its own file so the commands and their context can name it without importing main.ts.
import type { TerminalStream } from './render/tree.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Live tree output when true (a terminal, not CI). */
  interactive: boolean;
  /** stdout when it is a terminal: the live tree draws on it, and output is coloured (see render/palette.ts). */
  terminal?: TerminalStream;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Told the command chosen, before it runs (entry.ts: a closed pipe ends an output-only command early). */
  onCommand?: (name: string) => void;
  /** Asks a person on the terminal (destroy's confirmation); absent when stdin is not a TTY. */
  ask?: (question: string) => Promise<string | undefined>;
  cwd?: string;
}
