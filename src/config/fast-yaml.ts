// A faster road to the same data for the no-change paths, which parse every release's manifest (and a
// 1,000-chart stack file) on each run: `yaml` builds a full document tree per document (about 1 ms for a
// one-ConfigMap manifest), js-yaml reads the same text several times faster. js-yaml 5 reads YAML 1.2
// with the core schema, as `yaml` does, and test/unit/fast-yaml.test.ts compares the two on every fixture.
//
// Only the plain shape is taken this way. A text holding any anchor, alias, tag, non-scalar key or
// duplicate key, or that js-yaml refuses, answers undefined and the caller parses it with `yaml`, whose
// checks name the line (yaml-file.ts: duplicate keys by typed value, alias expansion bounds, keys that
// are lists or maps). js-yaml would stringify a list used as a key and expand aliases without a bound,
// so those never reach its constructor. Pure.
import { constructFromEvents, EVENT_ID, parseEvents, type Event } from 'js-yaml';

/** Whether the event stream is the plain shape: no anchors, aliases or tags, every mapping key a scalar. */
function plainEvents(events: readonly Event[]): boolean {
  // For each open collection: a mapping counts its children (even = key position), a sequence is -1.
  const open: number[] = [];
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) continue;
    if (event.type === EVENT_ID.POP) {
      open.pop();
      continue;
    }
    if (event.type === EVENT_ID.ALIAS || event.anchorStart !== -1 || event.tagStart !== -1) return false;
    const parent = open.length - 1;
    const position = open[parent];
    if (position !== undefined && position >= 0) {
      if (position % 2 === 0 && event.type !== EVENT_ID.SCALAR) return false;
      open[parent] = position + 1;
    }
    if (event.type === EVENT_ID.MAPPING) open.push(0);
    else if (event.type === EVENT_ID.SEQUENCE) open.push(-1);
  }
  return true;
}

/** Every document of a plain YAML stream, or undefined: parse it with `yaml` then. */
export function readPlainYamlStream(text: string): unknown[] | undefined {
  try {
    const events = parseEvents(text, { maxDepth: 100 });
    if (!plainEvents(events)) return undefined;
    return constructFromEvents(events, { source: text, maxAliases: 0 });
  } catch {
    // Whatever js-yaml refuses (duplicate keys, bad syntax) is parsed again by `yaml`, whose errors name the line.
    return undefined;
  }
}

/** The one document of a plain YAML text (null when it holds only comments, as yaml reads it), or undefined: not plain, or several documents. */
export function readPlainYamlDocument(text: string): unknown {
  const documents = readPlainYamlStream(text);
  if (documents?.length === 0) return null;
  return documents?.length === 1 ? documents[0] : undefined;
}
