import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyHelmFailure, errorSummary, HelmCancelledError, HelmCommandError, HelmTimeoutError, redact,
  ReleaseLockedError, ReleaseNotFoundError, RenderError, RolledBackError, type HelmFailure,
} from '../../src/helm/errors.js';

const failure: HelmFailure = { argv: ['upgrade', '--install', 'web', 'web'], exitCode: 1, stderrTail: '', durationMs: 5, timedOut: false, cancelled: false };

describe('classifyHelmFailure', () => {
  const table: [string, string, abstract new (...a: never[]) => HelmCommandError, string][] = [
    ['locked', 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress', ReleaseLockedError, 'HELM_RELEASE_LOCKED'],
    ['helm 3 timeout', 'Error: UPGRADE FAILED: context deadline exceeded', HelmTimeoutError, 'HELM_TIMEOUT'],
    ['helm 4 timeout', 'Error: resource Deployment/a/b not ready. status: InProgress, message: Available: 0/1\ncontext deadline exceeded', HelmTimeoutError, 'HELM_TIMEOUT'],
    ['helm 3 atomic', 'Error: UPGRADE FAILED: release web failed, and has been rolled back due to atomic being set: context deadline exceeded', RolledBackError, 'HELM_ROLLED_BACK'],
    ['helm 4 atomic', 'Error: release web failed, and has been rolled back due to rollback-on-failure being set: context deadline exceeded', RolledBackError, 'HELM_ROLLED_BACK'],
    ['template', 'Error: UPGRADE FAILED: template: web/templates/cm.yaml:3:10: executing "x" at <.Values.a.b>: nil pointer', RenderError, 'HELM_RENDER_FAILED'],
    ['schema', "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nweb:\n- replicaCount: Invalid type", RenderError, 'HELM_RENDER_FAILED'],
    ['not found', 'Error: release: not found', ReleaseNotFoundError, 'HELM_RELEASE_NOT_FOUND'],
  ];
  for (const [name, stderr, type, code] of table) {
    it(name, () => {
      const error = classifyHelmFailure(stderr, failure);
      assert.ok(error instanceof type, `${name}: got ${error.constructor.name}`);
      assert.equal(error.code, code);
      assert.ok(error.hint, 'every typed error says what to do next');
    });
  }

  it('keeps argv, exit code and stderr tail on a general failure', () => {
    const error = classifyHelmFailure('Error: something odd', { ...failure, exitCode: 3, stderrTail: 'Error: something odd' });
    assert.equal(error.constructor, HelmCommandError);
    assert.equal(error.code, 'HELM_COMMAND_FAILED');
    assert.equal(error.failure.exitCode, 3);
    assert.equal(error.command, 'helm upgrade --install web web');
    assert.match(error.message, /helm upgrade failed: something odd \(exit code 3\)/);
  });

  it('reports a cancelled command as cancelled, whatever stderr says', () => {
    const error = classifyHelmFailure('Error: context deadline exceeded', { ...failure, cancelled: true });
    assert.ok(error instanceof HelmCancelledError);
    assert.equal(error.code, 'CANCELLED');
  });
});

describe('stderr helpers', () => {
  it('takes the Error: line as the summary', () => {
    assert.equal(errorSummary('W1124 warning\nError: UPGRADE FAILED: boom\n'), 'UPGRADE FAILED: boom');
  });
  it("keeps every line of a values-schema error, which name the keys (Helm 3 and Helm 4 wording)", () => {
    const helm3 = "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nstrict-values:\n- (root): Additional property crd is not allowed\n- image: Additional property tga is not allowed\n";
    const helm4 = "WARNING: kube config is group-readable\nError: values don't meet the specifications of the schema(s) in the following chart(s):\nstrict-values:\n- at '/image': additional properties 'tga' not allowed\n- at '': additional properties 'crd' not allowed\n";
    for (const [stderr, keys] of [[helm3, /Additional property crd is not allowed\n- image: Additional property tga/], [helm4, /at '\/image': additional properties 'tga' not allowed\n- at '': additional properties 'crd' not allowed$/]] as const) {
      const error = classifyHelmFailure(stderr, { argv: ['upgrade', '--install'], exitCode: 1, stderrTail: stderr, durationMs: 1, timedOut: false, cancelled: false });
      assert.equal(error.code, 'HELM_RENDER_FAILED');
      assert.match(error.message, keys);
      assert.doesNotMatch(error.message, /WARNING/);
    }
  });
  it('cuts a very long helm error after 40 lines, saying so', () => {
    const stderr = `Error: many\n${Array.from({ length: 100 }, (_, i) => `- key${i}: bad`).join('\n')}`;
    const summary = errorSummary(stderr);
    assert.equal(summary.split('\n').length, 41);
    assert.match(summary, /… \(61 more line\(s\) of helm's error\)$/);
  });
  it('masks secrets', () => {
    assert.equal(redact('bad value sup3r for key', ['sup3r']), 'bad value *** for key');
  });
});
