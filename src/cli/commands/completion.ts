// `helmcycle completion bash|zsh|fish`: a completion script made from the program itself (cli/completion.ts).
import { Argument, type Command } from 'commander';
import type { CommandHost } from '../command-context.js';
import { EXIT } from '../exit-codes.js';

export function register(program: Command, host: CommandHost): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action((shell: 'bash' | 'zsh' | 'fish') => host.setResult(import('../completion.js').then(({ completionScript }) => (host.io.stdout(completionScript(program, shell)), EXIT.ok))));
}
