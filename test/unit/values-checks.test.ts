// Issue 27 section 3: values a chart no longer reads. Fixtures (test/fixtures/values-charts/) are shaped
// like real community charts: cert-controller like cert-manager (a schema with additionalProperties:
// false, $defs and $ref), metrics-agent like metrics-server (values.yaml only), monitoring-bundle like
// kube-prometheus-stack (aliased subcharts, one a folder with its own schema, one packaged; conditions;
// global), bare-config like an in-house chart with neither file, reading keys with index and toYaml.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { formatPlan, formatPlanJson } from '../../src/cli/format.js';
import { detailedPlanExitCode } from '../../src/cli/plan-exit.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { parseChartSpec } from '../../src/config/parse.js';
import { classifyFailure } from '../../src/failures/classify.js';
import { refusalFailure } from '../../src/failures/refusals.js';
import type { TemplateRequest } from '../../src/helm/types.js';
import type { KubeObject } from '../../src/kube/types.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import { strictPrediction } from '../../src/stack/plan-values.js';
import { checkValues } from '../../src/stack/values-check.js';
import { readChartModel } from '../../src/values/chart-model.js';
import { UnusedValuesError } from '../../src/values/errors.js';
import { judgePath, leafPaths } from '../../src/values/known-keys.js';
import { unusedByRender } from '../../src/values/render-check.js';
import { mergedUserValues, valuesWithout } from '../../src/values/user-values.js';
import { computeReleaseDigest, DIGEST_LABEL } from '../../src/lifecycle/digest.js';
import { planChart } from '../../src/stack/plan.js';
import { FakeHelm, FakeKube, releaseInfo } from './fakes.js';

const CHARTS = 'test/fixtures/values-charts';
const model = (name: string) => readChartModel(resolve(CHARTS, name));
const judge = async (name: string, ...paths: string[]) => {
  const m = await model(name);
  return Object.fromEntries(paths.map((p) => [p, judgePath(m, p.split('.'))]));
};

describe('known keys, from the chart files', () => {
  it('a schema with additionalProperties: false (cert-manager shape) knows its keys through $ref and forbids others', async () => {
    assert.deepEqual(await judge('cert-controller', 'replicaCount', 'image.tag', 'webhook.timeoutSeconds', 'global.leaderElection.namespace', 'podLabels.team', 'resources.limits.cpu', 'replicas', 'image.tga', 'webhook.timeout', 'global.leaderElection.name'), {
      replicaCount: 'known',
      'image.tag': 'known',
      'webhook.timeoutSeconds': 'known',
      'global.leaderElection.namespace': 'known',
      'podLabels.team': 'known',
      'resources.limits.cpu': 'known',
      replicas: 'not-allowed',
      'image.tga': 'not-allowed',
      'webhook.timeout': 'not-allowed',
      'global.leaderElection.name': 'not-allowed',
    });
  });

  it('values.yaml alone (metrics-server shape): keys present and free-form blocks are known, the rest suspect', async () => {
    assert.deepEqual(await judge('metrics-agent', 'image.tag', 'podLabels.team', 'affinity.nodeAffinity.required', 'resources.limits.cpu', 'service.labels.a', 'image.tga', 'resource.limits.cpu', 'metrics.port'), {
      'image.tag': 'known',
      'podLabels.team': 'known',
      'affinity.nodeAffinity.required': 'known',
      // resources has defaults (requests), so limits is not in them: only a render can tell.
      'resources.limits.cpu': 'suspect',
      'service.labels.a': 'known',
      'image.tga': 'suspect',
      'resource.limits.cpu': 'suspect',
      'metrics.port': 'suspect',
    });
  });

  it('subcharts under their alias (a folder with a schema, a .tgz), their conditions, and global (kube-prometheus-stack shape)', async () => {
    const m = await model('monitoring-bundle');
    assert.deepEqual(m.subcharts.map((s) => [s.key, s.model.name, s.switches]), [['kube-state-metrics', 'state-metrics', ['kubeStateMetrics.enabled']], ['grafana', 'grafana-lite', ['grafana.enabled']]]);
    assert.deepEqual(await judge('monitoring-bundle', 'grafana.adminUser', 'grafana.persistence.storageClassName', 'grafana.persistence.storageClass', 'kube-state-metrics.replicas', 'kube-state-metrics.replicsa', 'kubeStateMetrics.enabled', 'global.imageRegistry', 'global.imagePullSecrets', 'global.rbac.create', 'global.imageRegistyr', 'prometheus.prometheusSpec.retention', 'prometheus.prometheusSpec.foo'), {
      'grafana.adminUser': 'known',
      'grafana.persistence.storageClassName': 'known',
      'grafana.persistence.storageClass': 'not-allowed',
      'kube-state-metrics.replicas': 'known',
      'kube-state-metrics.replicsa': 'suspect',
      'kubeStateMetrics.enabled': 'known',
      'global.imageRegistry': 'known',
      'global.imagePullSecrets': 'known',
      'global.rbac.create': 'known',
      'global.imageRegistyr': 'suspect',
      'prometheus.prometheusSpec.retention': 'known',
      'prometheus.prometheusSpec.foo': 'suspect',
    });
  });

  it('a chart with neither file says nothing about any key', async () => {
    assert.deepEqual(await judge('bare-config', 'extra-config', 'podLabels.team'), { 'extra-config': 'suspect', 'podLabels.team': 'suspect' });
  });
});

