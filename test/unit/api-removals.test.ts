// The removed-API check (src/upgrade/): the table, the check at a version, the stored-record rewrite
// (the remedy of removed-api-in-release) against a fake cluster, helm's message classified, the plan's
// part and the exit gate, and kubeVersion in a stack.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { KubeRequestError, StackConfigError } from '../../src/errors.js';
import { classifyFailure } from '../../src/failures/classify.js';
import { defaultRemedy, retriesAfter } from '../../src/failures/remedies.js';
import { decodeReleaseRecord } from '../../src/helm/release-storage.js';
import type { KubeObject } from '../../src/kube/types.js';
import { formatPlan } from '../../src/cli/format.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { failOnExitCode } from '../../src/cli/plan-exit.js';
import { parseChartSpec } from '../../src/config/parse.js';
import { resolveStack } from '../../src/stack/load.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import { mayNameRemovedApi, REMOVED_APIS, removedApiOf } from '../../src/upgrade/api-removals.js';
import { describeApiFinding, failsOn, findApiProblems } from '../../src/upgrade/api-check.js';
import { currentRevisionOf } from '../../src/upgrade/current-revision.js';
import { kubeMinor } from '../../src/upgrade/kube-version.js';
import { rewriteManifestApis } from '../../src/upgrade/manifest-rewrite.js';
import { apiCheckOf, dryRunOrTemplate, planApis } from '../../src/upgrade/plan-apis.js';
import { backupSecretOf, recordWithManifest } from '../../src/upgrade/release-record.js';
import { rewriteReleaseApis } from '../../src/upgrade/rewrite-release-apis.js';
import { FakeHelm, FakeKube, releaseInfo } from './fakes.js';

const PDB_V1BETA1 = `---
# Source: web/templates/pdb.yaml
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 1
`;
const CONFIGMAP = `---
# Source: web/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
data:
  note: "apiVersion: policy/v1beta1"
`;
const PSP = `---
# Source: web/templates/psp.yaml
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: web
spec: {}
`;
const HPA_V2BETA2 = `---
# Source: web/templates/hpa.yaml
apiVersion: "autoscaling/v2beta2"
kind: HorizontalPodAutoscaler
metadata:
  name: web
`;
const check = { chart: 'web', namespace: 'apps', source: 'rendered' as const };

