// What a team finishes by hand after an import, grouped: every not-converted item once, as one line,
// under the topic it belongs to (secrets first: they block a deploy; then templates the import could not
// render, releases it left out or renamed, chart versions, lifecycle commands, and the rest). Printed at
// the end of import's output and given whole in its JSON. Pure.
import { notConvertedLine, type NotConverted, type Topic } from './not-converted.js';

export interface ChecklistGroup {
  topic: string;
  items: string[];
}

const TOPICS: [Topic, string, RegExp][] = [
  ['secrets', 'secrets and credentials', /password|credential|secret|ref\+|environment variable|vals|sops/i],
  ['templates', 'templates the import could not render', /template|render|exec|function|\.Release|readFile/i],
  ['releases', 'releases left out, renamed or only in some environments', /not in the output|release name|without a name|second release|rendered only in|not rendered in|needs|no release of/i],
  ['versions', 'chart versions', /version|digest/i],
  ['hooks', 'lifecycle commands (hooks)', /hook|postRenderer|command/i],
  ['environments', 'environments and values', /environment|values/i],
];

/** The topic an item belongs to: its own, or the first whose words its text has. */
export function topicOf(item: NotConverted): string {
  if (item.topic) return TOPICS.find(([topic]) => topic === item.topic)?.[1] ?? 'other fields';
  const text = `${item.field} ${item.what}`;
  return TOPICS.find(([, , re]) => re.test(text))?.[1] ?? 'other fields';
}

/** The checklist: topics in a fixed order, each item once. */
export function checklist(items: readonly NotConverted[]): ChecklistGroup[] {
  const order = [...TOPICS.map(([, title]) => title), 'other fields'];
  const groups = new Map<string, string[]>(order.map((topic) => [topic, []]));
  for (const item of items) {
    const line = notConvertedLine(item);
    const list = groups.get(topicOf(item))!;
    if (!list.includes(line)) list.push(line);
  }
  return order.filter((topic) => groups.get(topic)!.length).map((topic) => ({ topic, items: groups.get(topic)! }));
}

/** The checklist as text lines (`[ ]` marks a line to tick off). */
export function checklistLines(groups: readonly ChecklistGroup[]): string[] {
  if (groups.length === 0) return ['to finish by hand: nothing; review the stack, then: helmcycle plan'];
  return ['to finish by hand:', ...groups.flatMap((g) => [`  ${g.topic}:`, ...g.items.map((line) => `    [ ] ${line}`)])];
}
