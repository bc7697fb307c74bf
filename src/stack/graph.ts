// The dependency graph of a stack's charts. Pure: checks names and needs, finds cycles, and gives the
// order in which charts may start (and, reversed, be destroyed).
import { StackConfigError } from '../errors.js';

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

/** Finds one cycle as a path that ends where it starts, or undefined. */
export function findCycle(nodes: readonly GraphNode[]): string[] | undefined {
  const needs = new Map(nodes.map((n) => [n.name, n.needs]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of needs.get(name) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const node of nodes) {
    const cycle = visit(node.name);
    if (cycle) return cycle;
  }
  return undefined;
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
          issues: [{ field: 'needs', message: `unknown chart '${need}'; known: ${names.join(', ')}` }],
        });
      }
      if (need === node.name) throw new StackConfigError(`chart '${node.name}' needs itself`, { file, chart: node.name, issues: [{ field: 'needs', message: 'a chart cannot need itself' }] });
    }
  }
  const cycle = findCycle(nodes);
  if (cycle) throw new StackConfigError(`the charts' needs form a cycle: ${cycle.join(' → ')}`, { file, chart: cycle[0], issues: [{ field: 'needs', message: 'each chart on the cycle waits for the next: remove one of these needs' }] });
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

/** A start order that respects needs (Kahn's algorithm, ties in declaration order). */
export function topologicalOrder(graph: Graph): string[] {
  const remaining = new Map(graph.names.map((n) => [n, graph.waitsFor.get(n)?.length ?? 0]));
  const order: string[] = [];
  while (order.length < graph.names.length) {
    const next = graph.names.find((n) => remaining.get(n) === 0 && !order.includes(n));
    if (!next) throw new Error('topologicalOrder: the graph has a cycle');
    order.push(next);
    for (const dependent of graph.waitedOnBy.get(next) ?? []) remaining.set(dependent, (remaining.get(dependent) ?? 0) - 1);
  }
  return order;
}
