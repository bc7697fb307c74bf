// Turns user input into a validated ChartSpec, or a SpecError that names the chart, the field and,
// where known, the file the spec came from. Pure: reads no files and touches no cluster.
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { SpecError, type SpecIssue } from '../errors.js';
import { chartSpecSchema, type ChartSpec } from './chart-spec.js';
import { unsafeKeyIssues } from './safe-keys.js';
import { knownSpec, rememberSpec, specKey } from './spec-cache.js';
import { specIssuesOf } from './unknown-keys.js';

export interface ParseOptions {
  /** The file the spec was read from, named in errors. */
  file?: string;
  /** Keys valid beside the spec's own (a definition's `needs`, `lifecycle`, ...): an unknown key may be near one. */
  alsoKnown?: readonly string[];
}

/** Formats a zod path the way a user writes the field: `upgradeRetry.attempts`, `valuesFiles[1]`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(spec)';
}


/** YAML syntax errors inside yamlFilesContent are input errors too: find them before helm does. */
function yamlContentIssues(spec: ChartSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  spec.yamlFilesContent.forEach((file, index) => {
    const doc = parseDocument(file.content);
    const first = doc.errors[0];
    if (first) {
      issues.push({ field: `yamlFilesContent[${index}].content`, message: `'${file.name}' is not valid YAML: ${first.message}` });
    } else if (doc.contents !== null && !isMapping(doc.toJS())) {
      issues.push({ field: `yamlFilesContent[${index}].content`, message: `'${file.name}' must be a YAML mapping of values` });
    }
  });
  return issues;
}

function isMapping(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function chartLabel(input: unknown): string {
  if (isMapping(input)) {
    const name = (input as Record<string, unknown>).name;
    if (typeof name === 'string' && name) return name;
  }
  return '(unnamed)';
}

export function parseChartSpec(input: unknown, options: ParseOptions = {}): ChartSpec {
  // An input already found valid is valid again (its errors would name the file, so only successes are kept).
  const key = specKey(input);
  const known = knownSpec(key);
  if (known) return known;
  // Before zod: its records drop a `__proto__` key silently, and the checks must name it.
  const unsafe = unsafeKeyIssues(input);
  if (unsafe.length > 0) throw new SpecError(chartLabel(input), unsafe, options.file);
  const result = chartSpecSchema.safeParse(input);
  if (!result.success) throw new SpecError(chartLabel(input), specIssuesOf(result.error, chartSpecSchema, formatFieldPath, options.alsoKnown), options.file);
  const yamlIssues = yamlContentIssues(result.data);
  if (yamlIssues.length > 0) throw new SpecError(result.data.name, yamlIssues, options.file);
  rememberSpec(key, result.data);
  return result.data;
}
