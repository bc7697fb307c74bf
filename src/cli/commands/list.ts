// `helmcycle list`: the stack's charts (after -l and --only), as a table or JSON lines. Reads the stack
// only: no cluster, and a stack's targets change nothing here.
import type { Command } from 'commander';
import type { CommandContext, CommandHost } from '../command-context.js';
import { EXIT } from '../exit-codes.js';

export function register(program: Command, host: CommandHost): void {
  program.command('list').description('the charts of the stack').action(() => host.setResult(list(host.context())));
}

async function list(ctx: CommandContext): Promise<number> {
  const { onStack } = await import('../stack-fork.js');
  return onStack(ctx, {
    sealed: true,
    cluster: async (stack) => {
      const [{ selectedCharts }, { formatList }] = await Promise.all([import('../../stack/run-stack.js'), import('../format.js')]);
      const charts = selectedCharts(stack, ctx.selection());
      if (ctx.options.output === 'json') for (const c of charts) ctx.io.stdout(`${JSON.stringify({ type: 'chart', name: c.name, namespace: c.definition.namespace ?? 'default', chart: c.definition.chart, version: c.definition.version, needs: c.needs, labels: c.definition.labels ?? {} })}\n`);
      else ctx.io.stdout(`${formatList(charts)}\n`);
      return EXIT.ok;
    },
  });
}
