// A TS config is code: reading what it exports runs it (a getter, a Proxy, a computed list). When that
// code throws while the stack is being read, the error says which config file threw and what, in one
// short line, as bad input (exit 2), never as an internal failure with a stack trace.
import { clip, HelmcycleError, StackConfigError } from '../errors.js';

/** How much of the thrown message is kept: one line, short enough for a screen. */
const MESSAGE_LIMIT = 300;

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return clip(text.split('\n')[0]!.trim() || '(no message)', MESSAGE_LIMIT);
}

/** Runs `read` (which reads the stack a config file exports); a throw of the config's own code names the file. */
export function readingConfig<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof HelmcycleError) throw error;
    throw new StackConfigError(`the config's code threw while its stack was read: ${firstLine(error)}`, { file });
  }
}
