import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpecError } from '../../src/errors.js';
import { formatFieldPath, parseChartSpec } from '../../src/config/parse.js';

function specError(input: unknown, file?: string): SpecError {
  try {
    parseChartSpec(input, file ? { file } : {});
  } catch (error) {
    assert.ok(error instanceof SpecError, `expected a SpecError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the spec to be rejected');
}

describe('parseChartSpec', () => {
  it('fills in the defaults', () => {
    const spec = parseChartSpec({ name: 'web', chart: './charts/web' });
    assert.equal(spec.namespace, 'default');
    assert.equal(spec.wait, true);
    assert.equal(spec.timeoutSeconds, 300);
    assert.deepEqual(spec.upgradeRetry, { attempts: 1, delayMs: 5000 });
    assert.equal(spec.action, 'deploy');
  });

  it('names the chart, the field and the file', () => {
    const error = specError({ name: 'web', chart: 'web', upgradeRetry: { attempts: 0 } }, 'stack.yaml');
    assert.equal(error.chart, 'web');
    assert.equal(error.file, 'stack.yaml');
    assert.deepEqual(error.issues.map((i) => i.field), ['upgradeRetry.attempts']);
    assert.match(error.message, /^stack\.yaml: chart 'web' has an invalid spec:\n {2}- upgradeRetry\.attempts: /);
  });

  it('rejects unknown fields, so a typo is not silently ignored', () => {
    const error = specError({ name: 'web', chart: 'web', atomik: true });
    assert.match(error.message, /atomik/);
  });

  it('rejects a bad release name, version range and breaking version', () => {
    const error = specError({ name: 'Web_App', chart: 'web', version: 'latest!', lastBreakingVersionRequiringRestart: 'two' });
    assert.deepEqual(error.issues.map((i) => i.field).sort(), ['lastBreakingVersionRequiringRestart', 'name', 'version']);
  });

  it('rejects a repository URL on an oci:// chart, and credentials without a repository', () => {
    assert.deepEqual(specError({ name: 'a', chart: 'oci://r/c', repository: 'https://x' }).issues.map((i) => i.field), ['repository']);
    assert.deepEqual(specError({ name: 'a', chart: './c', repositoryAuth: { username: 'u', password: 'pass-word' } }).issues.map((i) => i.field), ['repositoryAuth']);
  });

  it('finds invalid YAML in yamlFilesContent before helm does', () => {
    const error = specError({ name: 'web', chart: 'web', yamlFilesContent: [{ name: 'ok', content: 'a: 1' }, { name: 'bad', content: 'a: [1, 2' }] });
    assert.deepEqual(error.issues.map((i) => i.field), ['yamlFilesContent[1].content']);
    assert.match(error.message, /'bad' is not valid YAML/);
  });

  it('rejects YAML content that is not a mapping', () => {
    const error = specError({ name: 'web', chart: 'web', yamlFilesContent: [{ name: 'list', content: '- 1\n- 2' }] });
    assert.match(error.message, /must be a YAML mapping/);
  });

  it('labels an unnamed chart', () => {
    assert.equal(specError({ chart: 'web' }).chart, '(unnamed)');
  });

  it('formats field paths as a user writes them', () => {
    assert.equal(formatFieldPath(['valuesFiles', 1]), 'valuesFiles[1]');
    assert.equal(formatFieldPath(['upgradeRetry', 'attempts']), 'upgradeRetry.attempts');
    assert.equal(formatFieldPath([]), '(spec)');
  });
});
