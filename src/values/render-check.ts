// Which suspects (known-keys.ts) a chart's templates never read, told by rendering: once with every value,
// once without all the suspects. The same output means none of them is read; otherwise the suspects are
// split in halves and each half is tried the same way, down to single keys, so k unused keys among n
// cost about one render when all are unused and O(k log n) otherwise. A render that fails without a key
// (a `required` value) counts as a change: the key is read. A chart that renders differently each time
// (random passwords, generated certificates) shows every suspect as read: no finding, never a false one.
export type Render = (without: readonly (readonly string[])[]) => Promise<string>;

export interface RenderCheck {
  /** The suspects that no render told apart from the full one. */
  unused: string[][];
  /** Suspects left undecided when the render budget ran out (never reported as unused). */
  undecided: string[][];
  /** How many renders it took, the full one included. */
  renders: number;
}

/**
 * Renders one chart's check may take. Many keys that are all read (a large map the chart ranges over,
 * next to defaults of its own) would otherwise cost about two renders each.
 */
export const MAX_RENDERS = 24;

export async function unusedByRender(suspects: readonly (readonly string[])[], render: Render, maxRenders = MAX_RENDERS): Promise<RenderCheck> {
  let renders = 0;
  const attempt = async (without: readonly (readonly string[])[]): Promise<string | undefined> => {
    renders += 1;
    try {
      return await render(without);
    } catch {
      return undefined;
    }
  };
  if (suspects.length === 0) return { unused: [], undecided: [], renders };
  const full = await attempt([]);
  // Without a full render there is nothing to compare with: the chart's own error shows in the plan.
  if (full === undefined) return { unused: [], undecided: [], renders };
  const unused: string[][] = [];
  const undecided: string[][] = [];
  const visit = async (group: readonly (readonly string[])[]): Promise<void> => {
    if (renders >= maxRenders) {
      undecided.push(...group.map((p) => [...p]));
      return;
    }
    const output = await attempt(group);
    if (output === full) {
      unused.push(...group.map((p) => [...p]));
      return;
    }
    if (group.length === 1) return;
    const middle = Math.ceil(group.length / 2);
    await visit(group.slice(0, middle));
    await visit(group.slice(middle));
  };
  await visit(suspects);
  return { unused, undecided, renders };
}
