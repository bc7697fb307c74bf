// `helmcycle status`: each release's revision, chart version and health, on the cluster or across the
// targets; the exit code says whether every chart is ready.
import type { Command } from 'commander';
import type { CommandContext, CommandHost } from '../command-context.js';
import { statusExitCode } from '../exit-codes.js';

export function register(program: Command, host: CommandHost): void {
  program.command('status').description("each release's revision, chart version and health").action(() => host.setResult(status(host.context())));
}

async function status(ctx: CommandContext): Promise<number> {
  const { onStack } = await import('../stack-fork.js');
  return onStack(ctx, {
    fleet: async (_stack, fleet) => {
      const [{ statusFleet }, { formatStatus }] = await Promise.all([import('../fleet-inspect.js'), import('../format.js')]);
      return statusFleet(await fleet(), formatStatus);
    },
    cluster: async (stack) => {
      await ctx.checkEnvironment('cluster');
      const [{ selectedCharts, concurrencyFor }, { chartStatuses }, { formatStatus }] = await Promise.all([import('../../stack/run-stack.js'), import('../../stack/inspect.js'), import('../format.js')]);
      const { io, options } = ctx;
      const clients = await ctx.clients();
      const statuses = await chartStatuses(selectedCharts(stack, ctx.selection()), clients, concurrencyFor(stack, options.concurrency));
      const code = statusExitCode(statuses);
      // What `helmcycle reconcile` last did with this stack on this cluster, when it runs here.
      const { readReconcileStatus, formatReconcileStatus } = await import('../../reconcile/records.js');
      const reconciled = await readReconcileStatus(clients.kube, stack.name).catch(() => undefined);
      if (options.output === 'json') {
        if (reconciled) io.stdout(`${JSON.stringify({ type: 'reconcile-status', ...reconciled })}\n`);
        for (const s of statuses) io.stdout(`${JSON.stringify({ type: 'status', ...s })}\n`);
        const count = (health: string) => statuses.filter((s) => s.health === health).length;
        io.stdout(`${JSON.stringify({ type: 'status-summary', ready: count('ready'), degraded: count('degraded'), notInstalled: count('not-installed'), exitCode: code })}\n`);
      } else io.stdout(`${formatStatus(statuses)}\n${reconciled ? `\n${formatReconcileStatus(reconciled)}\n` : ''}`);
      return code;
    },
  });
}