/**
 * What `helm template` of bare-config prints for the values of a request: its one template, read with
 * `index .Values "extra-config"` and `toYaml .Values.podLabels`, emulated over the values helm is given.
 */
function renderBareConfig(request: TemplateRequest): string {
  const values = mergedUserValues(request.values);
  return `kind: ConfigMap\nlabels: ${JSON.stringify(values.podLabels ?? null)}\nconfig.yaml: ${JSON.stringify(values['extra-config'] ?? null)}\n`;
}

describe('unused values, by rendering', () => {
  it('batches the suspects: one render without all of them when none is read', async () => {
    const renders: string[][][] = [];
    const result = await unusedByRender([['a'], ['b'], ['c']], async (without) => {
      renders.push(without.map((p) => [...p]));
      return 'same';
    });
    assert.deepEqual(result, { unused: [['a'], ['b'], ['c']], undecided: [], renders: 2 });
  });

  it('stops at the render budget, leaving the rest undecided (never reported unused)', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => [`k${i}`]);
    // Every key is read: the bisection would take about 2 renders per key without the budget.
    const result = await unusedByRender(keys, async (without) => (without.length ? `changed ${without.length}` : 'full'), 10);
    assert.equal(result.renders, 10);
    assert.deepEqual(result.unused, []);
    assert.ok(result.undecided.length > 0 && result.undecided.length < 40, `${result.undecided.length} undecided`);
  });

  it('bisects down to the keys that change nothing; a render that fails without a key counts as reading it', async () => {
    const read = new Set(['b', 'e']);
    const result = await unusedByRender(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [k]), async (without) => {
      if (without.some((p) => p[0] === 'e')) throw new Error('execution error: e is required');
      return without.some((p) => read.has(p[0]!)) ? 'changed' : 'full';
    });
    assert.deepEqual(result.unused, [['a'], ['c'], ['d'], ['f']]);
  });

  it('takes keys out of every source: values objects, --set, --set-json (inside its value) and secret values', () => {
    const values = {
      values: [{ a: { b: 1, c: 2 } }], valuesFiles: [], yamlFilesContent: [], setSensitive: { 'x.y': 'hunter22' }, secretValues: [{ x: { z: 1 } }],
      setJson: { a: { c: 3, d: 4 } }, set: { 'a.b': 5, 'q[0].r': 'keep' }, setString: {},
    };
    const without = valuesWithout(values, [['a', 'c'], ['x', 'y'], ['a', 'b']]);
    assert.deepEqual(JSON.parse(JSON.stringify(mergedUserValues(without))), { a: { d: 4 }, x: { z: 1 }, q: [{ r: 'keep' }] });
    assert.deepEqual(leafPaths(mergedUserValues(values)).map((p) => p.join('.')), ['a.b', 'a.c', 'a.d', 'x.z', 'x.y', 'q']);
  });

  it('checkValues on a chart with neither file: the typo and the key nothing reads are found, the read ones are not', async () => {
    const helm = new FakeHelm();
    const requests: TemplateRequest[] = [];
    Object.assign(helm, {
      template: async (request: TemplateRequest) => {
        requests.push(request);
        return renderBareConfig(request);
      },
    });
    const spec = parseChartSpec({ name: 'cfg', chart: `${CHARTS}/bare-config`, values: { 'extra-config': { level: 'debug' }, podLabels: { team: 'a' }, podLabel: { team: 'b' } }, set: { extraConfig: 'x' } });
    const check = await checkValues({ spec, helm, kube: new FakeKube(), installedVersion: undefined, targetVersion: '0.1.0', options: {} });
    assert.deepEqual(check.findings.map((f) => [f.path, f.kind]), [['podLabel.team', 'unused'], ['extraConfig', 'unused']]);
    assert.match(check.findings[0]!.detail, /not read by bare-config 0\.1\.0/);
    // A full render, one without all four suspects, then halves and quarters: at most 7, never 2 per key and pair.
    assert.ok(check.renders <= 7, `${check.renders} renders`);
  });

  it('checkValues reads a local packaged chart (.tgz) as helm package wrote it', async () => {
    const helm = new FakeHelm();
    Object.assign(helm, { template: async (request: TemplateRequest) => `replicas: ${String(mergedUserValues(request.values).replicas ?? 1)}\n` });
    const spec = parseChartSpec({ name: 'ksm', chart: `${CHARTS}/monitoring-bundle/charts/state-metrics-5.0.0.tgz`, values: { replicas: 2, replicsa: 3 } });
    const check = await checkValues({ spec, helm, kube: new FakeKube(), installedVersion: undefined, targetVersion: '5.0.0', options: {} });
    assert.deepEqual(check.findings.map((f) => [f.path, f.kind]), [['replicsa', 'unused']]);
  });

  it('checkValues renders nothing when the chart files tell everything', async () => {
    const helm = new FakeHelm();
    let renders = 0;
    helm.template = async () => {
      renders++;
      return '';
    };
    const spec = parseChartSpec({ name: 'cm', chart: `${CHARTS}/cert-controller`, values: { replicaCount: 2, image: { tga: 'v1' } } });
    const check = await checkValues({ spec, helm, kube: new FakeKube(), installedVersion: undefined, targetVersion: '1.15.0', options: {} });
    assert.deepEqual(check.findings.map((f) => [f.path, f.kind]), [['image.tga', 'not-allowed']]);
    assert.equal(renders, 0);
  });
});

