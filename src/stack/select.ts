// Choosing charts from the command line: `-l tier=infra,team!=web` on chart labels, `--only a,b` by name.
// Pure.
import { StackConfigError } from '../errors.js';

export interface LabelRequirement {
  key: string;
  op: '=' | '!=';
  value: string;
}

export function parseLabelSelector(selector: string): LabelRequirement[] {
  return selector
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^([\w./-]+)\s*(!=|==|=)\s*([\w.-]*)$/.exec(part);
      if (!match) throw new StackConfigError(`invalid label selector '${part}': expected key=value or key!=value`);
      return { key: match[1]!, op: match[2] === '!=' ? '!=' : '=', value: match[3]! };
    });
}

export function matchesLabels(labels: Readonly<Record<string, string>>, requirements: readonly LabelRequirement[]): boolean {
  // Own keys only: `-l constructor=x` must not read Object.prototype's.
  const value = (key: string) => (Object.hasOwn(labels, key) ? labels[key] : undefined);
  return requirements.every((r) => (r.op === '=' ? value(r.key) === r.value : value(r.key) !== r.value));
}

export interface Selection {
  selectors?: string[];
  only?: string[];
}

/** The names of the charts a selection keeps, in declaration order. */
export function selectCharts(charts: readonly { name: string; labels: Readonly<Record<string, string>> }[], selection: Selection): Set<string> {
  const known = new Set(charts.map((c) => c.name));
  for (const name of selection.only ?? []) {
    if (!known.has(name)) throw new StackConfigError(`--only names '${name}', which is not a chart of this stack (known: ${[...known].join(', ')})`);
  }
  const requirements = (selection.selectors ?? []).map(parseLabelSelector);
  const keep = charts.filter(
    (chart) =>
      (!selection.only?.length || selection.only.includes(chart.name)) &&
      (requirements.length === 0 || requirements.some((reqs) => matchesLabels(chart.labels, reqs))),
  );
  return new Set(keep.map((c) => c.name));
}
