// The Go template renderer import uses for helmfile templates (src/import/gotmpl/): Go's syntax (trim
// markers, comments, else-if chains, range with variables, parenthesised pipelines), the common
// sprig/helmfile functions, and the import's two values: what it cannot evaluate (listed, never run or
// guessed) and environment variables (run-time references, never read at import).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate } from '../../src/import/gotmpl/evaluate.js';
import { parseTemplate } from '../../src/import/gotmpl/parser.js';
import { EnvValue, RenderFailure, Unrenderable, type Special } from '../../src/import/gotmpl/values.js';

const values = { namespace: 'shop', replicas: 2, tags: ['a', 'b'], db: { host: 'db.local', port: 5432 }, on: true, empty: '' };
const data = { Environment: { Name: 'production', Values: values }, Values: values, StateValues: values };
const special = (s: Special) => (s instanceof EnvValue ? `<env ${s.name}>` : `<x ${s.reason} @${s.line}>`);
const render = (text: string, extra: Partial<Parameters<typeof renderTemplate>[1]> = {}) => renderTemplate(text, { data, special, ...extra });

describe('import templates: Go syntax', () => {
  it('prints fields, literals and variables, and trims white space where {{- and -}} say', () => {
    assert.equal(render('ns: {{ .Values.namespace }}-{{ .Environment.Name }}\n'), 'ns: shop-production\n');
    assert.equal(render('a  {{- "b" -}}  c'), 'abc');
    assert.equal(render('{{ $x := .Values.db.port }}{{ $x }}/{{ $.StateValues.db.host }}'), '5432/db.local');
    assert.equal(render('{{/* a comment */}}x'), 'x');
    assert.equal(render('{{ `{{ .Values.kept }}` }}'), '{{ .Values.kept }}', 'a raw string writes braces for the chart');
    assert.equal(render('{{ "a\\tb\\u0041" }}'), 'a\tbA');
  });

  it('runs if / else if / else, with, and range over lists and maps (keys sorted) with $i, $v', () => {
    const text = '{{ if eq .Environment.Name "staging" }}s{{ else if .Values.on }}p{{ else }}d{{ end }}';
    assert.equal(render(text), 'p');
    assert.equal(render('{{ with .Values.db }}{{ .host }}{{ end }}{{ with .Values.empty }}no{{ else }}empty{{ end }}'), 'db.localempty');
    assert.equal(render('{{ range $i, $t := .Values.tags }}{{ $i }}={{ $t }};{{ end }}'), '0=a;1=b;');
    assert.equal(render('{{ range $k, $v := .Values.db }}{{ $k }}:{{ $v }} {{ end }}'), 'host:db.local port:5432 ');
    assert.equal(render('{{ range .Values | getOrNil "nothing" }}x{{ else }}none{{ end }}'), 'none');
  });

  it('evaluates pipelines, parenthesised calls with a field after them, and short-circuits and/or', () => {
    assert.equal(render('{{ .Values.replicas | add 1 | mul 2 }}'), '6');
    assert.equal(render('{{ (dict "a" (dict "b" 7)).a.b }}'), '7');
    assert.equal(render('{{ and .Values.on (fail "never") }}'), '<x fail: never @1>');
    assert.equal(render('{{ or .Values.on (fail "never") }}'), 'true', 'or stops at the first true value');
  });

  it('refuses broken syntax with its line', () => {
    assert.throws(() => render('a\n{{ if .Values.on }}x'), (e: unknown) => e instanceof RenderFailure && e.line === 2 && /never closed/.test(e.reason));
    assert.throws(() => render('{{ end }}'), (e: unknown) => e instanceof RenderFailure && /end with nothing open/.test(e.reason));
    assert.throws(() => render('{{ "open }}'), RenderFailure);
    assert.throws(() => parseTemplate('{{ define "x" }}{{ end }}'), /named templates/);
  });
});