/** A helm release record (Secret) holding a chart's defaults, as helm stores it: base64(base64(gzip(JSON))). */
function releaseSecret(namespace: string, name: string, revision: number, chartVersion: string, defaults: Record<string, unknown>): KubeObject {
  const release = { name, namespace, version: revision, info: { status: 'deployed' }, chart: { metadata: { name: 'monitoring-bundle', version: chartVersion }, values: defaults }, config: {}, manifest: '' };
  const field = Buffer.from(gzipSync(Buffer.from(JSON.stringify(release))).toString('base64')).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1', metadata: { name: `sh.helm.release.v1.${name}.v${revision}`, namespace, labels: { owner: 'helm', name, status: 'deployed', version: String(revision) } }, data: { release: field } };
}

describe('moved and removed keys on a version change', () => {
  const spec = parseChartSpec({ name: 'mon', namespace: 'monitoring', chart: `${CHARTS}/monitoring-bundle`, values: { prometheus: { prometheusSpec: { foo: 'bar', retention: '5d' } }, grafana: { adminUser: 'root' } } });
  const kube = () => {
    const k = new FakeKube();
    const secret = releaseSecret('monitoring', 'mon', 3, '87.1.0', { prometheus: { prometheusSpec: { foo: 'old', retention: '10d' } } });
    k.objects.set(FakeKube.key({ apiVersion: 'v1', kind: 'Secret', namespace: 'monitoring', name: secret.metadata.name }), secret);
    return k;
  };
  const helm = () => {
    const h = new FakeHelm();
    h.template = async () => 'same';
    return h;
  };

  it('names a key the installed version\'s defaults had and the target\'s lack, from the release record', async () => {
    const check = await checkValues({ spec, helm: helm(), kube: kube(), installedVersion: '87.1.0', targetVersion: '88.0.0', options: {} });
    assert.deepEqual(check.findings.map((f) => [f.path, f.kind, f.detail]), [['prometheus.prometheusSpec.foo', 'removed', 'no longer in 88.0.0 (the defaults of 87.1.0 have it)']]);
  });

  it('without a version change the same key is only unused', async () => {
    const check = await checkValues({ spec, helm: helm(), kube: kube(), installedVersion: '88.0.0', targetVersion: '88.0.0', options: {} });
    assert.deepEqual(check.findings.map((f) => [f.path, f.kind]), [['prometheus.prometheusSpec.foo', 'unused']]);
  });
});

