// A chart that is part of the stack only in some environments (`environments:` on the chart), and the
// import writing it for a helmfile release that some environments do not render. Before, the import wrote
// such a release as `action: destroy` in the base or in the environments without it, which would
// uninstall a release of that name someone else had installed there; now the chart is simply not part of
// those environments (these tests failed before: no `environments` was written, the loader kept the chart).
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readHelmfile } from '../../src/import/read-helmfile.js';
import { convertHelmfile } from '../../src/import/convert.js';
import { resolveStack } from '../../src/stack/load.js';
import type { StackDefinition } from '../../src/stack/types.js';

const stack = (charts: StackDefinition['charts'], environments: StackDefinition['environments'] = { staging: {}, production: {} }): StackDefinition => ({ environments, charts });
const names = (definition: StackDefinition, environment?: string) => resolveStack(definition, environment ? { environment } : {}).charts.map((c) => c.name);

describe('a chart part of some environments only', () => {
  const definition = stack([
    { name: 'app', chart: './app' },
    { name: 'monitoring', chart: './monitoring', environments: ['production'] },
    { name: 'debug', chart: './debug', environments: ['default', 'staging'], needs: ['app'] },
    { name: 'probe', chart: './probe', needs: ['monitoring'] },
  ]);

  it('is in the stack where it is listed (default: the run without --env) and nowhere else', () => {
    assert.deepEqual(names(definition), ['app', 'debug', 'probe']);
    assert.deepEqual(names(definition, 'staging'), ['app', 'debug', 'probe']);
    assert.deepEqual(names(definition, 'production'), ['app', 'monitoring', 'probe']);
  });

  it('keeps a need where the needed chart is part of the environment, and drops it where it is not', () => {
    const probe = (environment?: string) => resolveStack(definition, environment ? { environment } : {}).charts.find((c) => c.name === 'probe')!.needs;
    assert.deepEqual(probe('production'), ['monitoring']);
    assert.deepEqual(probe(), []);
  });

  it('is resolved without the environments key (it is no helm setting)', () => {
    const monitoring = resolveStack(definition, { environment: 'production' }).charts.find((c) => c.name === 'monitoring')!;
    assert.equal((monitoring.definition as { environments?: unknown }).environments, undefined);
  });

  it('refuses an environment the stack does not define, and an override of a chart left out there', () => {
    assert.throws(() => resolveStack(stack([{ name: 'app', chart: './app', environments: ['prodution'] }])), /names environment\(s\) the stack does not define: prodution/);
    assert.throws(() => resolveStack(stack([{ name: 'app', chart: './app', environments: ['production'] }], { staging: { charts: { app: { wait: false } } }, production: {} }), { environment: 'staging' }), /overrides chart 'app', which is not part of that environment/);
  });
});

describe('import: a release some environments do not render', () => {
  it('is a chart of the environments that render it, never a destroy anywhere', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-chart-envs-'));
    const file = join(dir, 'helmfile.yaml.gotmpl');
    await writeFile(file, [
      'environments:',
      '  default: {}',
      '  staging: {}',
      '  production: {}',
      '---',
      'releases:',
      '  - name: app',
      '    namespace: apps',
      '    chart: ./app',
      '{{- if eq .Environment.Name "production" }}',
      '  - name: monitoring',
      '    namespace: monitoring',
      '    chart: ./monitoring',
      '{{- end }}',
      '{{- if ne .Environment.Name "production" }}',
      '  - name: debug',
      '    namespace: apps',
      '    chart: ./debug',
      '{{- end }}',
      '',
    ].join('\n'));
    const read = readHelmfile(file, {});
    const result = convertHelmfile({ states: read.states, origins: read.origins, refused: read.refused, baseEnvironment: read.baseEnvironment, notes: read.notes, file, path: (p) => p });
    const chart = (name: string) => result.stack.charts.find((c) => c.name === name)!;
    assert.equal(chart('app').environments, undefined);
    assert.deepEqual(chart('monitoring').environments, ['production']);
    assert.deepEqual(chart('debug').environments, ['default', 'staging']);
    const actions = [...result.stack.charts, ...Object.values(result.stack.environments ?? {}).flatMap((e) => Object.values(e.charts))].map((c) => c.action);
    assert.ok(!actions.includes('destroy'), `no destroy: ${JSON.stringify(result.stack)}`);
    assert.deepEqual(names(result.stack as never), ['app', 'debug']);
    assert.deepEqual(names(result.stack as never, 'production'), ['app', 'monitoring']);
  });
});
