// `helmcycle types` (issue 27.3): a .d.ts per chart from its values.schema.json or its values.yaml, which
// tsc holds a TS config's `values:` against. The TypeScript compiler API checks a config with a typo'd key.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { readChartModel } from '../../src/values/chart-model.js';
import { typeNameOf, valuesDeclaration } from '../../src/values/types-gen.js';

const CHARTS = 'test/fixtures/values-charts';

/** tsc's diagnostics for a config folder (strict, NodeNext, as a helmcycle.config.ts is checked). */
function diagnostics(file: string): string[] {
  const program = ts.createProgram([file], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

async function configWith(types: Record<string, string>, body: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-types-'));
  await mkdir(join(dir, 'helmcycle-types'));
  for (const [name, text] of Object.entries(types)) await writeFile(join(dir, 'helmcycle-types', `${name}.d.ts`), text);
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  const file = join(dir, 'helmcycle.config.ts');
  await writeFile(file, body);
  return file;
}

describe('helmcycle types', () => {
  it('names the type after the release', () => {
    assert.equal(typeNameOf('kube-state-metrics'), 'KubeStateMetricsValues');
    assert.equal(typeNameOf('web'), 'WebValues');
  });

  it('from a schema (cert-manager shape): tsc refuses a typo in values, and accepts the right keys', async () => {
    const declaration = await valuesDeclaration('certs', await readChartModel(resolve(CHARTS, 'cert-controller')));
    const config = (values: string) => `import type { CertsValues } from './helmcycle-types/certs.js';\nexport const values = ${values} satisfies CertsValues;\n`;
    const bad = diagnostics(await configWith({ certs: declaration }, config("{ replicaCount: 2, image: { tga: 'v1.15.1' } }")));
    assert.equal(bad.length, 1, bad.join('\n'));
    assert.match(bad[0]!, /'tga' does not exist in type 'HelmValuesImage'/);
    assert.deepEqual(diagnostics(await configWith({ certs: declaration }, config("{ replicaCount: 2, image: { tag: 'v1.15.1', pullPolicy: 'Always' }, podLabels: { team: 'a' } }"))), []);
    // The enum is a type too.
    assert.match(diagnostics(await configWith({ certs: declaration }, config("{ image: { pullPolicy: 'Sometimes' } }"))).join('\n'), /'"Sometimes"' is not assignable/);
  });

  it('inferred from values.yaml (metrics-server shape), subcharts under their alias (kube-prometheus-stack shape)', async () => {
    const agent = await valuesDeclaration('agent', await readChartModel(resolve(CHARTS, 'metrics-agent')));
    const bundle = await valuesDeclaration('mon', await readChartModel(resolve(CHARTS, 'monitoring-bundle')));
    const file = await configWith(
      { agent, mon: bundle },
      [
        "import type { AgentValues } from './helmcycle-types/agent.js';",
        "import type { MonValues } from './helmcycle-types/mon.js';",
        "export const agent = { podLabels: { team: 'a' }, affinity: { nodeAffinity: {} }, imgae: { tag: 'v0.7.2' } } satisfies AgentValues;",
        "export const mon = { grafana: { enabled: false, adminUser: 'root' }, 'kube-state-metrics': { replicsa: 2 }, global: { imageRegistry: 'mirror.example' } } satisfies MonValues;",
        '',
      ].join('\n'),
    );
    const found = diagnostics(file).join('\n');
    assert.match(found, /'imgae' does not exist in type 'AgentValues'/);
    assert.match(found, /'replicsa' does not exist in type/);
    assert.equal(diagnostics(file).length, 2, found);
  });

  it('never reads or fetches a $ref outside the schema document', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-refs-'));
    await writeFile(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: refs\nversion: 1.0.0\n');
    // A file beside the schema that a resolver would read: its type must not show up.
    await writeFile(join(dir, 'sidecar.json'), JSON.stringify({ type: 'object', properties: { readFromDisk: { type: 'string' } } }));
    await writeFile(join(dir, 'values.schema.json'), JSON.stringify({
      type: 'object',
      properties: {
        resources: { $ref: 'https://kubernetesjsonschema.dev/v1.18.0/_definitions.json#/definitions/io.k8s.api.core.v1.ResourceRequirements' },
        sidecar: { $ref: 'sidecar.json' },
        image: { $ref: '#/definitions/image' },
      },
      definitions: { image: { type: 'object', properties: { tag: { type: 'string' } }, required: ['tag'] } },
    }));
    const declaration = await valuesDeclaration('refs', await readChartModel(dir));
    assert.doesNotMatch(declaration, /readFromDisk/);
    assert.match(declaration, /external schema https:\/\/kubernetesjsonschema\.dev\/.* not read/);
    // A local $ref is followed, and `required` (of the merged values) does not bind what a user sets.
    assert.match(declaration, /tag\?: string/);
  });
});
