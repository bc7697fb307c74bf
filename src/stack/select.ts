// Choosing charts from the command line: `-l tier=infra,team!=web` or `-l 'tier in (infra,data),!legacy'`
// on chart labels, as kubectl reads a label selector; `--only a,b` by name. Pure.
import { StackConfigError } from '../errors.js';

/** One requirement of a selector, as kubectl's: equality, set membership, or the key's presence. */
export type LabelRequirement =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

const KEY = String.raw`[\w./-]+`;
const VALUE = String.raw`[\w.-]*`;
const EQUALITY = new RegExp(String.raw`^(${KEY})\s*(!=|==|=)\s*(${VALUE})$`);
const SET = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s*\((.*)\)$`);
const EXISTS = new RegExp(String.raw`^(!?)\s*(${KEY})$`);
const SYNTAX = "expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key";

/** The selector's requirements, split on the commas outside parentheses. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter(Boolean);
}

function invalid(part: string, why: string = SYNTAX): StackConfigError {
  return new StackConfigError(`invalid label selector '${part}' (-l): ${why}`, { issues: [{ field: '-l', message: why }] });
}

function parseRequirement(part: string): LabelRequirement {
  const equality = EQUALITY.exec(part);
  if (equality) return { key: equality[1]!, op: equality[2] === '!=' ? '!=' : '=', value: equality[3]! };
  const set = SET.exec(part);
  if (set) {
    const values = set[3]!.split(',').map((v) => v.trim());
    if (values.length === 1 && values[0] === '') throw invalid(part, `the set of '${set[2]}' is empty: give at least one value, as (a) or (a,b)`);
    const bad = values.find((v) => !new RegExp(`^${VALUE}$`).test(v) || v === '');
    if (bad !== undefined) throw invalid(part, `'${bad}' is not a label value (letters, digits, '-', '_' and '.')`);
    return { key: set[1]!, op: set[2] === 'in' ? 'in' : 'notin', values };
  }
  const exists = EXISTS.exec(part);
  if (exists) return { key: exists[2]!, op: exists[1] ? '!exists' : 'exists' };
  throw invalid(part);
}

export function parseLabelSelector(selector: string): LabelRequirement[] {
  return splitRequirements(selector).map(parseRequirement);
}

/** kubectl's meaning: != and notin also match a chart without the key; in needs the key. */
export function matchesLabels(labels: Readonly<Record<string, string>>, requirements: readonly LabelRequirement[]): boolean {
  // Own keys only: `-l constructor=x` must not read Object.prototype's.
  const value = (key: string) => (Object.hasOwn(labels, key) ? labels[key] : undefined);
  return requirements.every((r) => {
    const actual = value(r.key);
    switch (r.op) {
      case '=':
        return actual === r.value;
      case '!=':
        return actual !== r.value;
      case 'in':
        return actual !== undefined && r.values.includes(actual);
      case 'notin':
        return actual === undefined || !r.values.includes(actual);
      case 'exists':
        return actual !== undefined;
      case '!exists':
        return actual === undefined;
    }
  });
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
