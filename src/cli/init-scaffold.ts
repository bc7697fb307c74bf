// What `helmcycle init` writes: a one-chart stack in TypeScript, JavaScript (ES module or CommonJS) or
// YAML, typed through `helmcycle/config` (TS, JS with // @ts-check) or the JSON Schema (YAML). Pure: the
// caller decides the file, checks the stack and writes it.
import { stringify } from 'yaml';

export type ScaffoldFormat = 'ts' | 'mts' | 'js' | 'yaml';
export const SCAFFOLD_FORMATS: readonly ScaffoldFormat[] = ['ts', 'mts', 'js', 'yaml'];

/** The chart of the scaffold when init is given none: a small public demo chart that installs anywhere. */
export const EXAMPLE_CHART = { chart: 'podinfo', repository: 'https://stefanprodan.github.io/podinfo' } as const;

export interface ScaffoldChart {
  name: string;
  namespace: string;
  chart: string;
  repository?: string;
  version?: string;
  /** The chart is init's example, not the user's: the file says so. */
  example: boolean;
}

export interface ScaffoldInput {
  format: ScaffoldFormat;
  /** For `js`: what the file is to Node, from the nearest package.json's "type". */
  module: 'esm' | 'cjs';
  chart: ScaffoldChart;
  /** For `yaml`: the JSON Schema's path relative to the file, for the YAML language server. */
  schemaPath: string;
  /** How to run helmcycle on this file: `npx helmcycle`, or with `-c FILE` for a file plan would not find. */
  command: string;
}

/** The stack definition the scaffold declares, as data (init checks it before writing). */
export function scaffoldStack(chart: ScaffoldChart) {
  return {
    charts: [
      {
        name: chart.name,
        namespace: chart.namespace,
        createNamespace: true,
        chart: chart.chart,
        ...(chart.repository ? { repository: chart.repository } : {}),
        ...(chart.version ? { version: chart.version } : {}),
      },
    ],
  };
}

/** A release name from a chart reference: `oci://r/charts/web:1.2.0`, `./charts/web`, `web-1.0.0.tgz` give `web`. */
export function releaseNameFor(chart: string): string {
  const last = chart.replace(/[/\\]+$/, '').split(/[/\\]/).pop() ?? chart;
  const bare = last.replace(/\.tgz$/, '').replace(/:[^:]*$/, '').replace(/-v?\d+\.\d+\.\d+.*$/, '');
  const name = bare.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return name || 'app';
}

/** A TypeScript/JavaScript string literal (single quotes, the style of the project's examples). */
function literal(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

function header({ chart, command }: ScaffoldInput, comment: string): string[] {
  const lines = [
    'A helmcycle stack: the charts to deploy, in dependency order (a chart may list the charts it `needs`).',
    `${command} plan   shows what apply would do and why; changes nothing`,
    `${command} apply  deploys the charts; ${command} destroy  uninstalls them`,
  ];
  if (chart.example) lines.push(`${chart.chart} is an example chart: put yours in its place (npx helmcycle init --chart NAME --repo URL writes one).`);
  return lines.map((line) => `${comment} ${line}`);
}

function chartLines(chart: ScaffoldChart, indent: string): string[] {
  const lines = [
    `name: ${literal(chart.name)},`,
    `namespace: ${literal(chart.namespace)},`,
    'createNamespace: true,',
    `chart: ${literal(chart.chart)},`,
    ...(chart.repository ? [`repository: ${literal(chart.repository)},`] : []),
    chart.version ? `version: ${literal(chart.version)},` : "// version: '1.2.x', // an exact version or a semver range; without one, the newest",
    '// values: { replicaCount: 2 },',
    '// needs: [\'another-chart\'], // deployed after the charts named here, destroyed before them',
  ];
  return lines.map((line) => `${indent}${line}`);
}

function moduleSource(input: ScaffoldInput): string {
  const esm = input.format !== 'js' || input.module === 'esm';
  const body = [
    `${esm ? 'export default' : 'module.exports ='} defineStack({`,
    '  charts: [',
    '    {',
    ...chartLines(input.chart, '      '),
    '    },',
    '  ],',
    '});',
  ];
  return [
    // @ts-check: an editor checks a JavaScript config against helmcycle's types too.
    ...(input.format === 'js' ? ['// @ts-check'] : []),
    ...header(input, '//'),
    esm ? "import { defineStack } from 'helmcycle/config';" : "const { defineStack } = require('helmcycle/config');",
    '',
    ...body,
    '',
  ].join('\n');
}

function yamlSource(input: ScaffoldInput): string {
  const version = input.chart.version ? [] : ['# version: 1.2.x  (under the chart: an exact version or a semver range; without one, the newest)'];
  return [
    `# yaml-language-server: $schema=${input.schemaPath}`,
    ...header(input, '#'),
    ...version,
    stringify(scaffoldStack(input.chart)),
  ].join('\n');
}

/** The file's text. */
export function scaffoldSource(input: ScaffoldInput): string {
  return input.format === 'yaml' ? yamlSource(input) : moduleSource(input);
}
