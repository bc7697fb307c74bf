// `helmcycle apply [plan-file]`: deploys the stack's charts in dependency order, or applies a plan that
// `plan --out` saved, exactly as planned.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { CommandContext, CommandHost, RunFlags } from '../command-context.js';

export function register(program: Command, host: CommandHost): void {
  program
    .command('apply')
    .description('deploy the charts in dependency order, or apply a plan saved by plan --out')
    .argument('[plan-file]', "a plan saved by 'plan --out': applied exactly, with its flags (none of the flags below), refused (exit 5) if the stack file, a release, its drift or a decision moved since")
    .option('--fail-fast', 'cancel every chart when one fails')
    .option('--force-upgrade', 'upgrade charts even when nothing changed')
    .option('--rollback-stack-on-failure', "when a chart fails for good, put back every release this run changed (reverse dependency order); wins over the stack's rollbackStackOnFailure")
    .option('--no-rollback-stack-on-failure', "do not, whatever the stack's rollbackStackOnFailure says")
    .option('--ignore-drift', 'leave live objects that differ from the deployed manifests as they are')
    .option('--prune', "after the deploy, uninstall the releases this stack deployed (its inventory) that are no longer in it, in reverse dependency order; never a release the inventory does not list")
    .option('--adopt-inventory', "a renamed stack takes over its old name's inventory (without: refused, exit 2)")
    .option('--strict-values', 'refuse (unused-values, before any change) when a chart it would install or upgrade is given values it does not read')
    .action((planFile: string | undefined, o: RunFlags & { strictValues?: boolean }) => host.setResult(planFile ? applySaved(host.context(), planFile, o) : apply(host.context(), o)));
}

async function apply(ctx: CommandContext, { strictValues, ...flags }: RunFlags & { strictValues?: boolean }): Promise<number> {
  const { onStack, stackRun } = await import('../stack-fork.js');
  const run = stackRun(ctx, 'apply', flags);
  if (!strictValues) return onStack(ctx, run);
  return onStack(ctx, {
    fleet: async () => {
      throw new UsageError('apply --strict-values checks one cluster, and this stack names targets', "run 'helmcycle plan --strict-values' across the targets, or apply one target with --kubeconfig/--kube-context; nothing was changed");
    },
    cluster: async (stack) => {
      const { refuseUnusedValues } = await import('../strict-values-gate.js');
      return (await refuseUnusedValues(ctx, stack, flags)) ?? run.cluster(stack);
    },
  });
}

/**
 * `apply FILE`: the saved plan, checked against the stack -c names (or discovery finds) and the cluster,
 * then applied as planned. A plan is one cluster's: it never reaches the fleet (a target option is
 * refused here, a stack that now names targets by prepareSavedPlan).
 */
async function applySaved(ctx: CommandContext, file: string, { strictValues, ...flags }: RunFlags & { strictValues?: boolean }): Promise<number> {
  if (strictValues) throw new UsageError(`${file} is applied with the plan's own flags`, `drop --strict-values; 'plan --strict-values --out ${file}' predicts unused values before saving; nothing was changed`);
  const { targetOptionGiven } = await import('../stack-fork.js');
  if (targetOptionGiven(ctx.options)) throw new UsageError(`${file} is the plan of one cluster`, 'drop --targets, -t and --shard; nothing was changed');
  const { prepareSavedPlan, serverOf } = await import('../saved-plan.js');
  const prepared = await prepareSavedPlan(file, {
    given: { ...ctx.options, ...flags },
    // Never the plan's own stack path: a plan file is data, and names nothing that is run.
    loadStack: (environment) => ctx.stack(environment),
    connect: async () => {
      const { helm, kube } = await ctx.clients();
      return { helm, kube, server: serverOf(kube.config) };
    },
    signal: ctx.io.signal,
  });
  const { runOnCluster } = await import('../cluster-run.js');
  return runOnCluster(ctx, prepared.stack, prepared.flags.command, prepared.flags, prepared.selection);
}
