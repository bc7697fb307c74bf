// The gate `apply --strict-values` runs before the stack: the charts apply would deploy are checked for
// values they do not read (stack/strict-values.ts); any refusal is told, chart by chart, and the run
// ends with the exit code of a failed chart before anything changed. Undefined: nothing refused.
import { runSettingsOf } from '../stack/chart-spec-of.js';
import { concurrencyFor, selectedCharts } from '../stack/run-stack.js';
import { strictValuesRefusals } from '../stack/strict-values.js';
import type { ResolvedStack } from '../stack/types.js';
import type { CommandContext, RunFlags } from './command-context.js';
import { EXIT } from './exit-codes.js';

export async function refuseUnusedValues(ctx: CommandContext, stack: ResolvedStack, flags: RunFlags): Promise<number | undefined> {
  await ctx.checkEnvironment('cluster');
  const { io, options, masker } = ctx;
  const settings = { ...runSettingsOf(stack, { ...flags, command: 'apply' }), command: 'apply' as const };
  const refusals = await strictValuesRefusals(selectedCharts(stack, ctx.selection()), { ...(await ctx.clients()), ...settings, concurrency: concurrencyFor(stack, options.concurrency), masker, ...(io.signal ? { signal: io.signal } : {}) });
  if (refusals.length === 0) return undefined;
  for (const refusal of refusals) {
    if (options.output === 'json') io.stdout(`${JSON.stringify({ type: 'chart-refused', chart: refusal.chart, class: 'unused-values', paths: refusal.paths, message: masker.mask(refusal.message) })}\n`);
    else io.stderr(masker.mask(`\n✖ ${refusal.chart}: ${refusal.message}\n  hint: ${refusal.hint}\n`));
  }
  return EXIT.chartFailed;
}
