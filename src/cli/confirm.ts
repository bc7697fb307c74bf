// `destroy` asks before it uninstalls anything, as `terraform destroy` does: on a terminal it lists the
// charts and waits for "yes"; anywhere else (CI, a pipe, a script) it needs --yes, and without it stops
// with exit 2 before loading anything from the cluster.
import { createInterface } from 'node:readline/promises';
import { HelmcycleError } from '../errors.js';

/** What the question needs of the CLI's io: whether a person is there, and how to ask them. */
export interface ConfirmIo {
  interactive: boolean;
  /** Asks on the terminal and resolves with the answer; undefined when stdin is not a terminal. */
  ask?: ((question: string) => Promise<string | undefined>) | undefined;
}

/** destroy without --yes where nobody can answer: bad input, exit 2, nothing changed. */
export class ConfirmationRequiredError extends HelmcycleError {
  constructor(command: string) {
    super('CONFIRMATION_REQUIRED', `${command} asks for confirmation, and there is no terminal to ask on (stdin or stdout is not a TTY, or CI is set)`, {
      hint: `nothing was changed; pass --yes to ${command} without asking`,
    });
  }
}

/** Whether a person can be asked: an interactive run with a terminal to read from. Pure. */
export function canAsk(io: ConfirmIo): boolean {
  return io.interactive && io.ask !== undefined;
}

/** The question, naming the stack and every chart it would remove. Pure. */
export function destroyQuestion(stack: string, charts: readonly string[], context: string | undefined): string {
  const where = context ? ` in context ${context}` : '';
  return `Destroy ${charts.length} chart(s) of stack ${stack}${where}: ${charts.join(', ')}?\nThis uninstalls the releases. Type 'yes' to continue: `;
}

/** Only the word "yes" confirms (as Terraform: "y" or Enter does not). Pure. */
export function confirms(answer: string | undefined): boolean {
  return answer?.trim() === 'yes';
}

/** Throws ConfirmationRequiredError when no --yes was given and nobody can be asked. */
export function requireConfirmable(io: ConfirmIo, yes: boolean): void {
  if (!yes && !canAsk(io)) throw new ConfirmationRequiredError('destroy');
}

/** Asks; true when the answer is "yes". A refusal says so on stderr. */
export async function confirmDestroy(io: ConfirmIo & { stderr: (text: string) => void }, stack: string, charts: readonly string[], context: string | undefined): Promise<boolean> {
  // In the order destroy goes when the declaration order is the dependency order (the usual case).
  if (confirms(await io.ask!(destroyQuestion(stack, [...charts].reverse(), context)))) return true;
  io.stderr('destroy cancelled: nothing was changed\n');
  return false;
}

/** Asks on this process's terminal (stderr, so stdout stays the command's output). Ctrl-C answers no. */
export function askOnTerminal(signal?: AbortSignal): (question: string) => Promise<string | undefined> {
  return async (question) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const cancelled = new Promise<undefined>((resolve) => terminal.once('SIGINT', () => resolve(undefined)));
    try {
      return await Promise.race([terminal.question(question, signal ? { signal } : {}), cancelled]);
    } catch {
      return undefined; // aborted
    } finally {
      terminal.close();
    }
  };
}
