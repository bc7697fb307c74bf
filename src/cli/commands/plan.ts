// `helmcycle plan`: what apply (or destroy) would do to each chart, and why, on the cluster or across
// the targets; changes nothing. `--out FILE` saves one cluster's plan for `apply FILE`.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { ChartPlan } from '../../stack/plan.js';
import type { CommandContext, CommandHost, RunFlags } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { KUBE_VERSION_HINT, KUBE_VERSION_PATTERN } from '../../upgrade/kube-version.js';

type PlanFlags = RunFlags & { destroy?: boolean; detailedExitcode?: boolean; out?: string; kubeVersion?: string; failOn?: 'deprecated' | 'removed'; strictValues?: boolean };

/** --kube-version: a Kubernetes version (src/upgrade/kube-version.ts), as given. */
function kubeVersionArgument(value: string): string {
  if (!KUBE_VERSION_PATTERN.test(value.trim())) throw new InvalidArgumentError(`expected ${KUBE_VERSION_HINT}`);
  return value.trim();
}

export function register(program: Command, host: CommandHost): void {
  program
    .command('plan')
    .description('show what apply (or destroy) would do to each chart, and why; changes nothing')
    .option('--destroy', 'plan a destroy instead of an apply')
    .option('--force-upgrade', 'plan as if every chart had changed')
    .option('--detailed-exitcode', 'exit 0 when nothing would change, 2 when something would, 1 on an error or a predicted failure')
    .option('--out <file>', "save the plan (private, no secrets) for 'helmcycle apply <file>'")
    .option('--ignore-drift', 'do not compare live objects with the deployed manifests')
    .option('--prune', "plan the uninstall of the releases this stack deployed (its inventory) that are no longer in it (without: they are listed, and left)")
    .option('--adopt-inventory', "a renamed stack takes over its old name's inventory (without: refused, exit 2)")
    .option('--fail-fast', "with --out: the saved plan's apply cancels every chart when one fails")
    .option('--rollback-stack-on-failure', "with --out: the saved plan's apply puts back every release it changed when a chart fails for good")
    .option('--no-rollback-stack-on-failure', "with --out: it does not, whatever the stack's rollbackStackOnFailure says")
    .option('--kube-version <version>', "check rendered and stored manifests against the APIs removed or deprecated up to this Kubernetes version (default: the target's or stack's kubeVersion, else the server's, removed APIs only)", kubeVersionArgument)
    .option('--strict-values', 'values a chart does not read (unused, not allowed by its schema, removed in the target version) are a predicted failure (unused-values), not only a warning')
    .addOption(new Option('--fail-on <level>', 'exit 6 when an API is removed (or, with deprecated, deprecated too) at the version checked').choices(['deprecated', 'removed']))
    .action((o: PlanFlags) => host.setResult(import('../plan-exit.js').then(({ withDetailedErrors }) => withDetailedErrors(plan(host.context(), o), o.detailedExitcode ?? false))));
}

async function plan(ctx: CommandContext, flags: PlanFlags): Promise<number> {
  const given = { ...flags, command: flags.destroy ? ('destroy' as const) : ('apply' as const) };
  const [{ onStack }, { formatPlan }, { paletteFor }, { detailedPlanExitCode, failOnExitCode }] = await Promise.all([import('../stack-fork.js'), import('../format.js'), import('../render/choose.js'), import('../plan-exit.js')]);
  const format = (plans: ChartPlan[]) => formatPlan(plans, { paint: paletteFor(ctx.outputChoice()) });
  return onStack(ctx, {
    fleet: async (_stack, fleet) => {
      if (flags.out) throw new UsageError('plan --out saves the plan of one cluster, and this plan covers a fleet', 'plan one target with --kubeconfig/--kube-context on a stack without targets, or drop --out');
      const { code, plans } = await (await import('../fleet-inspect.js')).planFleet(await fleet(), given, format);
      return failOnExitCode(plans, flags.failOn, flags.detailedExitcode && code === EXIT.ok ? detailedPlanExitCode(plans) : code);
    },
    cluster: async (stack) => {
      await ctx.checkEnvironment('cluster');
      const { planCluster } = await import('../plan-command.js');
      const { io, options } = ctx;
      const plans = await planCluster(stack, given, { clients: await ctx.clients(), selection: ctx.selection(), concurrency: options.concurrency, output: options.output, format, out: flags.out, stdout: io.stdout, note: (message) => io.stderr(`note: ${message}\n`), signal: io.signal, masker: ctx.masker });
      return failOnExitCode(plans, flags.failOn, flags.detailedExitcode ? detailedPlanExitCode(plans) : EXIT.ok);
    },
  });
}
