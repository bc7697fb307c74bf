// A TS config is code: reading what it exports runs it (a getter, a Proxy, a computed list). When that
// code throws while the stack is being read, the error says which config file threw and what, in one
// short line, as bad input (exit 2), never as an internal failure with a stack trace.
import { clip, HelmcycleError, StackConfigError } from '../errors.js';

/** How much of the thrown message is kept: one line, short enough for a screen. */
const MESSAGE_LIMIT = 300;

/** The first line of what was thrown, whatever was thrown (an Error, a string, null), cut short. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${String(error.message)}` : String(error);
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

/** readingConfig for a read that is asynchronous (importing the module and reading its export). */
export async function readingConfigAsync<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof HelmcycleError) throw error;
    throw new StackConfigError(`the config's code threw while it was loaded: ${firstLine(error)}`, { file });
  }
}
