// Keeps only the parts of a source map that point at files the package ships. The build bundles the
// dependencies into helmcycle's chunks, and esbuild maps their code to node_modules/..., which the package
// does not hold (and, hoisted by npm, would not be where a relative path says). Such a map sends a stack
// trace or a debugger to files that do not exist; so, as the old unmapped client-node bundle did, the
// dependencies' code is left unmapped and helmcycle's own code maps to src/, which the package ships.
//
// Mappings are decoded, every segment into a dropped source becomes a one-field segment (its generated
// column alone: "maps to nothing", which ends the range of the segment before it), and the kept sources and
// names are renumbered.

export interface SourceMap {
  version: number;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  sourceRoot?: string;
  file?: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((char, i) => [char, i]));

/** One line's segments, each [column, source, line, column, name?] in absolute values, or [column] alone. */
type Segment = number[];

export function decodeMappings(mappings: string): Segment[][] {
  const state = [0, 0, 0, 0, 0];
  return mappings.split(';').map((line) => {
    state[0] = 0; // the generated column restarts on each line; the other fields run on
    if (!line) return [];
    return line.split(',').map((text) => {
      const segment: Segment = [];
      let value = 0;
      let shift = 0;
      for (const char of text) {
        const digit = DIGIT.get(char);
        if (digit === undefined) throw new Error(`source map mappings hold '${char}', not base64`);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
          continue;
        }
        const field = segment.length;
        state[field]! += value & 1 ? -(value >>> 1) : value >>> 1;
        segment.push(state[field]!);
        value = 0;
        shift = 0;
      }
      return segment;
    });
  });
}

export function encodeMappings(lines: Segment[][]): string {
  const state = [0, 0, 0, 0, 0];
  return lines
    .map((segments) => {
      state[0] = 0;
      return segments
        .map((segment) =>
          segment
            .map((absolute, field) => {
              const delta = absolute - state[field]!;
              state[field] = absolute;
              return vlq(delta);
            })
            .join(''),
        )
        .join(',');
    })
    .join(';');
}

function vlq(delta: number): string {
  let value = delta < 0 ? (-delta << 1) | 1 : delta << 1;
  let text = '';
  do {
    let digit = value & 31;
    value >>>= 5;
    if (value) digit |= 32;
    text += BASE64[digit];
  } while (value);
  return text;
}

/** The map with only the sources `keep` accepts, or undefined when it keeps none (the file needs no map). */
export function trimSourceMap(map: SourceMap, keep: (source: string) => boolean): SourceMap | undefined {
  const sourceIndex: number[] = map.sources.map((source) => (keep(source) ? 0 : -1));
  const sources: string[] = [];
  const contents: (string | null)[] = [];
  map.sources.forEach((source, i) => {
    if (sourceIndex[i] === -1) return;
    sourceIndex[i] = sources.length;
    sources.push(source);
    contents.push(map.sourcesContent?.[i] ?? null);
  });
  if (sources.length === 0) return undefined;
  const names: string[] = [];
  const nameIndex = new Map<number, number>();
  // Whether the last segment written (on any line: a consumer looks back across lines) maps somewhere.
  let mapped = false;
  const lines = decodeMappings(map.mappings).map((segments) => {
    const kept: Segment[] = [];
    for (const [column, source, line, sourceColumn, name] of segments) {
      const index = source === undefined ? -1 : sourceIndex[source]!;
      if (index === -1) {
        if (mapped) kept.push([column!]);
        mapped = false;
        continue;
      }
      const segment = [column!, index, line!, sourceColumn!];
      if (name !== undefined) {
        if (!nameIndex.has(name)) nameIndex.set(name, names.push(map.names[name]!) - 1);
        segment.push(nameIndex.get(name)!);
      }
      kept.push(segment);
      mapped = true;
    }
    return kept;
  });
  return {
    version: map.version,
    ...(map.file === undefined ? {} : { file: map.file }),
    ...(map.sourceRoot === undefined ? {} : { sourceRoot: map.sourceRoot }),
    sources,
    ...(map.sourcesContent ? { sourcesContent: contents } : {}),
    names,
    mappings: encodeMappings(lines),
  };
}
