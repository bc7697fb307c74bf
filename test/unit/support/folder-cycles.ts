// Cycles in a folder graph: the strongly connected components (Tarjan's algorithm) with more than one
// folder, each reported as the imports that tie it together, so the message says which file to move.

/** folder → (imported folder → one import that makes the edge, "a/x.ts -> b/y.ts"). */
export type FolderGraph = Map<string, Map<string, string>>;

/** One line per import inside a cycle, e.g. "config -> failures: config/spec.ts -> failures/classes.ts". Pure. */
export function folderCycles(graph: FolderGraph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (folder: string): void => {
    index.set(folder, index.size);
    low.set(folder, index.get(folder)!);
    stack.push(folder);
    onStack.add(folder);
    for (const next of graph.get(folder)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(folder, Math.min(low.get(folder)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(folder, Math.min(low.get(folder)!, index.get(next)!));
      }
    }
    if (low.get(folder) !== index.get(folder)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== folder);
    if (component.length > 1) components.push(component.sort());
  };
  for (const folder of [...graph.keys()].sort()) if (!index.has(folder)) visit(folder);
  return components.flatMap((component) =>
    component.flatMap((from) =>
      component.filter((to) => graph.get(from)?.has(to)).map((to) => `${from} -> ${to}: ${graph.get(from)!.get(to)}`),
    ),
  );
}