describe('findings in plan, and --strict-values', () => {
  const spec = parseChartSpec({ name: 'web', chart: './web', namespace: 'apps' });
  const findings = [{ path: 'mesage', kind: 'unused' as const, detail: 'not read by web 1.0.0: not in its values.yaml or values.schema.json, and the chart renders the same without it' }];
  const plan = (over: Partial<ChartPlan> = {}): ChartPlan => ({ chart: 'web', namespace: 'apps', action: 'install', reason: 'not installed', installed: undefined, targetVersion: '1.0.0', recovery: undefined, changes: [], predictions: [], providedCrds: [], unservedKinds: [], valueFindings: findings, ...over });

  it('text and -o json show every finding with its path', () => {
    const text = formatPlan([plan()]);
    assert.match(text, /! value mesage: not read by web 1\.0\.0/);
    assert.match(text, /; 1 value\(s\) the charts do not read$/);
    const json = JSON.parse(formatPlanJson([plan()])) as { valueFindings: { path: string; kind: string }[] };
    assert.deepEqual(json.valueFindings.map((f) => [f.path, f.kind]), [['mesage', 'unused']]);
  });

  it('strict values: a predicted unused-values failure with no remedy; --detailed-exitcode 1 as for any prediction', () => {
    const predictions = strictPrediction(spec, findings);
    assert.deepEqual(predictions.map((p) => [p.class, p.detail, p.remedy]), [['unused-values', '1 value(s) the chart does not read: mesage', 'none']]);
    assert.equal(detailedPlanExitCode([plan({ predictions })]), EXIT.chartFailed);
    assert.equal(detailedPlanExitCode([plan({ action: 'skip', valueFindings: findings })]), EXIT.ok, 'warnings alone do not fail a plan');
  });

  it("apply's refusal is classified as the class plan predicted, and is a refusal (no remedy runs)", () => {
    const error = new UnusedValuesError('web', findings);
    assert.equal(classifyFailure(error).class, 'unused-values');
    assert.equal(refusalFailure(error)?.class, 'unused-values');
    assert.match(error.message, /refusing to deploy chart web with 1 value\(s\) it does not read: mesage/);
  });
});

describe('plan checks values only for charts it would deploy (issue 26: the no-change path is not slower)', () => {
  const MANIFEST = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: agent\ndata:\n  a: b\n';
  const definition = { name: 'agent', namespace: 'apps', chart: `${CHARTS}/metrics-agent`, timeoutSeconds: 1, values: { image: { tga: 'v1' } } };
  const setup = () => {
    const helm = new FakeHelm();
    const kube = new FakeKube();
    helm.chartVersion = '3.12.1';
    helm.manifest = MANIFEST;
    helm.dryRunManifest = MANIFEST;
    let renders = 0;
    Object.assign(helm, { template: async (request: TemplateRequest) => (renders++, `${MANIFEST}# ${JSON.stringify(mergedUserValues(request.values).podLabels ?? null)}\n`) });
    kube.objects.set('ConfigMap/apps/agent', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'agent', namespace: 'apps' }, data: { a: 'b' } });
    return { helm, kube, renders: () => renders, plan: (strictValues = false) => planChart({ name: 'agent', needs: [], definition, file: undefined }, { helm, kube, command: 'apply', strictValues }) };
  };

  it('an install is checked: the typo is a warning, and with --strict-values a predicted unused-values', async () => {
    const { plan } = setup();
    const planned = await plan();
    assert.equal(planned.action, 'install');
    assert.deepEqual(planned.valueFindings?.map((f) => [f.path, f.kind]), [['image.tga', 'unused']]);
    const ofValues = (p: ChartPlan) => p.predictions.filter((x) => x.class === 'unused-values').map((x) => x.detail);
    assert.deepEqual(ofValues(planned), []);
    assert.deepEqual(ofValues(await plan(true)), ['1 value(s) the chart does not read: image.tga']);
  });

  it('an unchanged chart is neither read nor rendered for its values', async () => {
    const { helm, plan, renders } = setup();
    const digest = await computeReleaseDigest(parseChartSpec({ ...definition, skipUnchanged: true }), '3.12.1');
    helm.current = releaseInfo({ name: 'agent', revision: 1, chartVersion: '3.12.1', labels: { [DIGEST_LABEL]: digest } });
    const planned = await plan(true);
    assert.equal(planned.action, 'skip');
    assert.equal(planned.valueFindings, undefined);
    assert.equal(renders(), 0);
    assert.ok(!helm.calls.includes('pull'));
  });
});
