// The one place a stack command forks between one cluster and the fleet. A stack with `targets`, or a
// target option (--targets, -t, --shard) on any stack, runs across the targets; anything else runs on
// the cluster of --kubeconfig/--kube-context. Every stack command (apply, destroy, plan, status,
// validate; template and list, which have no fleet form) goes through `onStack`, and the fleet's
// options are made here only, so a command cannot reach the fleet another way.
import type { ResolvedStack } from '../stack/types.js';
import type { CommandContext, RunFlags } from './command-context.js';
import type { FleetCommandOptions } from './fleet-command.js';
import type { GlobalOptions } from './global-options.js';
import type { StackCommand } from '../stack/events.js';

/** What every fleet command shares (cli/fleet-command.ts), the command's flags aside. */
export type FleetOptions = Omit<FleetCommandOptions, 'flags' | 'lockTimeoutMs' | 'report'>;

export interface StackHandlers {
  /** One cluster: a stack without targets, and no target option. */
  cluster: (stack: ResolvedStack) => Promise<number>;
  /**
   * Across the targets. `fleet()` makes the fleet's options (it reads --targets, -t, --shard), when the
   * handler has checked what it must first. A command without one (template, list) ignores targets.
   */
  fleet?: (stack: ResolvedStack, fleet: () => Promise<FleetOptions>) => Promise<number>;
  /** The command reads names and versions only (list): the stack's SOPS files and references stay sealed, so no key is needed. */
  sealed?: boolean;
}

/** --targets, -t or --shard given: the command line asks for a fleet run. */
export function targetOptionGiven(options: Pick<GlobalOptions, 'targets' | 'targetLabel' | 'shard'>): boolean {
  return options.targets.length > 0 || options.targetLabel.length > 0 || options.shard !== undefined;
}

/** Loads the stack and runs the command on it: across its targets, or on one cluster. */
export async function onStack(ctx: CommandContext, handlers: StackHandlers): Promise<number> {
  const stack = await ctx.stack(ctx.options.env, !handlers.sealed);
  // A target option on a stack without targets goes to the fleet too, which refuses it there.
  if (handlers.fleet && (stack.fleet || targetOptionGiven(ctx.options))) return handlers.fleet(stack, () => fleetOptionsOf(ctx, stack));
  return handlers.cluster(stack);
}

async function fleetOptionsOf(ctx: CommandContext, stack: ResolvedStack): Promise<FleetOptions> {
  const { options, io } = ctx;
  const { parseShard } = await import('../fleet/shard.js');
  return {
    stack,
    // Each target's stack adds its secrets to the run's masker, which masks every line written.
    stackFor: (environment: string | undefined) => ctx.load(environment),
    masker: ctx.masker,
    targetSelection: { names: options.targets, labels: options.targetLabel, ...(options.shard ? { shard: parseShard(options.shard) } : {}) },
    selection: ctx.selection(),
    kubeconfig: options.kubeconfig,
    kubeContext: options.kubeContext,
    helm: options.helm,
    concurrency: options.concurrency,
    output: options.output,
    debug: options.debug ? ctx.debugLine : undefined,
    signal: io.signal,
    stdout: io.stdout,
    ...(ctx.deps.connectTarget ? { connect: ctx.deps.connectTarget } : {}),
  };
}

/** apply, destroy and validate: the run of the stack's charts, on the cluster or across the targets. */
export function stackRun(ctx: CommandContext, command: StackCommand, flags: RunFlags): Required<Omit<StackHandlers, 'sealed'>> {
  return {
    cluster: async (stack) => (await import('./cluster-run.js')).runOnCluster(ctx, stack, command, flags, ctx.selection()),
    fleet: async (stack, fleet) => {
      const { runFleetCommand } = await import('./fleet-command.js');
      return runFleetCommand({ ...(await fleet()), flags: { ...flags, command }, lockTimeoutMs: ctx.options.lockTimeout * 1_000, report: ctx.options.report });
    },
  };
}
