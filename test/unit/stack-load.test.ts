// Loading and resolving stacks: the one definition split (migrations and checks survive), defaults
// checked as defaults, every path anchored at the stack file's folder and checked, YAML errors with the
// file and line, and errors of bounded size for huge inputs.
import assert from 'node:assert/strict';
import { thrown } from '../support/expect-failure.js';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SpecError, StackConfigError } from '../../src/errors.js';
import { parseStackYaml } from '../../src/config/yaml-file.js';
import { parseDefinition, splitDefinition } from '../../src/lifecycle/definition.js';
import type { Migration } from '../../src/lifecycle/migrations.js';
import { runChart } from '../../src/lifecycle/runner.js';
import { checkStackFiles, loadStack, resolveStack } from '../../src/stack/load.js';
import { FakeHelm, FakeKube, releaseInfo } from './fakes.js';

const migration: Migration = { name: 'to 2.x', from: '<2.0.0', steps: [{ name: 'note', run: async (_ctx, payload) => ({ ...payload, noted: true }) }] };

describe('the definition split', () => {
  it('sets lifecycle, checks, migrations and needs apart from the spec, in one place', () => {
    const check = { name: 'endpoints', run: () => undefined };
    const parts = splitDefinition({ name: 'web', chart: 'web', repository: 'http://r', needs: ['db'], migrations: [migration], checks: [check], lifecycle: {} });
    assert.deepEqual(parts.spec, { name: 'web', chart: 'web', repository: 'http://r' });
    assert.deepEqual([parts.needs, parts.migrations, parts.checks], [['db'], [migration], [check]]);
  });

  it('keeps a stack chart\'s migrations through resolveStack, and plan/status parse its spec', () => {
    const stack = resolveStack({ defaults: { namespace: 'apps' }, charts: [{ name: 'web', chart: 'web', repository: 'http://r', migrations: [migration] }] }, { file: '/s/helmcycle.config.ts' });
    assert.deepEqual(stack.charts[0]!.definition.migrations, [migration]);
    assert.equal(parseDefinition(stack.charts[0]!.definition).spec.namespace, 'apps');
  });

  it('runs a stack chart\'s migrations when the installed version is in range', async () => {
    const helm = new FakeHelm();
    helm.current = releaseInfo({ name: 'web', namespace: 'apps', revision: 1, chartVersion: '1.0.0' });
    helm.chartVersion = '2.0.0';
    const stack = resolveStack({ defaults: { namespace: 'apps' }, charts: [{ name: 'web', chart: 'web', repository: 'http://r', migrations: [migration] }] });
    const result = await runChart(stack.charts[0]!.definition, { helm, kube: new FakeKube() });
    assert.deepEqual(result.payload.migrations, [{ migration: 'to 2.x', steps: ['note'], undone: false }]);
  });

  it('refuses phases, checks and migrations written as data (a YAML file), naming chart and field', () => {
    const error = thrown(() => resolveStack({ charts: [{ name: 'web', chart: 'web', repository: 'http://r', migrations: [{ name: 'm', from: '<2', steps: [{ name: 's', run: 'echo' }] }], lifecycle: { validat: () => {} } } as never] }, { file: '/s/helmcycle.yaml' }), SpecError);
    assert.equal(error.chart, 'web');
    assert.deepEqual(error.issues.map((i) => i.field).sort(), ['lifecycle.validat', 'migrations[0].steps[0].run']);
    assert.match(error.issues.find((i) => i.field === 'lifecycle.validat')!.message, /did you mean 'validate'\?/);
    assert.match(error.message, /^\/s\/helmcycle\.yaml: chart 'web'/);
  });
});

describe('stack settings', () => {
  it('rollbackStackOnFailure reaches the resolved stack; a value that is not a boolean names the field', () => {
    assert.equal(resolveStack({ rollbackStackOnFailure: true, charts: [{ name: 'a', chart: './a' }] }, { file: '/s/h.yaml' }).rollbackStackOnFailure, true);
    assert.equal(resolveStack({ charts: [{ name: 'a', chart: './a' }] }, { file: '/s/h.yaml' }).rollbackStackOnFailure, undefined);
    const error = thrown(() => resolveStack({ rollbackStackOnFailure: 'yes', charts: [{ name: 'a', chart: './a' }] } as never, { file: '/s/h.yaml' }), StackConfigError);
    assert.equal(error.issues[0]!.field, 'rollbackStackOnFailure');
  });
});

