// `helmcycle validate`: only the validate phase, against what is deployed, on the cluster or across the targets.
import type { Command } from 'commander';
import type { CommandContext, CommandHost } from '../command-context.js';

export function register(program: Command, host: CommandHost): void {
  program.command('validate').description('run only the validate phase against what is deployed').action(() => host.setResult(validate(host.context())));
}

async function validate(ctx: CommandContext): Promise<number> {
  const { onStack, stackRun } = await import('../stack-fork.js');
  return onStack(ctx, stackRun(ctx, 'validate', {}));
}
