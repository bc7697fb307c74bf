// The imported stack as a file: YAML (as `helmcycle init --format yaml` writes one) or TypeScript
// (`defineStack` from helmcycle/config, as `helmcycle init` writes one). Only TypeScript can read an
// environment variable, so repository credentials are `process.env.NAME` there and a listed item in
// YAML. Both start with the `# not converted:` block. Pure.
import { stringify } from 'yaml';
import type { CredentialRef } from './convert-release.js';
import type { ImportResult } from './convert.js';
import { notConvertedLines, type NotConverted } from './not-converted.js';

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

function header(source: string, items: readonly NotConverted[], comment: string): string[] {
  return [`Imported from ${source} by helmcycle import. Review it, then: helmcycle plan`, ...notConvertedLines(items)].map((line) => `${comment} ${line}`);
}

export function emitYaml(result: ImportResult, source: string, schemaPath: string): string {
  return [`# yaml-language-server: $schema=${schemaPath}`, ...header(source, itemsFor(result, 'yaml'), '#'), stringify(result.stack)].join('\n');
}

const ENV_MARK = '\u0000helmcycle-env:';

function withCredentials(result: ImportResult): ImportResult['stack'] {
  const byChart = new Map<string, CredentialRef>(result.credentials.map((c) => [c.chart, c]));
  return {
    ...result.stack,
    charts: result.stack.charts.map((chart) => {
      const credentials = byChart.get(chart.name as string);
      if (!credentials) return chart;
      const username = 'env' in credentials.username ? `${ENV_MARK}${credentials.username.env}` : credentials.username.literal;
      return { ...chart, repositoryAuth: { username, password: `${ENV_MARK}${credentials.passwordEnv}` } };
    }),
  };
}

/** An object key as TypeScript reads it: bare when it is an identifier. */
const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));

function literal(value: unknown, indent: string): string {
  if (typeof value === 'string') return value.startsWith(ENV_MARK) ? `process.env.${value.slice(ENV_MARK.length)}!` : JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = `${indent}  `;
    return `[\n${value.map((v) => `${inner}${literal(v, inner)},`).join('\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    return `{\n${entries.map(([k, v]) => `${inner}${key(k)}: ${literal(v, inner)},`).join('\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

export function emitTypeScript(result: ImportResult, source: string): string {
  return [
    ...header(source, itemsFor(result, 'ts'), '//'),
    "import { defineStack } from 'helmcycle/config';",
    '',
    `export default defineStack(${literal(withCredentials(result), '')});`,
    '',
  ].join('\n');
}
