// Unknown keys suggest the nearest valid one, at every level of a stack (chart fields, nested fields,
// defaults, environments, a definition's code parts), in YAML and TypeScript stacks alike; unrelated keys
// get no made-up suggestion, and a file full of bad keys still gives an error of bounded size, fast.
import assert from 'node:assert/strict';
import { thrown } from '../support/expect-failure.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SpecError, StackConfigError } from '../../src/errors.js';
import { chartSpecSchema } from '../../src/config/chart-spec.js';
import { editDistance, knownKeysAt, nearestKey } from '../../src/config/unknown-keys.js';
import { loadStack, resolveStack } from '../../src/stack/load.js';
import { stackShapeSchema } from '../../src/stack/schema.js';

describe('edit distance and the nearest key', () => {
  it('counts inserts, deletes, substitutions and a swap of neighbours as one edit each', () => {
    assert.equal(editDistance('namespace', 'namespace'), 0);
    assert.equal(editDistance('namspace', 'namespace'), 1);
    assert.equal(editDistance('namespacee', 'namespace'), 1);
    assert.equal(editDistance('nemespace', 'namespace'), 1);
    assert.equal(editDistance('namsepace', 'namespace'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests the closest key, ignoring case, and a key the typo starts when none is close whole', () => {
    const keys = ['name', 'namespace', 'createNamespace', 'timeoutSeconds', 'valuesFiles', 'atomic'];
    assert.equal(nearestKey('namspace', keys), 'namespace');
    assert.equal(nearestKey('Namespace', keys), 'namespace');
    assert.equal(nearestKey('valuesfile', keys), 'valuesFiles');
    assert.equal(nearestKey('atmic', keys), 'atomic');
    assert.equal(nearestKey('timout', keys), 'timeoutSeconds');
    assert.equal(nearestKey('nam', keys), 'name');
  });

  it('suggests nothing for a key unlike every valid one, nor for a huge key', () => {
    const keys = ['name', 'namespace', 'chart', 'version'];
    assert.equal(nearestKey('replicas', keys), undefined);
    assert.equal(nearestKey('xy', keys), undefined);
    assert.equal(nearestKey('n'.repeat(100_000), keys), undefined);
  });

  it('reads the valid keys from the schema at the issue path, through optional, record and array', () => {
    assert.ok(knownKeysAt(chartSpecSchema, []).includes('namespace'));
    assert.deepEqual(knownKeysAt(chartSpecSchema, ['upgradeRetry']).sort(), Object.keys(chartSpecSchema.shape.upgradeRetry.unwrap().shape).sort());
    assert.ok(knownKeysAt(stackShapeSchema, ['environments', 'prod']).includes('defaults'));
    assert.ok(knownKeysAt(stackShapeSchema, ['environments', 'prod', 'charts', 'web']).includes('timeoutSeconds'));
    assert.deepEqual(knownKeysAt(chartSpecSchema, ['no-such-field']), []);
  });
});

describe('unknown keys in a stack', () => {
  const file = '/s/helmcycle.yaml';

  it('a chart field names the chart, the file, the key and the nearest valid key', () => {
    const error = thrown(() => resolveStack({ charts: [{ name: 'web', chart: './web', namspace: 'apps' } as never, { name: 'db', chart: './db' }] }, { file }), SpecError);
    assert.equal(error.chart, 'web');
    assert.deepEqual(error.issues, [{ field: 'namspace', message: "unknown key, did you mean 'namespace'?" }]);
    assert.match(error.message, /^\/s\/helmcycle\.yaml: chart 'web' has an invalid spec:\n {2}- namspace: unknown key, did you mean 'namespace'\?$/);
  });

  it('a nested field, a code part and several keys at once each get their own line', () => {
    const error = thrown(
      () => resolveStack({ charts: [{ name: 'web', chart: './web', upgradeRetry: { attempts: 2, dleayMs: 1 }, need: ['db'], lifecycle: { preexec: () => undefined }, replicas: 3 } as never] }, { file }),
      SpecError,
    );
    const byField = Object.fromEntries(error.issues.map((i) => [i.field, i.message]));
    assert.equal(byField['need'], "unknown key, did you mean 'needs'?");
    assert.equal(byField['replicas'], 'unknown key');
    assert.match(byField['upgradeRetry.dleayMs'] ?? '', /did you mean 'delayMs'\?/);
    assert.match(byField['lifecycle.preexec'] ?? '', /did you mean 'preExec'\?/);
  });

  it('a stack, defaults and environment key suggests from its own level', () => {
    const error = thrown(
      () => resolveStack({ defualts: {}, environments: { prod: { defaults: { atmic: true }, chart: {} } }, charts: [{ name: 'web', chart: './web' }] } as never, { file }),
      StackConfigError,
    );
    assert.deepEqual(
      Object.fromEntries(error.issues.map((i) => [i.field, i.message])),
      {
        defualts: "unknown key, did you mean 'defaults'?",
        'environments.prod.defaults.atmic': "unknown key, did you mean 'atomic'?",
        'environments.prod.chart': "unknown key, did you mean 'charts'?",
      },
    );
  });

  it('a YAML and a TypeScript stack give the same suggestion', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-unknown-keys-'));
    await writeFile(join(dir, 'helmcycle.yaml'), 'charts:\n  - name: web\n    chart: ./web\n    namspace: apps\n  - name: db\n    chart: ./db\n');
    await writeFile(join(dir, 'helmcycle.config.ts'), "export default { charts: [{ name: 'web', chart: './web', namspace: 'apps' }, { name: 'db', chart: './db' }] };\n");
    for (const name of ['helmcycle.yaml', 'helmcycle.config.ts']) {
      await assert.rejects(loadStack(join(dir, name)), (error: unknown) => {
        assert.ok(error instanceof SpecError, String(error));
        assert.equal(error.file, join(dir, name));
        assert.deepEqual(error.issues, [{ field: 'namspace', message: "unknown key, did you mean 'namespace'?" }]);
        return true;
      });
    }
  });

  it('50,000 unknown keys give an error of bounded size', () => {
    const keys = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`namspace${i}`, i]));
    const error = thrown(() => resolveStack({ charts: [{ name: 'a', chart: './a', ...keys }] }, { file }), SpecError);
    assert.equal(error.issues.length, 50_000);
    assert.ok(error.message.length < 3_000, `${error.message.length} characters`);
    assert.match(error.message, /… and 49980 more issue\(s\)$/);
  });
});
