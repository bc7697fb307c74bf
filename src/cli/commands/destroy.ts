// `helmcycle destroy`: uninstalls the stack's charts in reverse dependency order, on the cluster or
// across the targets; asks on a terminal, needs --yes anywhere else; declined, it changes nothing (exit 1).
import type { Command } from 'commander';
import type { ResolvedStack } from '../../stack/types.js';
import type { CommandContext, CommandHost } from '../command-context.js';
import { EXIT } from '../exit-codes.js';

interface DestroyFlags {
  failFast?: boolean;
  yes?: boolean;
}

export function register(program: Command, host: CommandHost): void {
  program
    .command('destroy')
    .description('uninstall the charts in reverse dependency order')
    .option('--fail-fast', 'cancel every chart when one fails')
    .option('-y, --yes', 'do not ask for confirmation (needed where there is no terminal: CI, pipes, scripts)')
    .action((o: DestroyFlags) => host.setResult(destroy(host.context(), o)));
}

async function destroy(ctx: CommandContext, flags: DestroyFlags): Promise<number> {
  const [{ requireConfirmable, confirmDestroy }, { onStack, stackRun }] = await Promise.all([import('../confirm.js'), import('../stack-fork.js')]);
  requireConfirmable(ctx.io, flags.yes ?? false);
  const run = stackRun(ctx, 'destroy', flags);
  /** The person said yes (or --yes); the question names what is destroyed, and where. */
  const confirmed = async (stack: ResolvedStack, where: () => Promise<string | undefined>) => {
    const { selectedCharts } = await import('../../stack/run-stack.js');
    const charts = selectedCharts(stack, ctx.selection()).map((c) => c.name);
    const place = await where();
    return flags.yes || (await confirmDestroy(ctx.io, stack.name, charts, place));
  };
  return onStack(ctx, {
    cluster: async (stack) => ((await confirmed(stack, async () => ctx.options.kubeContext)) ? run.cluster(stack) : EXIT.chartFailed),
    fleet: async (stack, fleet) => {
      const targets = async () => {
        const { selectTargets } = await import('../../fleet/select-targets.js');
        return `targets ${selectTargets(stack.fleet?.targets ?? [], (await fleet()).targetSelection).map((t) => t.name).join(', ')}`;
      };
      return (await confirmed(stack, targets)) ? run.fleet(stack, fleet) : EXIT.chartFailed;
    },
  });
}
