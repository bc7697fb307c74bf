import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartSpecSchema } from '../../src/config/chart-spec.js';
import { classifyFailure } from '../../src/failures/classify.js';
import { chooseRemedy } from '../../src/failures/remedies.js';
import { containerTerminations } from '../../src/failures/test-pods.js';
import { asChartTestFailure, HelmCommandError } from '../../src/helm/errors.js';
import { chartTestRequest, testsRun } from '../../src/lifecycle/chart-tests.js';

const spec = (extra: Record<string, unknown>) => chartSpecSchema.parse({ name: 'web', namespace: 'apps', chart: './web', ...extra });
const failure = (stderr: string) => ({ argv: ['test', 'web'], exitCode: 1, stderrTail: stderr, durationMs: 1, timedOut: false, cancelled: false });

describe('chart tests', () => {
  it('turns the spec into a helm test request, none on destroy or when off', () => {
    assert.deepEqual(chartTestRequest(spec({ tests: true })), { release: 'web', namespace: 'apps', timeoutSeconds: undefined, filter: [] });
    assert.deepEqual(chartTestRequest(spec({ tests: { timeoutSeconds: 30, filter: ['!name=slow'] } })), { release: 'web', namespace: 'apps', timeoutSeconds: 30, filter: ['!name=slow'] });
    assert.equal(chartTestRequest(spec({})), undefined);
    assert.equal(chartTestRequest(spec({ tests: true, action: 'destroy' })), undefined);
  });

  it('rejects a test setting that is not true/false or an object, a negative timeout and a malformed filter', () => {
    for (const tests of ['yes', { timeoutSeconds: -1 }, { filter: ['x'] }]) {
      const result = chartSpecSchema.safeParse({ name: 'web', namespace: 'apps', chart: './web', tests });
      assert.equal(result.success, false, JSON.stringify(tests));
      assert.equal(result.error?.issues[0]?.path[0], 'tests');
    }
  });

  it('names the failed test pods, classes them chart-test-failed and rolls back by default, unless the policy says otherwise', () => {
    const error = asChartTestFailure(new HelmCommandError('HELM_COMMAND_FAILED', 'helm test failed', failure('Error: 1 error occurred:\n\t* pod web-test-connection failed\n')));
    const report = classifyFailure(error);
    assert.equal(report.class, 'chart-test-failed');
    assert.deepEqual(report.objects, [{ kind: 'Pod', name: 'web-test-connection' }]);
    assert.equal(chooseRemedy(report, spec({})).remedy, 'rollback');
    assert.equal(chooseRemedy(report, spec({ remedies: { policy: { 'chart-test-failed': 'none' } } })).remedy, 'none');
  });

  it('leaves a helm test failure that names no pod as it was', () => {
    const error = new HelmCommandError('HELM_COMMAND_FAILED', 'x', failure('Error: release: not found'));
    assert.equal(asChartTestFailure(error), error);
  });

  it('reads the suites helm ran and the containers\' terminations', () => {
    assert.deepEqual(testsRun('NAME: web\nTEST SUITE:     web-a\nPhase: Succeeded\nTEST SUITE:     web-b\n'), ['web-a', 'web-b']);
    assert.deepEqual(testsRun('TEST SUITE: None\n'), []);
    const pod = { status: { containerStatuses: [{ name: 'wget', state: { terminated: { exitCode: 1, reason: 'Error', message: 'boom\n' } } }] } };
    assert.deepEqual(containerTerminations(pod), ['wget: terminated, exit code 1 (Error): boom']);
  });
});