describe('the removed-API table', () => {
  it('holds one entry per apiVersion and kind, each removal after its deprecation, never its own replacement', () => {
    const keys = REMOVED_APIS.map((a) => `${a.apiVersion}/${a.kind}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const api of REMOVED_APIS) {
      if (api.deprecatedIn && api.removedIn) assert.ok(kubeMinor(api.deprecatedIn)! <= kubeMinor(api.removedIn)!, `${api.apiVersion} ${api.kind}`);
      assert.notEqual(api.replacement, api.apiVersion);
    }
    assert.deepEqual(removedApiOf('policy/v1beta1', 'PodDisruptionBudget'), { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', deprecatedIn: '1.21', removedIn: '1.25', replacement: 'policy/v1' });
    assert.equal(removedApiOf('policy/v1beta1', 'PodSecurityPolicy')!.replacement, undefined);
    assert.equal(removedApiOf('apps/v1', 'Deployment'), undefined);
  });

  it('tells a manifest that may name a removed API from one that cannot, without parsing it', () => {
    assert.equal(mayNameRemovedApi(PDB_V1BETA1), true);
    assert.equal(mayNameRemovedApi(HPA_V2BETA2), true, 'quoted');
    assert.equal(mayNameRemovedApi(CONFIGMAP), false, 'a value that reads like one is not an apiVersion line');
    assert.equal(mayNameRemovedApi('apiVersion: apps/v1\nkind: Deployment\n'), false);
  });

  it('reads Kubernetes versions as their minor', () => {
    assert.deepEqual(['1.25', 'v1.25.3', 'v1.34.4+k3s1', '1.30.0-eks-1'].map(kubeMinor), [25, 25, 34, 30]);
    assert.deepEqual(['2.1', '1', 'latest', '1.x', ''].map(kubeMinor), [undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('findApiProblems', () => {
  it('says removed at or after the removal, deprecated between deprecation and removal, nothing before', () => {
    const at = (kubeVersion: string) => findApiProblems(PDB_V1BETA1 + CONFIGMAP, { ...check, kubeVersion }).map((f) => f.level);
    assert.deepEqual(at('1.20'), []);
    assert.deepEqual(at('1.21'), ['deprecated']);
    assert.deepEqual(at('v1.24.9'), ['deprecated']);
    assert.deepEqual(at('1.25'), ['removed']);
    assert.deepEqual(at('1.34'), ['removed']);
  });

  it('names the chart, the object with its namespace, the API, when, and the replacement', () => {
    const [finding] = findApiProblems(PDB_V1BETA1, { ...check, source: 'release', revision: 3, kubeVersion: 'v1.25.2' });
    assert.deepEqual(finding, {
      chart: 'web', source: 'release', revision: 3, object: 'PodDisruptionBudget/apps/web', apiVersion: 'policy/v1beta1', level: 'removed',
      deprecatedIn: '1.21', removedIn: '1.25', replacement: 'policy/v1', kubeVersion: '1.25',
    });
    assert.equal(describeApiFinding(finding!), 'removed API policy/v1beta1 PodDisruptionBudget/apps/web in the stored manifest of revision 3 (removed in 1.25; use policy/v1) at Kubernetes 1.25');
    const [psp] = findApiProblems(PSP, { ...check, kubeVersion: '1.25' });
    assert.equal(psp!.object, 'PodSecurityPolicy/web', 'a cluster-scoped kind has no namespace');
    assert.match(describeApiFinding(psp!), /no replacement: the kind is gone/);
  });

  it('--fail-on removed gates on removed only; deprecated on both', () => {
    assert.equal(failsOn([{ level: 'deprecated' }], 'removed'), false);
    assert.equal(failsOn([{ level: 'deprecated' }], 'deprecated'), true);
    assert.equal(failsOn([{ level: 'removed' }], 'removed'), true);
    assert.equal(failsOn([{ level: 'removed' }], undefined), false);
    const plans = [{ apiFindings: findApiProblems(PDB_V1BETA1, { ...check, kubeVersion: '1.25' }) }];
    assert.equal(failOnExitCode(plans, 'removed', EXIT.planChanges), EXIT.apiFindings);
    assert.equal(failOnExitCode([{}], 'removed', EXIT.planChanges), EXIT.planChanges);
    assert.equal(EXIT.apiFindings, 6);
    assert.deepEqual(Object.entries(EXIT).filter(([, code]) => code === EXIT.apiFindings), [['apiFindings', 6]], 'a code of its own');
  });
});

describe('rewriteManifestApis', () => {
  it('replaces only the top-level apiVersion line of mapped objects, keeping every other byte', () => {
    const manifest = PDB_V1BETA1 + CONFIGMAP + HPA_V2BETA2;
    const { manifest: out, changes } = rewriteManifestApis(manifest, [
      { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', replacement: 'policy/v1' },
      { apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler', replacement: 'autoscaling/v2' },
    ]);
    assert.equal(out, PDB_V1BETA1.replace('apiVersion: policy/v1beta1', 'apiVersion: policy/v1') + CONFIGMAP + HPA_V2BETA2.replace('apiVersion: "autoscaling/v2beta2"', 'apiVersion: autoscaling/v2'));
    assert.deepEqual(changes, ['PodDisruptionBudget/web policy/v1beta1 -> policy/v1', 'HorizontalPodAutoscaler/web autoscaling/v2beta2 -> autoscaling/v2']);
  });

  it('drops an object whose kind has no replacement', () => {
    const { manifest, changes } = rewriteManifestApis(CONFIGMAP + PSP, [{ apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicy', replacement: undefined }]);
    assert.equal(manifest, CONFIGMAP);
    assert.deepEqual(changes, ['PodSecurityPolicy/web policy/v1beta1 -> removed (no replacement)']);
  });
});

describe("helm's current release", () => {
  it('is the latest when deployed, else the latest deployed, else the latest', () => {
    const r = (revision: number, status: string) => ({ revision, status });
    assert.equal(currentRevisionOf([r(1, 'superseded'), r(2, 'deployed')])!.revision, 2);
    assert.equal(currentRevisionOf([r(2, 'deployed'), r(3, 'failed'), r(1, 'superseded')])!.revision, 2);
    assert.equal(currentRevisionOf([r(1, 'failed'), r(2, 'failed')])!.revision, 2);
    assert.equal(currentRevisionOf([]), undefined);
  });
});

/** A release record as helm's secret or configmap driver writes it. */
function helmRecord(revision: number, status: string, manifest: string, driver: 'secret' | 'configmap' = 'secret'): KubeObject {
  const release = { name: 'web', namespace: 'apps', version: revision, config: { password: 's3cr3t' }, manifest, info: { status, description: 'Install complete' }, chart: { metadata: { name: 'web', version: '1.0.0' } } };
  const field = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
  return {
    apiVersion: 'v1',
    kind: driver === 'secret' ? 'Secret' : 'ConfigMap',
    metadata: { name: `sh.helm.release.v1.web.v${revision}`, namespace: 'apps', resourceVersion: `${100 + revision}`, labels: { owner: 'helm', name: 'web', status, version: String(revision) } },
    ...(driver === 'secret' ? { type: 'helm.sh/release.v1', data: { release: Buffer.from(field).toString('base64') } } : { data: { release: field } }),
  };
}

describe('the release record and its backup', () => {
  for (const driver of ['secret', 'configmap'] as const) {
    it(`${driver}: written back with the new manifest and nothing else changed; the backup holds the field as stored`, () => {
      const original = helmRecord(2, 'deployed', PDB_V1BETA1, driver);
      const rewritten = recordWithManifest(original, driver, CONFIGMAP);
      const before = decodeReleaseRecord(original, driver);
      const after = decodeReleaseRecord(rewritten, driver);
      assert.equal(after.manifest, CONFIGMAP);
      assert.deepEqual({ ...after, manifest: '' }, { ...before, manifest: '' });
      assert.deepEqual(rewritten.metadata, original.metadata, 'replaced at the version read, labels as helm set them');
      const backup = backupSecretOf(original, driver);
      assert.equal(backup.kind, 'Secret');
      assert.equal(backup.metadata.labels?.owner, undefined, 'helm never lists it as a record');
      const stored = (original.data as { release: string }).release;
      assert.equal((backup.data as { release: string }).release, driver === 'secret' ? stored : Buffer.from(stored).toString('base64'));
    });
  }
});

describe('the rewrite-release-apis-retry remedy', () => {
  const ctx = (kube: FakeKube) => ({ spec: { name: 'web', namespace: 'apps' }, helm: new FakeHelm(), kube, log: () => {} });
  const cluster = (...records: KubeObject[]) => {
    const kube = new FakeKube();
    kube.servedKinds.add('policy/v1/PodDisruptionBudget');
    for (const r of records) kube.objects.set(FakeKube.key({ ...r, name: r.metadata.name, namespace: r.metadata.namespace }), r);
    return kube;
  };

  it("rewrites the current revision's manifest, keeps the original in a backup Secret, and leaves other revisions", async () => {
    const older = helmRecord(1, 'superseded', PDB_V1BETA1);
    const kube = cluster(older, helmRecord(2, 'deployed', CONFIGMAP + PDB_V1BETA1), helmRecord(3, 'failed', CONFIGMAP));
    const message = await rewriteReleaseApis(ctx(kube), 'secret');
    assert.match(message, /revision 2: PodDisruptionBudget\/web policy\/v1beta1 -> policy\/v1; the original is kept in Secret apps\/helmcycle-backup\.sh\.helm\.release\.v1\.web\.v2/);
    assert.doesNotMatch(message, /s3cr3t/);
    assert.deepEqual(kube.calls, ['create:Secret/helmcycle-backup.sh.helm.release.v1.web.v2', 'replace:Secret/sh.helm.release.v1.web.v2']);
    const record = kube.objects.get('Secret/apps/sh.helm.release.v1.web.v2')!;
    assert.equal(decodeReleaseRecord(record, 'secret').manifest, CONFIGMAP + PDB_V1BETA1.replace('policy/v1beta1', 'policy/v1'));
    const backup = kube.objects.get('Secret/apps/helmcycle-backup.sh.helm.release.v1.web.v2')!;
    assert.equal(decodeReleaseRecord({ ...backup, type: 'helm.sh/release.v1' }, 'secret').manifest, CONFIGMAP + PDB_V1BETA1);
    assert.deepEqual(kube.objects.get('Secret/apps/sh.helm.release.v1.web.v1'), older);
  });

  it('keeps an earlier backup of the same revision rather than overwriting it', async () => {
    const kube = cluster(helmRecord(2, 'deployed', PDB_V1BETA1));
    kube.createObject = async (object) => {
      kube.calls.push(`create:${object.metadata.name}`);
      throw new KubeRequestError('already exists', 409);
    };
    await rewriteReleaseApis(ctx(kube), 'secret');
    assert.ok(kube.calls.includes('replace:Secret/sh.helm.release.v1.web.v2'));
  });

  it('changes nothing when the replacement is not served, when nothing is unserved, or under a driver it cannot write', async () => {
    const kube = cluster(helmRecord(2, 'deployed', PDB_V1BETA1));
    kube.servedKinds.delete('policy/v1/PodDisruptionBudget');
    await assert.rejects(rewriteReleaseApis(ctx(kube), 'secret'), /policy\/v1, which this cluster does not serve either/);
    const served = cluster(helmRecord(2, 'deployed', CONFIGMAP));
    await assert.rejects(rewriteReleaseApis(ctx(served), 'secret'), /holds no API that the cluster stopped serving/);
    await assert.rejects(rewriteReleaseApis(ctx(cluster(helmRecord(2, 'deployed', PDB_V1BETA1))), 'sql'), /HELM_DRIVER=sql/);
    assert.deepEqual([...kube.calls, ...served.calls], []);
  });
});

const HELM_MESSAGE = 'Error: UPGRADE FAILED: unable to build kubernetes objects from current release manifest: resource mapping not found for name: "web" namespace: "apps" from "": no matches for kind "PodDisruptionBudget" in version "policy/v1beta1"\nensure CRDs are installed first';

describe('removed-api-in-release', () => {
  it("is helm's failure to build the current release manifest, with the objects it names; a new manifest's is still missing-crd", () => {
    const report = classifyFailure(new Error(HELM_MESSAGE));
    assert.equal(report.class, 'removed-api-in-release');
    assert.deepEqual(report.objects, [{ kind: 'PodDisruptionBudget', name: 'web', namespace: 'apps', apiVersion: 'policy/v1beta1' }]);
    assert.equal(classifyFailure(new Error('current release manifest contains removed kubernetes api(s) for this kubernetes version and it is therefore unable to build the kubernetes objects for performing the diff.')).class, 'removed-api-in-release');
    assert.equal(classifyFailure(new Error(HELM_MESSAGE.replace('current release manifest', 'new release manifest'))).class, 'missing-crd');
  });

  it('is remedied by rewriting the record, then exec again', () => {
    const spec = parseChartSpec({ name: 'web', chart: './web' });
    assert.equal(defaultRemedy('removed-api-in-release', spec), 'rewrite-release-apis-retry');
    assert.equal(retriesAfter('rewrite-release-apis-retry'), true);
  });
});

describe("plan's API part", () => {
  const spec = parseChartSpec({ name: 'web', chart: './web', namespace: 'apps' });
  const input = (helm: FakeHelm, kube: FakeKube, over: Partial<Parameters<typeof planApis>[0]> = {}) =>
    ({ spec, helm, kube, found: helm.current, rendered: HPA_V2BETA2, upgrades: true, settings: undefined, options: {}, ...over });
  const installed = () => {
    const helm = new FakeHelm();
    helm.current = releaseInfo({ revision: 2 });
    helm.historyRows = [{ revision: 1, status: 'superseded', chart: 'web-1.0.0', appVersion: undefined, description: undefined, updated: undefined }, { revision: 2, status: 'deployed', chart: 'web-1.0.0', appVersion: undefined, description: undefined, updated: undefined }];
    helm.manifest = CONFIGMAP + PDB_V1BETA1;
    return helm;
  };

  it("checks the rendered and the stored manifest at the server's version, removed only, and predicts the rewrite", async () => {
    const plan = await planApis(input(installed(), new FakeKube()));
    // v1.34.4 (the fake server): autoscaling/v2beta2 removed in 1.26, policy/v1beta1 in 1.25.
    assert.deepEqual(plan.apiFindings.map((f) => [f.source, f.object, f.level, f.kubeVersion]), [['rendered', 'HorizontalPodAutoscaler/apps/web', 'removed', '1.34'], ['release', 'PodDisruptionBudget/apps/web', 'removed', '1.34']]);
    assert.deepEqual(plan.predictions.map((p) => [p.class, p.detail, p.remedy]), [['removed-api-in-release', 'rewrite stored manifest of revision 2: PodDisruptionBudget/web policy/v1beta1 -> policy/v1', 'rewrite-release-apis-retry']]);
  });

  it('at an asked version also reports deprecations; predicts nothing apply would not meet', async () => {
    const plan = await planApis(input(installed(), new FakeKube(), { settings: { kubeVersion: '1.23' }, upgrades: false }));
    assert.deepEqual(plan.apiFindings.map((f) => [f.source, f.level, f.kubeVersion]), [['rendered', 'deprecated', '1.23'], ['release', 'deprecated', '1.23']]);
    assert.deepEqual(plan.predictions, []);
    const served = new FakeKube();
    served.servedKinds.add('policy/v1beta1/PodDisruptionBudget');
    assert.deepEqual((await planApis(input(installed(), served))).predictions, [], 'the cluster still serves it: the upgrade passes');
  });

  it('takes --kube-version over the target over the stack', () => {
    assert.deepEqual(apiCheckOf({ kubeVersion: '1.30', failOn: 'removed' }, { kubeVersion: '1.29' }, { kubeVersion: '1.28' }), { kubeVersion: '1.30', failOn: 'removed' });
    assert.deepEqual(apiCheckOf({}, undefined, { kubeVersion: '1.28' }), { kubeVersion: '1.28' });
    assert.deepEqual(apiCheckOf({}, { kubeVersion: '1.29' }, { kubeVersion: '1.28' }), { kubeVersion: '1.29' });
    assert.deepEqual(apiCheckOf({}), {});
  });

  it("renders locally when the upgrade's dry run fails on the stored manifest, and only then", async () => {
    assert.equal(await dryRunOrTemplate(() => Promise.reject(new Error(HELM_MESSAGE)), async () => 'templated'), 'templated');
    await assert.rejects(dryRunOrTemplate(() => Promise.reject(new Error('template: web/templates/x.yaml: bad')), async () => 'templated'), /bad/);
    const unserved = () => Promise.reject(new Error('UPGRADE FAILED: resource mapping not found for name: "x" namespace: "" from "": no matches for kind "Gizmo" in version "ops.example.com/v1"'));
    await assert.rejects(dryRunOrTemplate(unserved, async () => 'templated'), /no matches for kind/);
    assert.equal(await dryRunOrTemplate(unserved, async () => 'templated', true), 'templated', 'with crds.upgrade, a kind the new CRDs bring is rendered locally');
  });

  it('shows each finding in the text plan', () => {
    const [finding] = findApiProblems(PDB_V1BETA1, { ...check, kubeVersion: '1.25' });
    const plan = { chart: 'web', namespace: 'apps', action: 'install', reason: 'not installed', installed: undefined, targetVersion: '1.0.0', recovery: undefined, changes: [], predictions: [], providedCrds: [], unservedKinds: [], apiFindings: [finding!] } satisfies ChartPlan;
    const text = formatPlan([plan]);
    assert.match(text, /^ {4}! removed API policy\/v1beta1 PodDisruptionBudget\/apps\/web rendered by the chart \(removed in 1\.25; use policy\/v1\) at Kubernetes 1\.25$/m);
    assert.match(text, /; 1 removed or deprecated API\(s\)$/);
  });
});

describe('kubeVersion in a stack', () => {
  const charts = [{ name: 'web', chart: './web' }];
  it('is kept for the stack and a target', () => {
    const stack = resolveStack({ kubeVersion: '1.30', targets: [{ name: 'east', kubeVersion: 'v1.31.2' }], charts }, { file: '/s/helmcycle.yaml' });
    assert.equal(stack.kubeVersion, '1.30');
    assert.equal(stack.fleet!.targets[0]!.kubeVersion, 'v1.31.2');
  });
  it('is refused, naming the file and field, when it is not a Kubernetes version', () => {
    for (const [definition, field] of [[{ kubeVersion: '1.x', charts }, 'kubeVersion'], [{ targets: [{ name: 'east', kubeVersion: 'latest' }], charts }, 'targets[0].kubeVersion']] as const) {
      const error = (() => {
        try {
          resolveStack(definition as never, { file: '/s/helmcycle.yaml' });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(error instanceof StackConfigError, String(error));
      assert.equal(error.file, '/s/helmcycle.yaml');
      assert.deepEqual(error.issues.map((i) => i.field), [field]);
      assert.match(error.issues[0]!.message, /a Kubernetes version such as 1\.30/);
    }
  });
});
