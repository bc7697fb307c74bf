// helmcycle import of helmfile's secrets: `secrets:` SOPS files become secretValuesFiles, `ref+` values
// stay in values (helmcycle resolves them at run time) or move from set to setSensitive (never argv),
// and what helmcycle cannot resolve by itself is listed with its replacement.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertHelmfile } from '../../src/import/convert.js';

const convert = (document: unknown) => convertHelmfile({ document, file: 'helmfile.yaml', path: (p) => `./${p}` });

describe('import: secrets', () => {
  it('turns a release\'s secrets: into secretValuesFiles, after its values files', () => {
    const result = convert({ releases: [{ name: 'api', chart: './api', values: ['values/api.yaml'], secrets: ['secrets/api.sops.yaml', 'secrets/shared.sops.json'] }] });
    assert.deepEqual(result.stack.charts[0], { name: 'api', chart: '././api', valuesFiles: ['./values/api.yaml'], secretValuesFiles: ['./secrets/api.sops.yaml', './secrets/shared.sops.json'] });
    assert.deepEqual(result.notConverted, []);
  });

  it('gives an environment\'s different secrets file as that environment\'s secretValuesFiles', () => {
    const result = convert({
      environments: { default: { values: [{ stage: 'dev' }] }, production: { values: [{ stage: 'prod' }] } },
      releases: [{ name: 'api', chart: './api', secrets: ['secrets/{{ .Values.stage }}.yaml'] }],
    });
    assert.deepEqual(result.stack.charts[0]!.secretValuesFiles, ['./secrets/dev.yaml']);
    assert.deepEqual(result.stack.environments?.production?.charts.api, { secretValuesFiles: ['./secrets/prod.yaml'] });
    // helmcycle adds an environment's secrets files to the chart's: production would decrypt dev's file too.
    assert.deepEqual(result.notConverted.map((i) => [i.field, i.what]), [['releases[0].secrets', "in environment 'production', the secrets file(s) ./secrets/dev.yaml of the default environment are replaced, not added to"]]);
  });

  it('keeps ref+ values in values, moves a ref+ set value to setSensitive, and lists schemes helmcycle does not resolve', () => {
    const result = convert({
      releases: [{
        name: 'api',
        chart: './api',
        values: [{ db: { password: 'ref+k8s://v1/Secret/db/creds/password', token: 'ref+vault://secret/data/api#/token', url: 'postgres://ref+env://DB_HOST+/db' } }],
        set: [{ name: 'apiKey', value: 'ref+env://API_KEY' }, { name: 'replicas', value: 2 }],
      }],
    });
    const chart = result.stack.charts[0]!;
    assert.deepEqual(chart.values, [{ db: { password: 'ref+k8s://v1/Secret/db/creds/password', token: 'ref+vault://secret/data/api#/token', url: 'postgres://ref+env://DB_HOST+/db' } }]);
    assert.deepEqual(chart.set, { replicas: 2 });
    assert.deepEqual(chart.setSensitive, { apiKey: 'ref+env://API_KEY' });
    const listed = Object.fromEntries(result.notConverted.map((item) => [item.field, `${item.what} -> ${item.instead}`]));
    assert.match(listed['releases[0].values[0].db.token'] ?? '', /resolvers: \{ 'vault'/);
    assert.match(listed['releases[0].values[0].db.url'] ?? '', /inside a longer string/);
    assert.equal(listed['releases[0].values[0].db.password'], undefined, 'ref+k8s is resolved by helmcycle');
  });

  it('lists a templated secrets file it cannot render and an inline secrets entry', () => {
    const result = convert({ releases: [{ name: 'api', chart: './api', secrets: ['secrets/{{ requiredEnv "STAGE" }}.yaml', { a: 1 }, 'secrets/x.yaml.gotmpl'] }] });
    assert.equal(result.stack.charts[0]!.secretValuesFiles, undefined);
    assert.deepEqual(result.notConverted.map((i) => i.field), ['releases[0].secrets[0]', 'releases[0].secrets[1]', 'releases[0].secrets[2]']);
  });
});
