// The stack's targets and fleet settings, checked against the rest of the stack: unique names, waves
// that fleet.waves declares, environments the stack defines. A mistake names the file and the field.
import { isAbsolute, resolve } from 'node:path';
import { StackConfigError } from '../errors.js';
import type { StackDefinition } from './types.js';
import { parseBudget } from './fleet-budget.js';
import { DEFAULT_FLEET_PARALLEL, type FleetSettings, type FleetTarget } from './fleet-targets.js';

export function resolveFleet(definition: StackDefinition, baseDir: string, file: string | undefined): { targets: FleetTarget[]; settings: FleetSettings } | undefined {
  const targets = definition.targets;
  if (!targets) return undefined;
  const waves = definition.fleet?.waves ?? [];
  const environments = definition.environments ?? {};
  const issues: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  targets.forEach((target, index) => {
    if (seen.has(target.name)) issues.push({ field: `targets[${index}].name`, message: `a second target named '${target.name}'` });
    seen.add(target.name);
    if (target.wave !== undefined && !waves.includes(target.wave)) issues.push({ field: `targets[${index}].wave`, message: `'${target.wave}' is not one of fleet.waves (${waves.join(', ') || 'none declared'})` });
    if (target.environment !== undefined && !Object.hasOwn(environments, target.environment)) issues.push({ field: `targets[${index}].environment`, message: `no environment '${target.environment}' in environments` });
  });
  new Set(waves).size !== waves.length && issues.push({ field: 'fleet.waves', message: 'a wave is named twice' });
  if (targets.length === 0) issues.push({ field: 'targets', message: 'a fleet needs at least one target (or leave targets out)' });
  if (issues.length) throw new StackConfigError('the fleet is invalid', { ...(file ? { file } : {}), issues });
  const settings: FleetSettings = {
    parallel: definition.fleet?.parallel ?? DEFAULT_FLEET_PARALLEL,
    failureBudget: parseBudget(definition.fleet?.failureBudget ?? 0)!, // the schema checked its shape
    waves,
  };
  return {
    targets: targets.map((t) => (t.kubeconfig && !isAbsolute(t.kubeconfig) ? { ...t, kubeconfig: resolve(baseDir, t.kubeconfig) } : t)),
    settings,
  };
}
