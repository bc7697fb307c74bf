// apply, destroy and validate on one cluster: the environment checked once, the stack run with the
// command's flags, its events masked and rendered (and kept for --report), failures told on stderr.
import { isHelmcycleError } from '../errors.js';
import type { StackCommand, StackEvent } from '../stack/events.js';
import { runStack, type StackResult } from '../stack/run-stack.js';
import type { Selection } from '../stack/select.js';
import type { ResolvedStack } from '../stack/types.js';
import type { CommandContext, RunFlags } from './command-context.js';
import { EXIT, failedRunExitCode } from './exit-codes.js';

export async function runOnCluster(ctx: CommandContext, stack: ResolvedStack, command: StackCommand, flags: RunFlags, selection: Selection): Promise<number> {
  const { options, io } = ctx;
  await ctx.checkEnvironment('cluster');
  const events: StackEvent[] = [];
  const renderer = await ctx.renderer();
  const clients = await ctx.clients();
  // Each chart masks its own events; the run's masker masks every chart's secrets in all of them, for
  // the renderers and the report alike (one chart's output can name another's value).
  ctx.masker.add(stack.charts.map((c) => c.definition));
  const masker = ctx.masker;
  let result: StackResult;
  try {
    // The flags as given: runStack folds them with the stack's settings (runSettingsOf), as plan does.
    result = await runStack(stack, {
      ...clients,
      ...flags,
      command,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      lockTimeoutMs: options.lockTimeout * 1_000,
      selection,
      ...(io.signal ? { signal: io.signal } : {}),
      onEvent: (event) => {
        const masked = masker.maskDeep(event);
        events.push(masked);
        renderer.event(masked);
      },
    });
  } finally {
    renderer.close();
    if (options.report) await (await import('./run-report.js')).writeRunReport(options.report, events, { argv: ctx.argv, clients, kubeconfig: options.kubeconfig, mask: masker.mask });
  }
  if (options.output !== 'json') await printFailures(io.stderr, result, masker.mask);
  if (result.interrupted) return EXIT.interrupted;
  if (result.ok) return EXIT.ok;
  return failedRunExitCode(result.charts.filter((c) => c.status === 'failed').map((c) => c.error));
}

async function printFailures(stderr: (text: string) => void, result: StackResult, mask: (text: string) => string): Promise<void> {
  for (const record of result.charts) {
    if (record.status !== 'failed') continue;
    const error = record.error;
    stderr(mask(`\n✖ ${record.name}: ${error instanceof Error ? error.message : String(error)}\n`));
    if (isHelmcycleError(error) && error.hint) stderr(mask(`  hint: ${error.hint}\n`));
  }
  if (result.rollback) {
    const { describeRollbackStep } = await import('../stack/stack-rollback-plan.js');
    stderr(`\nstack rollback (${result.rollback.length} step(s), reverse dependency order):\n`);
    for (const step of result.rollback) stderr(mask(`  ${step.ok ? '↺' : '✖'} ${describeRollbackStep(step)}${step.error ? `: FAILED: ${step.error}` : ''}\n`));
  }
}
