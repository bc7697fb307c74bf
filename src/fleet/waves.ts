// The order targets run in: fleet.waves names the waves (canary first, say); a wave starts only once
// the one before it has finished. Targets without a wave run last, together. Pure.
import type { FleetTarget } from '../stack/fleet-targets.js';

export interface Wave {
  /** The wave's name; undefined for the targets that name none. */
  name: string | undefined;
  targets: FleetTarget[];
}

/** Waves in run order, each with its targets sorted by name; empty waves are left out. */
export function planWaves(targets: readonly FleetTarget[], waveNames: readonly string[]): Wave[] {
  const byName = (a: FleetTarget, b: FleetTarget) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const waves: Wave[] = waveNames.map((name) => ({ name, targets: targets.filter((t) => t.wave === name).sort(byName) }));
  waves.push({ name: undefined, targets: targets.filter((t) => t.wave === undefined || !waveNames.includes(t.wave)).sort(byName) });
  return waves.filter((w) => w.targets.length > 0);
}
