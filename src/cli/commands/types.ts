// `helmcycle types`: writes a TypeScript declaration of each chart's values (from its values.schema.json,
// else inferred from its values.yaml), so `values: {...} satisfies WebValues` in helmcycle.config.ts is
// checked by tsc and completed by editors. Reads the charts only; nothing in the cluster.
import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext, CommandHost } from '../command-context.js';
import { EXIT } from '../exit-codes.js';

/** The folder written to, beside the stack file, unless --out-dir says otherwise. */
export const DEFAULT_TYPES_DIR = 'helmcycle-types';

export function register(program: Command, host: CommandHost): void {
  program
    .command('types')
    .description("write a .d.ts of each chart's values (from its values.schema.json, else its values.yaml) for a TS config")
    .option('--out-dir <dir>', `where to write them (default: ${DEFAULT_TYPES_DIR}/ beside the stack file)`)
    .action((o: { outDir?: string }) => host.setResult(types(host.context(), o)));
}

async function types(ctx: CommandContext, flags: { outDir?: string }): Promise<number> {
  const { onStack } = await import('../stack-fork.js');
  return onStack(ctx, {
    cluster: async (stack) => {
      await ctx.checkEnvironment('local');
      const [{ selectedCharts }, { writeValuesTypes }, { runViewOf, endRunView }] = await Promise.all([import('../../stack/run-stack.js'), import('../../stack/values-types.js'), import('../../helm/storage-backed-client.js')]);
      const { io } = ctx;
      const cwd = io.cwd ?? process.cwd();
      const outDir = flags.outDir ? resolve(cwd, flags.outDir) : resolve(stack.file ? dirname(stack.file) : cwd, DEFAULT_TYPES_DIR);
      const helm = runViewOf((await ctx.clients()).helm);
      try {
        const written = await writeValuesTypes(selectedCharts(stack, ctx.selection()), helm, outDir, io.signal);
        for (const w of written) {
          io.stdout(ctx.options.output === 'json' ? `${JSON.stringify({ type: 'types', ...w })}\n` : `${w.chart}: ${shownPath(cwd, w.file)} (${w.typeName}, from ${w.from})\n`);
        }
      } finally {
        await endRunView(helm);
      }
      return EXIT.ok;
    },
  });
}

/** The file relative to where the command runs when it is below it, else as it is. */
function shownPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}
