// A cycle among the converted charts' needs, found without recursion: a helmfile may chain thousands of
// releases, and a recursive search would overflow the stack. The import refuses a cycle (exit 2) with a
// message that names a few of its releases, however long the cycle is. Pure.
import { shown } from './quote.js';

/** How many names of a cycle a message shows. */
export const CYCLE_NAMES_SHOWN = 8;

/** One cycle as a path that ends where it starts, or undefined. `needs` holds every chart, by name. */
export function findNeedsCycle(needs: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  for (const start of needs.keys()) {
    if (state.has(start)) continue;
    // The path from `start`, each with the index of the next need to follow.
    const path: { name: string; next: number }[] = [{ name: start, next: 0 }];
    state.set(start, 'visiting');
    while (path.length > 0) {
      const top = path.at(-1)!;
      const edges = needs.get(top.name) ?? [];
      if (top.next >= edges.length) {
        state.set(top.name, 'done');
        path.pop();
        continue;
      }
      const next = edges[top.next++]!;
      const seen = state.get(next);
      if (seen === 'visiting') {
        const from = path.findIndex((p) => p.name === next);
        return [...path.slice(from).map((p) => p.name), next];
      }
      if (seen === undefined && needs.has(next)) {
        state.set(next, 'visiting');
        path.push({ name: next, next: 0 });
      }
    }
  }
  return undefined;
}

/** A cycle as a short line: its first names, how many more, and back to the first. */
export function describeCycle(cycle: readonly string[]): string {
  const members = cycle.slice(0, -1);
  const first = members.slice(0, CYCLE_NAMES_SHOWN);
  const more = members.length - first.length;
  return [...first, ...(more > 0 ? [`… (${more} more)`] : []), cycle.at(-1)!].map((name) => shown(name, 60)).join(' → ');
}
