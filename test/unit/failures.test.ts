// Classifying failures from helm's real words (captured from Helm 3.17 and Helm 4.1 on the local
// cluster), and choosing remedies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeRequestError, ValidationError } from '../../src/errors.js';
import { preflightChart } from '../../src/failures/preflight.js';
import type { ApplyOptions, KubeObject, ObjectRef } from '../../src/kube/types.js';
import { FakeKube } from './fakes.js';
import { classifyHelmFailure, type HelmFailure } from '../../src/helm/errors.js';
import { classifyFailure } from '../../src/failures/classify.js';
import { attemptsLeft, chooseRemedy, defaultRemedy, retriesAfter } from '../../src/failures/remedies.js';
import { FAILURE_CLASSES } from '../../src/config/failure-classes.js';
import { parseChartSpec } from '../../src/config/parse.js';

function helmError(stderr: string) {
  const failure: HelmFailure = { argv: ['upgrade', '--install', 'r'], exitCode: 1, stderrTail: stderr, durationMs: 1, timedOut: false, cancelled: false };
  return classifyHelmFailure(stderr, failure);
}

const SAMPLES: [string, string][] = [
  ['stuck-release', 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress'],
  ['immutable-field', 'Error: UPGRADE FAILED: cannot patch "cred-credentials" with kind Deployment: Deployment.apps "cred-credentials" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"x"}}: field is immutable'],
  ['immutable-field', 'Error: UPGRADE FAILED: StatefulSet.apps "db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than \'replicas\', \'ordinals\', \'template\', \'updateStrategy\' are forbidden'],
  ['ownership-conflict', 'Error: Unable to continue with install: ConfigMap "own-web" in namespace "cls3" exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"'],
  ['ownership-conflict', 'Error: UPGRADE FAILED: conflict occurred while applying object mig/cred-credentials /v1, Kind=Secret: Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.password'],
  ['missing-crd', 'Error: unable to build kubernetes objects from release manifest: resource mapping not found for name: "wa-a" namespace: "" from "": no matches for kind "Widget" in version "fixtures.helmcycle.dev/v1"\nensure CRDs are installed first'],
  ['hook-failure', 'Error: failed pre-install: 1 error occurred:\n\t* job hk-migrate failed: BackoffLimitExceeded'],
  ['hook-failure', 'Error: failed pre-install: resource Job/cls4/hk-migrate not ready. status: Failed, message: Job Failed. failed: 1/1'],
  ['admission-denied', 'Error: 1 error occurred:\n\t* configmaps "a3-web" is forbidden: ValidatingAdmissionPolicy \'no-forbidden\' with binding \'no-forbidden\' denied request: no'],
  ['admission-denied', 'Error: admission webhook "validate.kyverno.svc" denied the request: policy require-labels failed'],
  ['quota-denied', 'Error: configmaps "q4-web" is forbidden: exceeded quota: cmq, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1'],
  ['rbac-denied', 'Error: deployments.apps is forbidden: User "system:serviceaccount:ci:deployer" cannot create resource "deployments" in API group "apps" in the namespace "prod"'],
  ['invalid-values', 'Error: YAML parse error on web/templates/deployment.yaml: error converting YAML to JSON: yaml: line 20: could not find expected \':\''],
  ['readiness-timeout', 'Error: UPGRADE FAILED: context deadline exceeded'],
  ['other', 'Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:1/version": dial tcp: connection refused'],
];

describe('classifyFailure', () => {
  for (const [expected, stderr] of SAMPLES) {
    it(`${expected}: ${stderr.slice(7, 70)}…`, () => {
      assert.equal(classifyFailure(helmError(stderr)).class, expected);
    });
  }

  it('names the objects involved', () => {
    assert.deepEqual(classifyFailure(helmError(SAMPLES[1]![1])).objects, [{ kind: 'Deployment', name: 'cred-credentials' }]);
    assert.deepEqual(classifyFailure(helmError(SAMPLES[3]![1])).objects, [{ kind: 'ConfigMap', name: 'own-web', namespace: 'cls3' }]);
    assert.deepEqual(classifyFailure(helmError(SAMPLES[4]![1])).objects, [{ kind: 'Secret', name: 'cred-credentials', namespace: 'mig' }]);
    assert.deepEqual(classifyFailure(helmError(SAMPLES[5]![1])).objects, [{ kind: 'Widget', name: '', apiVersion: 'fixtures.helmcycle.dev/v1' }]);
    assert.deepEqual(classifyFailure(helmError(SAMPLES[7]![1])).objects, [{ kind: 'Job', name: 'hk-migrate', namespace: 'cls4' }]);
  });

  it('puts failed checks in readiness-timeout, with what failed', () => {
    const report = classifyFailure(new ValidationError('web', [{ name: 'Deployment/web', message: 'not ready before the timeout: 0/1 ready' }]));
    assert.equal(report.class, 'readiness-timeout');
    assert.match(report.summary, /Deployment\/web: not ready before the timeout/);
    assert.equal(report.helmRolledBack, undefined, 'a failed check leaves the bad revision deployed');
  });

  it('notes when helm already rolled the upgrade back (atomic), so a rollback remedy does not roll back again', () => {
    const helm3 = classifyFailure(helmError('Error: UPGRADE FAILED: release web failed, and has been rolled back due to atomic being set: context deadline exceeded'));
    const helm4 = classifyFailure(helmError('Error: UPGRADE FAILED: release web failed, and has been rolled back due to rollback-on-failure being set: context deadline exceeded'));
    assert.deepEqual([helm3.class, helm3.helmRolledBack], ['readiness-timeout', true]);
    assert.deepEqual([helm4.class, helm4.helmRolledBack], ['readiness-timeout', true]);
    assert.equal(classifyFailure(helmError(SAMPLES[13]![1])).helmRolledBack, undefined);
  });
});

// Helm 4's hook wait (kstatus) on a hook Job that completed and was deleted (its hook-succeeded delete
// policy, or a TTL) before its watcher read it: the words of statuswait.go, after install's "failed pre-install".
const HELM4_RACE = 'Error: INSTALLATION FAILED: failed pre-install: resource Job/ingress/ingress-nginx-admission-create not ready. status: NotFound, message: Resource not found\ncontext deadline exceeded';

describe('helm-wait-race: a failure of helm\'s wait, not the chart', () => {
  it('recognises Helm 4\'s hook wait that found its hook Job gone, naming the Job', () => {
    const report = classifyFailure(helmError(HELM4_RACE));
    assert.equal(report.class, 'helm-wait-race');
    assert.deepEqual(report.objects, [{ kind: 'Job', name: 'ingress-nginx-admission-create', namespace: 'ingress' }]);
    assert.match(report.summary, /Job\/ingress-nginx-admission-create not found by helm's wait$/);
    // The shape as the issue quoted it (no message, no deadline), and on an upgrade's hook.
    assert.equal(classifyFailure(helmError('Error: failed pre-install: resource Job/apps/web-admission-create not ready. status: NotFound')).class, 'helm-wait-race');
    assert.equal(classifyFailure(helmError('Error: UPGRADE FAILED: failed pre-upgrade: resource Job/apps/web-migrate not ready. status: NotFound, message: Resource not found\ncontext deadline exceeded')).class, 'helm-wait-race');
  });

  it('leaves Helm 3\'s "timed out waiting for the condition", a hook that failed, and a mix with one, to the chart', () => {
    assert.equal(classifyFailure(helmError('Error: INSTALLATION FAILED: failed pre-install: timed out waiting for the condition')).class, 'hook-failure');
    assert.equal(classifyFailure(helmError('Error: failed pre-install: resource Job/cls4/hk-migrate not ready. status: Failed, message: Job Failed. failed: 1/1')).class, 'hook-failure');
    const mixed = 'Error: failed pre-install: resource Job/apps/a not ready. status: NotFound, message: Resource not found\nresource Job/apps/b not ready. status: InProgress, message: Job in progress\ncontext deadline exceeded';
    assert.equal(classifyFailure(helmError(mixed)).class, 'hook-failure');
    // Outside a hook, a NotFound in the release's own wait is not this class.
    assert.equal(classifyFailure(helmError('Error: INSTALLATION FAILED: resource GrafanaDashboard/mon/x not ready. status: NotFound, message: Resource not found\ncontext deadline exceeded')).class, 'readiness-timeout');
  });

  it('is retried by default, on a budget of its own (2) apart from remedies.maxAttempts, and not at all with maxAttempts 0', () => {
    const spec = (input: Record<string, unknown> = {}) => parseChartSpec({ name: 'web', chart: './web', ...input });
    assert.equal(defaultRemedy('helm-wait-race', spec()), 'retry');
    const race = { failureClass: 'helm-wait-race' as const };
    const other = { failureClass: 'immutable-field' as const };
    assert.equal(attemptsLeft('helm-wait-race', [], spec()), 2);
    assert.equal(attemptsLeft('helm-wait-race', [race, other], spec()), 1);
    assert.equal(attemptsLeft('helm-wait-race', [race, race], spec()), 0);
    assert.equal(attemptsLeft('immutable-field', [race, race], spec()), 1, 'the races took none of the chart\'s attempts');
    assert.equal(attemptsLeft('immutable-field', [race, other], spec()), 0);
    assert.equal(attemptsLeft('helm-wait-race', [], spec({ remedies: { maxAttempts: 0 } })), 0);
  });
});

describe('remedies', () => {
  const spec = (input: Record<string, unknown> = {}) => parseChartSpec({ name: 'web', chart: './web', ...input });

  it('has a default for every class, adoption and CRDs only where the chart provides for them', () => {
    for (const failureClass of FAILURE_CLASSES) assert.ok(defaultRemedy(failureClass, spec()));
    assert.equal(defaultRemedy('ownership-conflict', spec()), 'none');
    assert.equal(defaultRemedy('ownership-conflict', spec({ remedies: { allowAdoption: true } })), 'adopt-retry');
    assert.equal(defaultRemedy('missing-crd', spec()), 'none');
    assert.equal(defaultRemedy('missing-crd', spec({ crds: { path: './crds' } })), 'apply-crds-retry');
    assert.equal(defaultRemedy('quota-denied', spec()), 'none');
  });

  it('follows the chart policy, but never adopts without allowAdoption', () => {
    const report = { class: 'ownership-conflict' as const, summary: '', objects: [] };
    assert.deepEqual(chooseRemedy(report, spec({ remedies: { policy: { 'ownership-conflict': 'adopt-retry' } } })), { remedy: 'none', reason: 'adopting needs remedies.allowAdoption: true for this chart' });
    assert.equal(chooseRemedy({ ...report, class: 'readiness-timeout' }, spec({ remedies: { policy: { 'readiness-timeout': 'uninstall' } } })).remedy, 'uninstall');
    assert.deepEqual([retriesAfter('unlock-retry'), retriesAfter('rollback'), retriesAfter('retry')], [true, false, true]);
  });

  it('rejects an unknown class or remedy in the spec', () => {
    assert.throws(() => spec({ remedies: { policy: { 'bad-luck': 'retry' } } }), /remedies\.policy/);
    assert.throws(() => spec({ remedies: { policy: { 'quota-denied': 'pray' } } }), /remedies\.policy\.quota-denied/);
  });
});

describe('preflightChart', () => {
  const rendered = [
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-web\ndata:\n  message: hi',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-web\nspec:\n  selector:\n    matchLabels:\n      app: new',
  ].join('\n---\n');

  /** A cluster where the caller may not read ConfigMaps, and the Deployment's selector may not change. */
  class GuardedKube extends FakeKube {
    override async getObject(ref: ObjectRef) {
      if (ref.kind === 'ConfigMap') throw new KubeRequestError(`reading ConfigMap ${ref.namespace}/${ref.name} failed: configmaps "${ref.name}" is forbidden: User "system:serviceaccount:apps:deployer" cannot get resource "configmaps" in API group "" in the namespace "apps"`, 403);
      return super.getObject(ref);
    }
    override async applyObject(object: KubeObject, options?: ApplyOptions) {
      if (object.kind === 'Deployment') throw new KubeRequestError(`Deployment.apps "${object.metadata.name}" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"new"}}: field is immutable`, 422);
      return super.applyObject(object, options);
    }
  }

  it('predicts what a caller may not read, and what a dry run rejects, without writing anything', async () => {
    const kube = new GuardedKube();
    const spec = parseChartSpec({ name: 'web', chart: './web', namespace: 'apps' });
    const result = await preflightChart(kube, { spec, rendered, release: undefined, reinstall: false, namespaceExists: true });
    assert.deepEqual(result.predictions.map((p) => [p.class, p.remedy]), [['rbac-denied', 'none'], ['immutable-field', 'recreate-retry']]);
    assert.match(result.predictions[0]!.detail, /^ConfigMap\/apps\/web-web: .*User "system:serviceaccount:apps:deployer" cannot get resource "configmaps"/);
    assert.equal(kube.objects.size, 0, 'nothing was written');
  });

  it('passes on a failed read that is not a denial', async () => {
    const kube = new FakeKube();
    kube.getObject = async () => { throw new KubeRequestError('reading ConfigMap apps/web-web failed: etcdserver: request timed out', 500); };
    const spec = parseChartSpec({ name: 'web', chart: './web', namespace: 'apps' });
    await assert.rejects(preflightChart(kube, { spec, rendered, release: undefined, reinstall: false, namespaceExists: true }), /request timed out/);
  });
});

describe('a race between two installs', () => {
  it('is classified concurrent-install, and retried by default', async () => {
    const { classifyFailure } = await import('../../src/failures/classify.js');
    const { defaultRemedy } = await import('../../src/failures/remedies.js');
    for (const stderr of ['Error: create: failed to create: release: already exists', 'Error: INSTALLATION FAILED: cannot re-use a name that is still in use']) {
      const report = classifyFailure(new Error(stderr), undefined);
      assert.equal(report.class, 'concurrent-install', stderr);
    }
    assert.equal(defaultRemedy('concurrent-install', parseChartSpec({ name: 'web', chart: './web' })), 'retry');
  });
});