describe('defaults', () => {
  it('an unknown key in defaults is the defaults\' error, not the first chart\'s', () => {
    const error = thrown(() => resolveStack({ defaults: { atmic: true } as never, charts: [{ name: 'a', chart: './a' }] }, { file: '/s/h.yaml' }), StackConfigError);
    assert.equal(error.chart, undefined);
    assert.deepEqual(error.issues, [{ field: 'defaults.atmic', message: "unknown key, did you mean 'atomic'?" }]);
  });

  it('refuses a default name (every chart has its own) instead of passing it silently', () => {
    for (const stack of [{ defaults: { name: 42 } }, { environments: { prod: { defaults: { name: 'x' } } } }]) {
      const error = thrown(() => resolveStack({ ...stack, charts: [{ name: 'a', chart: './a' }] } as never, { file: '/s/h.yaml' }), StackConfigError);
      assert.match(error.issues[0]!.field, /defaults\.name$/);
      assert.match(error.issues[0]!.message, /name cannot be a default/);
    }
  });

  it('a wrong type in an environment override names its full path', () => {
    const error = thrown(() => resolveStack({ environments: { prod: { charts: { a: { atomic: 'yes' } } } }, charts: [{ name: 'a', chart: './a' }] } as never, { file: '/s/h.yaml', environment: 'prod' }), StackConfigError);
    assert.deepEqual(error.issues.map((i) => i.field), ['environments.prod.charts.a.atomic']);
  });
});

describe('paths in a stack file', () => {
  it('are anchored at the file\'s folder: chart, values files, crds.path and the TLS files', () => {
    const stack = resolveStack(
      { charts: [{ name: 'a', chart: './charts/a', valuesFiles: ['v.yaml'], crds: { path: 'crds' } }, { name: 'b', chart: 'b', repository: 'https://r', repositoryAuth: { username: 'u', password: 'pass-word', caFile: 'tls/ca.pem', certFile: '/etc/c.pem', keyFile: '../k.pem' } }] },
      { file: '/stacks/prod/helmcycle.yaml' },
    );
    const [a, b] = stack.charts.map((c) => c.definition) as unknown as [Record<string, any>, Record<string, any>];
    assert.deepEqual([a.chart, a.valuesFiles, a.crds.path], ['/stacks/prod/charts/a', ['/stacks/prod/v.yaml'], '/stacks/prod/crds']);
    assert.deepEqual([b.repositoryAuth.caFile, b.repositoryAuth.certFile, b.repositoryAuth.keyFile], ['/stacks/prod/tls/ca.pem', '/etc/c.pem', '/stacks/k.pem']);
  });

  it('a missing crds.path or CA file is bad input naming file, chart and field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-paths-'));
    await mkdir(join(dir, 'crds'));
    const file = join(dir, 'helmcycle.yaml');
    await writeFile(file, 'charts:\n  - { name: ok, chart: ok, repository: "https://r", crds: { path: crds } }\n  - { name: op, chart: op, repository: "https://r", crds: { path: missing-crds }, repositoryAuth: { username: u, password: pass-word, caFile: ca.pem } }\n');
    const error = await loadStack(file).then(() => assert.fail('expected an error'), (e: unknown) => e);
    assert.ok(error instanceof StackConfigError);
    assert.equal(error.chart, 'op');
    assert.deepEqual(error.issues.map((i) => i.field), ['crds.path', 'repositoryAuth.caFile']);
    assert.match(error.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: chart 'op' names a file that does not exist`));
    assert.match(error.issues[0]!.message, new RegExp(`${dir}/missing-crds does not exist`));
    await writeFile(join(dir, 'ca.pem'), 'x');
    await mkdir(join(dir, 'missing-crds'));
    await checkStackFiles(await loadStack(file));
  });
});

describe('YAML stack files', () => {
  it('an alias without an anchor is an input error with the file and the line, not a crash', () => {
    const error = thrown(() => parseStackYaml('charts:\n  - name: a\n    chart: *web\n', '/s/h.yaml'), StackConfigError);
    assert.match(error.message, /^\/s\/h\.yaml: not valid YAML/);
    assert.deepEqual(error.issues.map((i) => i.field), ['line 3, column 12']);
  });

  it('aliases that expand too far are refused', () => {
    let bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 8; i++) bomb += `${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(9).fill(`*${'abcdefgh'[i - 1]}`).join(', ')}]\n`;
    assert.match(thrown(() => parseStackYaml(bomb, '/s/h.yaml'), StackConfigError).message, /aliases expand too far/);
  });

  it('a key given twice is found, with its line', () => {
    const error = thrown(() => parseStackYaml('charts:\n  - name: a\n    name: b\n', '/s/h.yaml'), StackConfigError);
    assert.deepEqual(error.issues, [{ field: 'line 3, column 5', message: "the key 'name' appears twice in this mapping" }]);
  });
});

describe('huge inputs', () => {
  it('a chart with 50,000 unknown keys gives an error of bounded size', () => {
    const keys = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`key${i}`, i]));
    const error = thrown(() => resolveStack({ charts: [{ name: 'a', chart: './a', ...keys }] }, { file: '/s/h.yaml' }), SpecError);
    assert.ok(error.message.length < 2_000, `${error.message.length} characters`);
    assert.match(error.message, /… and 49980 more issue\(s\)$/);
  });

  it('50,000 bad set values list 20 issues and say how many more', () => {
    const set = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`key${i}`, { nested: i }]));
    const error = thrown(() => resolveStack({ defaults: { set } as never, charts: [{ name: 'a', chart: './a' }] }, { file: '/s/h.yaml' }), StackConfigError);
    assert.match(error.message, /… and 49980 more issue\(s\)$/);
    assert.ok(error.message.length < 5_000, `${error.message.length} characters`);
  });
});
