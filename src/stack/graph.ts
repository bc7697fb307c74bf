// The dependency graph of a stack's charts. Pure: checks names and needs, finds cycles, and gives the
// order in which charts may start (and, reversed, be destroyed). Every walk is iterative, with its own
// stack: a `needs` chain thousands of charts deep must not overflow the JavaScript call stack.
import { clip, StackConfigError } from '../errors.js';

export interface GraphNode {
  name: string;
  needs: readonly string[];
}

export interface Graph {
  /** Names in declaration order. */
  names: string[];
  /** What each chart waits for. */
  waitsFor: Map<string, string[]>;
  /** Who waits for each chart. */
  waitedOnBy: Map<string, string[]>;
}

/** How many charts of a cycle (or of the known names) an error names before it only counts the rest. */
const NAMED_IN_MESSAGES = 10;

/** Finds one cycle as a path that ends where it starts, or undefined. Depth-first, with an explicit stack. */
export function findCycle(nodes: readonly GraphNode[]): string[] | undefined {
  const needs = new Map(nodes.map((n) => [n.name, n.needs]));
  const state = new Map<string, 'visiting' | 'done'>();
  // The current path, and for each of its charts the index of the next need to follow.
  const path: string[] = [];
  const nextNeed: number[] = [];
  for (const root of nodes) {
    if (state.has(root.name)) continue;
    state.set(root.name, 'visiting');
    path.push(root.name);
    nextNeed.push(0);
    while (path.length > 0) {
      const top = path.length - 1;
      const name = path[top]!;
      const list = needs.get(name) ?? [];
      const index = nextNeed[top]!;
      if (index >= list.length) {
        state.set(name, 'done');
        path.pop();
        nextNeed.pop();
        continue;
      }
      nextNeed[top] = index + 1;
      const next = list[index]!;
      const seen = state.get(next);
      if (seen === 'visiting') return [...path.slice(path.indexOf(next)), next];
      if (seen === 'done' || !needs.has(next)) continue;
      state.set(next, 'visiting');
      path.push(next);
      nextNeed.push(0);
    }
  }
  return undefined;
}

/** "a → b → c → … (2,000 charts) → a": the first charts of a cycle and how many there are, for a message. */
export function describeCycle(cycle: readonly string[]): string {
  const charts = cycle.length - 1;
  if (charts <= NAMED_IN_MESSAGES) return cycle.map((name) => clip(name, 100)).join(' → ');
  const shown = cycle.slice(0, NAMED_IN_MESSAGES).map((name) => clip(name, 100));
  return `${shown.join(' → ')} → … (${charts} charts in all) → ${clip(cycle[0]!, 100)}`;
}

/** "a, b, c, … and 1,990 more": a list of names short enough for one message. */
function someNames(names: readonly string[]): string {
  const shown = names.slice(0, NAMED_IN_MESSAGES).map((name) => clip(name, 100)).join(', ');
  return names.length > NAMED_IN_MESSAGES ? `${shown}, … and ${names.length - NAMED_IN_MESSAGES} more` : shown;
}

/** Builds the graph, or throws a StackConfigError for duplicate names, unknown needs and cycles. */
export function buildGraph(nodes: readonly GraphNode[], file?: string): Graph {
  const names = nodes.map((n) => n.name);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new StackConfigError(`two charts are named '${name}'; chart names must be unique in a stack`, { file, chart: name, issues: [{ field: 'name', message: `'${name}' is used by more than one chart` }] });
    seen.add(name);
  }
  for (const node of nodes) {
    for (const need of node.needs) {
      if (!seen.has(need)) {
        throw new StackConfigError(`chart '${node.name}' needs '${need}', which is not a chart of this stack`, {
          file,
          chart: node.name,
          issues: [{ field: 'needs', message: `unknown chart '${need}'; known: ${someNames(names)}` }],
        });
      }
      if (need === node.name) throw new StackConfigError(`chart '${node.name}' needs itself`, { file, chart: node.name, issues: [{ field: 'needs', message: 'a chart cannot need itself' }] });
    }
  }
  const cycle = findCycle(nodes);
  if (cycle) throw new StackConfigError(`the charts' needs form a cycle: ${describeCycle(cycle)}`, { file, chart: cycle[0], issues: [{ field: 'needs', message: 'each chart on the cycle waits for the next: remove one of these needs' }] });
  const waitsFor = new Map(nodes.map((n) => [n.name, [...new Set(n.needs)]]));
  const waitedOnBy = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const node of nodes) for (const need of new Set(node.needs)) waitedOnBy.get(need)!.push(node.name);
  return { names, waitsFor, waitedOnBy };
}

/** The same graph with every edge turned around: for destroy, a chart waits for those that need it. */
export function reverseGraph(graph: Graph): Graph {
  return { names: [...graph.names].reverse(), waitsFor: graph.waitedOnBy, waitedOnBy: graph.waitsFor };
}

/** Keeps only the selected charts; needs on charts left out are taken as already satisfied. */
export function restrictGraph(graph: Graph, keep: ReadonlySet<string>): Graph {
  const only = (list: string[]) => list.filter((n) => keep.has(n));
  return {
    names: graph.names.filter((n) => keep.has(n)),
    waitsFor: new Map([...graph.waitsFor].filter(([n]) => keep.has(n)).map(([n, l]) => [n, only(l)])),
    waitedOnBy: new Map([...graph.waitedOnBy].filter(([n]) => keep.has(n)).map(([n, l]) => [n, only(l)])),
  };
}

/** A start order that respects needs (Kahn's algorithm, ties in declaration order: a heap of indexes). */
export function topologicalOrder(graph: Graph): string[] {
  const position = new Map(graph.names.map((name, index) => [name, index]));
  const remaining = new Map(graph.names.map((n) => [n, graph.waitsFor.get(n)?.length ?? 0]));
  const ready = new MinHeap();
  for (const [name, count] of remaining) if (count === 0) ready.push(position.get(name)!);
  const order: string[] = [];
  while (ready.size > 0) {
    const next = graph.names[ready.pop()]!;
    order.push(next);
    for (const dependent of graph.waitedOnBy.get(next) ?? []) {
      const left = (remaining.get(dependent) ?? 0) - 1;
      remaining.set(dependent, left);
      if (left === 0 && position.has(dependent)) ready.push(position.get(dependent)!);
    }
  }
  if (order.length < graph.names.length) throw new Error('topologicalOrder: the graph has a cycle');
  return order;
}

/** A binary min-heap of numbers: the ready charts, smallest declaration index first. */
class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(value: number): void {
    const items = this.items;
    items.push(value);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= items[i]!) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }
  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && items[left]! < items[smallest]!) smallest = left;
        if (right < items.length && items[right]! < items[smallest]!) smallest = right;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i]!, items[smallest]!];
        i = smallest;
      }
    }
    return top;
  }
}
