// `helmcycle template`: renders the stack's charts locally, each through its transform as apply renders
// it, with the stack's sensitive values shown as ***. One rendering: a stack's targets change nothing here.
import type { Command } from 'commander';
import type { CommandContext, CommandHost } from '../command-context.js';
import { EXIT } from '../exit-codes.js';

export function register(program: Command, host: CommandHost): void {
  program.command('template').description('render the charts locally').action(() => host.setResult(template(host.context())));
}

async function template(ctx: CommandContext): Promise<number> {
  const { onStack } = await import('../stack-fork.js');
  return onStack(ctx, {
    cluster: async (stack) => {
      await ctx.checkEnvironment('local');
      const [{ selectedCharts }, { chartSpecOf }, { templateRequest }, { postRendererFor }] = await Promise.all([import('../../stack/run-stack.js'), import('../../stack/chart-spec-of.js'), import('../../lifecycle/requests.js'), import('../../lifecycle/transform.js')]);
      const { runViewOf, endRunView } = await import('../../helm/storage-backed-client.js');
      const { io } = ctx;
      // A run's view: each chart fetched, and each local chart's dependencies built, once.
      const helm = runViewOf((await ctx.clients()).helm);
      try {
        for (const chart of selectedCharts(stack, ctx.selection())) {
          const spec = chartSpecOf(chart.definition, chart.file);
          // Through the chart's transform, as apply renders it.
          const postRender = postRendererFor(spec, chart.definition.transform);
          const manifest = await helm.template({ ...templateRequest(spec), postRender }, { ...(io.signal ? { signal: io.signal } : {}) });
          // Rendered output goes to terminals and CI logs too: the stack's sensitive values show as ***.
          io.stdout(ctx.masker.mask(`# chart: ${chart.name}\n${manifest.trimEnd()}\n---\n`));
        }
      } finally {
        await endRunView(helm);
      }
      return EXIT.ok;
    },
  });
}
