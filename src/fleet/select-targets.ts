// Which targets a run covers: --targets names them, -t key=value narrows by labels (every pair must
// match), --shard keeps one deterministic part. Pure.
import { UsageError } from '../errors.js';
import type { FleetTarget } from '../stack/fleet-targets.js';
import { inShard, type Shard } from './shard.js';

export interface TargetSelection {
  /** --targets a,b: only these (each must exist). */
  names?: readonly string[];
  /** -t key=value, repeatable: a target must carry every pair. */
  labels?: readonly string[];
  shard?: Shard;
}

/** `key=value` → [key, value]; anything else is a usage error naming the flag. */
export function parseLabelFilter(text: string): [string, string] {
  const at = text.indexOf('=');
  const key = at > 0 ? text.slice(0, at).trim() : '';
  if (!key) throw new UsageError(`-t '${text}' is not key=value`, 'select targets by label as -t key=value, e.g. -t region=eu (repeat -t: every pair must match)');
  return [key, text.slice(at + 1).trim()];
}

export function selectTargets(targets: readonly FleetTarget[], selection: TargetSelection = {}): FleetTarget[] {
  const known = new Set(targets.map((t) => t.name));
  const unknown = (selection.names ?? []).filter((n) => !known.has(n));
  if (unknown.length) throw new UsageError(`--targets names ${unknown.map((n) => `'${n}'`).join(', ')}, not a target of this stack`, `the stack's targets: ${[...known].join(', ') || '(none)'}`);
  const names = selection.names?.length ? new Set(selection.names) : undefined;
  const pairs = (selection.labels ?? []).map(parseLabelFilter);
  return targets.filter(
    (t) => (!names || names.has(t.name)) && pairs.every(([k, v]) => t.labels?.[k] === v) && (!selection.shard || inShard(t.name, selection.shard)),
  );
}
