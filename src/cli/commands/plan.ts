// `helmcycle plan`: what apply (or destroy) would do to each chart, and why, on the cluster or across
// the targets; changes nothing. `--out FILE` saves one cluster's plan for `apply FILE`.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { ChartPlan } from '../../stack/plan.js';
import type { CommandContext, CommandHost, RunFlags } from '../command-context.js';
import { EXIT } from '../exit-codes.js';

type PlanFlags = RunFlags & { destroy?: boolean; detailedExitcode?: boolean; out?: string };

export function register(program: Command, host: CommandHost): void {
  program
    .command('plan')
    .description('show what apply (or destroy) would do to each chart, and why; changes nothing')
    .option('--destroy', 'plan a destroy instead of an apply')
    .option('--force-upgrade', 'plan as if every chart had changed')
    .option('--detailed-exitcode', 'exit 0 when nothing would change, 2 when something would, 1 on an error or a predicted failure')
    .option('--out <file>', "save the plan (private, no secrets) for 'helmcycle apply <file>'")
    .option('--ignore-drift', 'do not compare live objects with the deployed manifests')
    .option('--fail-fast', "with --out: the saved plan's apply cancels every chart when one fails")
    .option('--rollback-stack-on-failure', "with --out: the saved plan's apply puts back every release it changed when a chart fails for good")
    .option('--no-rollback-stack-on-failure', "with --out: it does not, whatever the stack's rollbackStackOnFailure says")
    .action((o: PlanFlags) => host.setResult(import('../plan-exit.js').then(({ withDetailedErrors }) => withDetailedErrors(plan(host.context(), o), o.detailedExitcode ?? false))));
}

async function plan(ctx: CommandContext, flags: PlanFlags): Promise<number> {
  const given = { ...flags, command: flags.destroy ? ('destroy' as const) : ('apply' as const) };
  const [{ onStack }, { formatPlan }, { paletteFor }, { detailedPlanExitCode }] = await Promise.all([import('../stack-fork.js'), import('../format.js'), import('../render/choose.js'), import('../plan-exit.js')]);
  const format = (plans: ChartPlan[]) => formatPlan(plans, { paint: paletteFor(ctx.outputChoice()) });
  return onStack(ctx, {
    fleet: async (_stack, fleet) => {
      if (flags.out) throw new UsageError('plan --out saves the plan of one cluster, and this plan covers a fleet', 'plan one target with --kubeconfig/--kube-context on a stack without targets, or drop --out');
      const { code, plans } = await (await import('../fleet-inspect.js')).planFleet(await fleet(), given, format);
      return flags.detailedExitcode && code === EXIT.ok ? detailedPlanExitCode(plans) : code;
    },
    cluster: async (stack) => {
      await ctx.checkEnvironment('cluster');
      const { planCluster } = await import('../plan-command.js');
      const { io, options } = ctx;
      const plans = await planCluster(stack, given, { clients: await ctx.clients(), selection: ctx.selection(), concurrency: options.concurrency, output: options.output, format, out: flags.out, stdout: io.stdout, signal: io.signal, masker: ctx.masker });
      return flags.detailedExitcode ? detailedPlanExitCode(plans) : EXIT.ok;
    },
  });
}
