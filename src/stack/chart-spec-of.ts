// The spec a run uses, folded once. A chart's settings come from three places: the chart (with the
// stack's defaults and environment applied by load.ts), the stack's run settings (ignoreDrift,
// rollbackStackOnFailure) and the command (apply or destroy, --force-upgrade, --ignore-drift, ...).
// runSettingsOf merges the stack's and the command's; runDefinitionOf lays them on a chart. Plan, apply,
// the fleet and saved plans all call these two and nothing else merges flags, so they cannot disagree.
// Pure.
import type { ChartSpec } from '../config/chart-spec.js';
import { parseDefinition } from '../lifecycle/definition.js';
import type { StackCommand } from './events.js';
import type { ResolvedChart, ResolvedStack, StackChart } from './types.js';

/** What the command line says, before the stack's own settings are folded in. */
export interface CommandFlags {
  command: StackCommand;
  /** --force-upgrade: upgrade even when the recorded digest says nothing changed. */
  forceUpgrade?: boolean | undefined;
  /** --ignore-drift. */
  ignoreDrift?: boolean | undefined;
  /** --[no-]rollback-stack-on-failure; undefined: the stack's setting. */
  rollbackStackOnFailure?: boolean | undefined;
  /** --fail-fast. */
  failFast?: boolean | undefined;
  /** --prune: uninstall the releases of the stack's inventory no longer in the stack. */
  prune?: boolean | undefined;
  /** --adopt-inventory: a renamed stack takes over its old name's inventory. */
  adoptInventory?: boolean | undefined;
}

/** A run's settings, the stack's and the command's folded (runSettingsOf). */
export interface RunSettings {
  command: StackCommand;
  forceUpgrade: boolean;
  /** The command's --ignore-drift or the stack's ignoreDrift (a chart's own ignoreDrift still counts). */
  ignoreDrift: boolean;
  /** The command line's choice wins over the stack's; only apply rolls back. */
  rollbackStackOnFailure: boolean;
  failFast: boolean;
  /** The command's --prune or the stack's prune; only apply prunes. */
  prune: boolean;
  adoptInventory: boolean;
}

/** The stack's run settings and the command's flags, folded. */
export function runSettingsOf(stack: Pick<ResolvedStack, 'ignoreDrift' | 'rollbackStackOnFailure' | 'prune'>, flags: CommandFlags): RunSettings {
  return {
    command: flags.command,
    forceUpgrade: flags.forceUpgrade ?? false,
    ignoreDrift: (flags.ignoreDrift ?? false) || (stack.ignoreDrift ?? false),
    rollbackStackOnFailure: flags.command === 'apply' && (flags.rollbackStackOnFailure ?? stack.rollbackStackOnFailure ?? false),
    failFast: flags.failFast ?? false,
    prune: flags.command === 'apply' && ((flags.prune ?? false) || (stack.prune ?? false)),
    adoptInventory: flags.adoptInventory ?? false,
  };
}

/** The definition a chart runs with under these settings (lifecycle/definition.ts splits it). */
export function runDefinitionOf(chart: ResolvedChart, settings: Pick<RunSettings, 'command'> & Partial<Pick<RunSettings, 'forceUpgrade' | 'ignoreDrift'>>): StackChart {
  const definition = settings.ignoreDrift ? { ...chart.definition, ignoreDrift: true } : chart.definition;
  if (settings.command === 'destroy') return { ...definition, action: 'destroy' };
  if (settings.command === 'validate') return definition;
  return { ...definition, skipUnchanged: settings.forceUpgrade ? false : (definition.skipUnchanged ?? true) };
}

/**
 * The validated spec a chart runs with under these settings: what validating runDefinitionOf's definition
 * gives. The settings change only `action`, `skipUnchanged` and `ignoreDrift`, which the schema takes as
 * they are (an enum and two booleans, no refinement reads them), and the chart's own definition was
 * validated when the stack loaded (cached by its content): so its spec with those three set is that
 * answer, without a second zod pass a chart (about 1 ms each at every run; issue 26).
 * test/unit/run-spec.test.ts holds the two equal.
 */
export function runSpecOf(chart: ResolvedChart, settings: Parameters<typeof runDefinitionOf>[1]): ChartSpec {
  const base = chartSpecOf(chart.definition, chart.file);
  const run = runDefinitionOf(chart, settings);
  return { ...base, action: run.action ?? base.action, skipUnchanged: run.skipUnchanged ?? base.skipUnchanged, ignoreDrift: run.ignoreDrift ?? base.ignoreDrift };
}

/** The validated spec inside a definition (its phases, checks, migrations and needs set aside by the one split in lifecycle/definition.ts). */
export function chartSpecOf(definition: StackChart, file?: string): ChartSpec {
  return parseDefinition(definition, { file }).spec;
}
