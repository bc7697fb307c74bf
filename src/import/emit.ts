// The imported stack as a file: YAML (as `helmcycle init --format yaml` writes one) or TypeScript
// (`defineStack` from helmcycle/config, as `helmcycle init` writes one). Only TypeScript can read an
// environment variable, so repository credentials are `process.env.NAME` there and a listed item in
// YAML. Both start with the `# not converted:` block. The stack is data from the helmfile: YAML values are
// written by the yaml package's own Document (it quotes every scalar), TypeScript values only as literals
// (quote.ts), comments through quote.ts. Nothing else of the helmfile reaches the file. Pure.
import { Document, Scalar, visit } from 'yaml';
import type { CredentialRef } from './convert-release.js';
import type { ImportResult } from './convert.js';
import { EnvReference } from './env-reference.js';
import { notConvertedLines, type NotConverted } from './not-converted.js';
import { commentLines, tsKey, tsString } from './quote.js';

export type ImportFormat = 'yaml' | 'ts';

/** Every item the file and stderr list: the conversion's, and for YAML the credentials it cannot hold. */
export function itemsFor(result: ImportResult, format: ImportFormat): NotConverted[] {
  if (format === 'ts') return result.notConverted;
  return [
    ...result.notConverted,
    ...result.credentials.map((c) => ({
      field: `charts[${c.chart}].repositoryAuth`,
      what: `credentials of the chart's repository (from ${'env' in c.username ? c.username.env : 'the helmfile'} and ${c.passwordEnv})`,
      instead: 'import with --ts: repositoryAuth then reads them from the environment (a YAML stack holds no environment reference)',
    })),
  ];
}

/** Where each chart's release is written, when some come from other files than the helmfile (bases, sub-helmfiles). */
function originLines(origins: Readonly<Record<string, string>> | undefined): string[] {
  const entries = Object.entries(origins ?? {});
  if (!entries.some(([, origin]) => /^[^(].*: releases\[/.test(origin))) return [];
  return ['charts from:', ...entries.map(([name, origin]) => `  - ${name}: ${origin}`)];
}

function header(source: string, items: readonly NotConverted[], origins?: Readonly<Record<string, string>>): string[] {
  return [`Imported from ${source} by helmcycle import. Review it, then: helmcycle plan`, ...originLines(origins), ...notConvertedLines(items)];
}

/** Line breaks to YAML 1.1 readers (and to JavaScript), which YAML 1.2 writes raw in a scalar. */
const OTHER_BREAKS = /[\r\u0085\u2028\u2029]/;
const YAML_ESCAPES: Record<string, string> = { '\u0085': '\\N', '\u2028': '\\L', '\u2029': '\\P' };

export function emitYaml(result: ImportResult, source: string, schemaPath: string): string {
  const document = new Document(result.stack);
  // A string holding one of them is double-quoted, where YAML escapes them (\r, \N, \L, \P), so every
  // YAML reader sees the same lines; the yaml package escapes only the first in a double-quoted scalar.
  visit(document, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && OTHER_BREAKS.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  const comments = commentLines([`yaml-language-server: $schema=${schemaPath}`, ...header(source, itemsFor(result, 'yaml'), result.origins)], '#');
  // The Document writes each comment line after a '#' of its own; ours already hold theirs.
  document.commentBefore = comments.map((line) => line.slice(1)).join('\n');
  // Comments hold none of them (quote.ts), so each one left is inside a double-quoted scalar.
  return document.toString().replace(/[\u0085\u2028\u2029]/g, (c) => YAML_ESCAPES[c]!);
}

function withCredentials(result: ImportResult): ImportResult['stack'] {
  const byChart = new Map<string, CredentialRef>(result.credentials.map((c) => [c.chart, c]));
  return {
    ...result.stack,
    charts: result.stack.charts.map((chart) => {
      const credentials = byChart.get(chart.name as string);
      if (!credentials) return chart;
      const username = 'env' in credentials.username ? new EnvReference(credentials.username.env) : credentials.username.literal;
      return { ...chart, repositoryAuth: { username, password: new EnvReference(credentials.passwordEnv) } };
    }),
  };
}

const isPlainObject = (value: object) => [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null);

/** A value as a TypeScript literal: strings, finite numbers, booleans, null, arrays, plain objects and environment references only. */
function literal(value: unknown, indent: string): string {
  if (value instanceof EnvReference) return `process.env.${value.name}!`;
  if (typeof value === 'string') return tsString(value);
  if (typeof value === 'boolean' || value === null || (typeof value === 'number' && Number.isFinite(value))) return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${literal(v, inner)},`).join('\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${tsKey(k)}: ${literal(v, inner)},`).join('\n')}\n${indent}}`;
  }
  // plain-data.ts keeps anything else out of the stack; reaching here is a bug, never a reason to write code.
  throw new TypeError(`import cannot write a ${typeof value} value as TypeScript data`);
}

export function emitTypeScript(result: ImportResult, source: string): string {
  return [
    ...commentLines(header(source, itemsFor(result, 'ts'), result.origins), '//'),
    "import { defineStack } from 'helmcycle/config';",
    '',
    `export default defineStack(${literal(withCredentials(result), '')});`,
    '',
  ].join('\n');
}
