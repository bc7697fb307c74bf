// A reader that stops early (`helmcycle template | head -1`, `list | head`) closes the pipe under
// stdout; the next write fails with EPIPE, which Node reports as an 'error' event that would end the
// process with a stack trace and exit 1. As a Unix tool ends on SIGPIPE, helmcycle then ends quietly:
// a command that only reads and prints (template, list, status, completion, help) stops at once with
// exit 0, its helm processes stopped and private folders removed; one that changes the cluster (apply,
// destroy) or writes a file (plan --out) is not cut short by a closed pager: it goes on to the end
// with its output dropped, and its exit code stays its own.

/** Commands whose only effect is their output: nothing is lost by stopping them early. */
export const OUTPUT_ONLY_COMMANDS: ReadonlySet<string> = new Set(['template', 'list', 'status', 'completion', 'help']);

export interface ClosedPipeOptions {
  /** The command running now (undefined before one is chosen: --help, --version). */
  command: () => string | undefined;
  /** Ends the process now, with exit code 0. */
  exitQuietly: () => void;
}

export interface GuardedOutput {
  /** Writes, unless the reader has gone; then the text is dropped. */
  write(text: string): void;
  readonly closed: boolean;
}

/** Watches a stream for a closed pipe; any other error of the stream is still thrown. */
export function guardClosedPipe(stream: NodeJS.WritableStream, options: ClosedPipeOptions): GuardedOutput {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (closed) return;
    closed = true;
    const command = options.command();
    if (command === undefined || OUTPUT_ONLY_COMMANDS.has(command)) options.exitQuietly();
  });
  return {
    write: (text) => {
      if (!closed) stream.write(text);
    },
    get closed() {
      return closed;
    },
  };
}