describe('import templates: functions', () => {
  it('has the sprig and helmfile functions helmfiles use', () => {
    assert.equal(render('{{ .Values.db | toYaml | nindent 2 }}'), '\n  host: db.local\n  port: 5432');
    assert.equal(render('{{ .Values.db.host | quote }} {{ squote "x" }} {{ upper "a" }} {{ "x-y" | replace "-" "_" }}'), '"db.local" \'x\' A x_y');
    assert.equal(render('{{ .Values.missing | default "d" }}'), '<x .Values.missing is not set @1>', 'helmfile fails on a missing key, default or not');
    assert.equal(render('{{ .Values | get "missing.key" "d" }} {{ .Values | get "db.port" }} {{ .Values | getOrNil "nope" }}'), 'd 5432 <no value>');
    assert.equal(render('{{ hasKey .Values.db "host" }} {{ empty .Values.empty }} {{ coalesce .Values.empty "c" }} {{ ternary "y" "n" true }}'), 'true true c y');
    assert.equal(render('{{ printf "%s:%d %v %q" "a" 3 true "q" }}'), 'a:3 true "q"');
    assert.equal(render('{{ join "," .Values.tags }} {{ splitList "," "x,y" | len }} {{ list 1 2 | last }} {{ "abc" | trunc 2 }}'), 'a,b 2 2 ab');
    assert.equal(render('{{ "aGk=" | b64dec }} {{ "hi" | b64enc }} {{ indent 2 "a\\nb" }}'), 'hi aGk=   a\n  b');
  });

  it('reads a file only through the function it is given', () => {
    assert.equal(render('{{ readFile "x.txt" | trim }}', { readFile: (path) => `content of ${path}\n` }), 'content of x.txt');
    assert.equal(render('{{ readFile "x.txt" }}'), '<x readFile outside a helmfile @1>');
  });

  it('never runs exec, and lists unknown functions, fetchSecretValue and .Release with their line', () => {
    assert.equal(render('a\n{{ exec "touch" (list "/tmp/helmcycle-never") }}'), 'a\n<x exec runs a command: import never runs one @2>');
    assert.equal(render('{{ fetchSecretValue "ref+vault://x" }}'), '<x fetchSecretValue reads a secret store at render time @1>');
    assert.equal(render('{{ frobnicate 1 }}'), "<x the function 'frobnicate', which import does not evaluate @1>");
    assert.equal(render('{{ .Release.Name }}'), '<x .Release in the helmfile itself (helmfile fills it per release, later) @1>');
    assert.equal(render('{{ exec "x" (list) | upper | quote }}'), '<x exec runs a command: import never runs one @1>', 'what cannot be evaluated passes through functions unchanged');
  });

  it('stops the document on a condition it cannot decide, naming the line', () => {
    assert.throws(() => render('x\n\n{{ if exec "test" (list) }}y{{ end }}'), (e: unknown) => e instanceof RenderFailure && e.line === 3 && /exec/.test(e.reason));
    assert.throws(() => render('{{ range .Values.missing }}{{ end }}'), (e: unknown) => e instanceof RenderFailure && /\.Values\.missing is not set/.test(e.reason));
  });
});

describe('import templates: environment variables', () => {
  it('never reads the environment: env and requiredEnv are references, kept whole through quote', () => {
    process.env.HELMCYCLE_TEST_SECRET = 'do-not-copy';
    try {
      assert.equal(render('{{ requiredEnv "HELMCYCLE_TEST_SECRET" }}'), '<env HELMCYCLE_TEST_SECRET>');
      assert.equal(render('{{ env "HELMCYCLE_TEST_SECRET" | quote }}'), '"<env HELMCYCLE_TEST_SECRET>"');
    } finally {
      delete process.env.HELMCYCLE_TEST_SECRET;
    }
  });

  it('lists an env value a function would change (a default, a prefix), and a condition on one', () => {
    assert.match(render('{{ env "TAG" | default "latest" }}'), /<x default of the environment variable TAG.*has no default/);
    assert.match(render('{{ env "TAG" | upper }}'), /<x upper of the environment variable TAG/);
    assert.throws(() => render('{{ if env "CI" }}x{{ end }}'), (e: unknown) => e instanceof RenderFailure && /environment variable CI/.test(e.reason));
    assert.ok(render('{{ env "not a name" }}').includes('not a variable name'));
    assert.ok(new Unrenderable('r', 1).reason === 'r');
  });
});

describe('import templates: limits', () => {
  it('cuts off a string that doubles in a loop, parentheses and blocks nested too deep, and values nested too deep', () => {
    assert.match(render('{{ $s := "ab" }}{{ range 40 }}{{ $s = printf "%s%s" $s $s }}{{ end }}{{ len $s }}'), /<x printf made a string longer than 1000000 characters/);
    assert.throws(() => render(`{{ ${'('.repeat(150)}1${')'.repeat(150)} }}`), (e: unknown) => e instanceof RenderFailure && /parentheses nested deeper than 100/.test(e.reason));
    assert.throws(() => render(`${'{{ if true }}'.repeat(150)}${'{{ end }}'.repeat(150)}`), (e: unknown) => e instanceof RenderFailure && /blocks nested deeper/.test(e.reason));
    assert.throws(() => render('{{ $d := dict }}{{ range 100000 }}{{ $d = dict "a" $d }}{{ end }}{{ $d | toYaml }}'), (e: unknown) => e instanceof RenderFailure && /too deep/.test(e.reason));
  });
});

describe('import templates: comments and documents', () => {
  it('reads a comment holding quotes and braces', () => {
    assert.equal(render('a{{/* it\'s "quoted" }} */}}b{{- /* trimmed */ -}}  c'), 'abc');
  });

  it('splits a long run of blank lines and comments quickly (no backtracking)', async () => {
    const { splitDocuments } = await import('../../src/import/documents.js');
    const started = Date.now();
    assert.equal(splitDocuments(`${'\n \n#c\n'.repeat(20000)}x`).length, 1);
    assert.ok(Date.now() - started < 1000);
  });
});
