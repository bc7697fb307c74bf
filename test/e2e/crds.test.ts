// CRDs wherever a chart keeps them, on the local cluster with Helm 3 and Helm 4: a subchart's crds/
// folder (a vendored folder, and a vendored .tgz enabled by a value), and CRD templates of a subchart
// switched by a value and kept by Helm (resource-policy: keep). Each CRD served after `crds.upgrade`
// is compared key by key with its file; the guard refuses a destroy while a custom resource lives in
// another namespace, changing nothing; plan predicts that refusal and the ownership conflict on a CRD
// another release owns. The CRD groups (*.crdfix.helmcycle.dev) belong to these tests alone.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { KubeRequestError } from '../../src/errors.js';
import type { KubeObject } from '../../src/kube/types.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition } from '../../src/lifecycle/types.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import { CrdInUseError, deleteCrds, readCrdsFromPath } from '../../src/toolkit/crds.js';
import { MANAGED_BY_LABEL, RELEASE_NAME_ANNOTATION } from '../../src/toolkit/ownership.js';
import { crdsOfRendered } from '../../src/toolkit/release-crds.js';
import { expectChartFailure } from '../support/expect-failure.js';
import { helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const charts = 'test/fixtures/charts';
const monitorStack = (version: string) => resolve(charts, `monitor-stack-${version}`);
const certIssuer = (version: string) => resolve(charts, `cert-issuer-${version}`);

const PROBES = 'probes.monitoring.crdfix.helmcycle.dev';
const ALERT_RULES = 'alertrules.monitoring.crdfix.helmcycle.dev';
const RECORDINGS = 'recordings.monitoring.crdfix.helmcycle.dev';
const SCRAPE_TARGETS = 'scrapetargets.exporter.crdfix.helmcycle.dev';
const MONITOR_CRDS = [PROBES, ALERT_RULES, RECORDINGS, SCRAPE_TARGETS];
const CERTIFICATES = 'certificates.certs.crdfix.helmcycle.dev';
const ISSUERS = 'issuers.certs.crdfix.helmcycle.dev';
const CERT_CRDS = [CERTIFICATES, ISSUERS];

const crdRef = (name: string) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });

/** Every key path of the file whose name says a typed serializer would have dropped it. */
const TELLING_KEY = /^(enum|default|x-kubernetes-.+)$/;

/**
 * Asserts that every key of `expected` is in `actual` with the same value, field by field (actual may
 * hold more: what the API server defaults). Returns the paths of the telling keys it compared.
 */
function assertKeepsEveryKey(expected: unknown, actual: unknown, path: string, telling: string[] = []): string[] {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path} is an array`);
    assert.equal(actual.length, expected.length, `${path} has ${expected.length} items`);
    expected.forEach((item, i) => assertKeepsEveryKey(item, actual[i], `${path}[${i}]`, telling));
  } else if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object' && !Array.isArray(actual), `${path} is an object`);
    for (const [key, value] of Object.entries(expected)) {
      assert.ok(key in actual, `${path}.${key} is kept`);
      if (TELLING_KEY.test(key)) telling.push(`${path}.${key}`);
      assertKeepsEveryKey(value, (actual as Record<string, unknown>)[key], `${path}.${key}`, telling);
    }
  } else {
    assert.deepEqual(actual, expected, path);
  }
  return telling;
}

/** The served CRD keeps every key of the file's spec; returns the telling keys compared. */
async function assertServedAsFile(kube: HelmUnderTest['kube'], file: KubeObject): Promise<string[]> {
  const served = await kube.getObject(crdRef(file.metadata.name));
  assert.ok(served, `${file.metadata.name} is served`);
  return assertKeepsEveryKey(file.spec, served.spec, `${file.metadata.name} spec`);
}

/** `helmcycle [global] --output json plan [planArgs]` on the stack (exit 0): the plans by chart. */
async function planStack(stack: unknown, global: string[], planArgs: string[] = []): Promise<Record<string, ChartPlan>> {
  const file = join(await mkdtemp(join(tmpdir(), 'helmcycle-crds-plan-')), 'helmcycle.yaml');
  await writeFile(file, stringify(stack));
  let stdout = '';
  let stderr = '';
  const code = await main(['-c', file, ...global, '--output', 'json', 'plan', ...planArgs], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false });
  assert.equal(code, 0, `${stdout}${stderr}`);
  return Object.fromEntries(stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ChartPlan).map((p) => [p.chart, p]));
}

async function createNamespace(kube: HelmUnderTest['kube'], prefix: string): Promise<string> {
  const created = await kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: uniqueNamespace(prefix) } });
  return created.metadata.name;
}

for (const target of helmsUnderTest()) {
  const { helm, kube, binary } = target;

  describe(`CRDs wherever the chart keeps them, with ${target.label}`, () => {
    it("a subchart's crds/ (a folder, and a .tgz enabled by a value): applied whole before the deploy, upgraded, guarded, then deleted", async () => {
      await deleteCrds(kube, MONITOR_CRDS, { force: true });
      const namespace = uniqueNamespace(`crd-sub-${target.label}`);
      const chart = (version: string, extra: Partial<ChartDefinition> = {}): ChartDefinition => ({
        name: 'mon', namespace, createNamespace: true, chart: monitorStack(version), timeoutSeconds: 120,
        crds: { upgrade: true, deleteOnDestroy: true }, ...extra,
      });

      // A first install with crds.upgrade (under Helm 4 this used to fail: conflict with "helmcycle": .spec.versions).
      await runChart(chart('1.0.0'), { helm, kube });
      const v1Files = await readCrdsFromPath(`${monitorStack('1.0.0')}/charts/crds/crds`);
      assert.deepEqual(v1Files.map((c) => c.metadata.name).sort(), [ALERT_RULES, PROBES]);
      const telling = (await Promise.all(v1Files.map((file) => assertServedAsFile(kube, file)))).flat();
      for (const key of ['enum', 'default', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations']) {
        assert.ok(telling.some((path) => path.endsWith(`.${key}`)), `the comparison covered ${key}`);
      }
      assert.equal(await kube.getObject(crdRef(SCRAPE_TARGETS)), undefined, 'the disabled exporter subchart brings no CRD');

      // The served schema is the one enforced: an enum violation is refused, defaults are filled in.
      const probe = (name: string, ns: string, spec: Record<string, unknown>) => ({ apiVersion: 'monitoring.crdfix.helmcycle.dev/v1', kind: 'Probe', metadata: { name, namespace: ns }, spec });
      const target0 = { prober: { url: 'http://blackbox:9115' }, targets: [{ name: 'site', url: 'https://example.invalid' }] };
      await assert.rejects(kube.createObject(probe('bogus', namespace, { ...target0, module: 'bogus' })), (error: unknown) =>
        error instanceof KubeRequestError && error.statusCode === 422 && /spec\.module: Unsupported value: "bogus"/.test(error.message));
      await assert.rejects(kube.createObject(probe('icmp-port', namespace, { ...target0, module: 'icmp', port: 80 })), /icmp probes take no port/);
      const created = await kube.createObject(probe('named-port', namespace, { ...target0, port: 'http' }));
      assert.deepEqual([created.spec?.module, created.spec?.interval, (created.spec?.prober as { scheme?: string }).scheme], ['http_2xx', '30s', 'http'], 'defaults applied');
      await kube.deleteObject({ apiVersion: created.apiVersion, kind: 'Probe', namespace, name: 'named-port' });

      // 2.0.0: the Probe CRD changes, a Recording CRD over 256 KiB is new, and the .tgz exporter is switched on.
      const stack = { charts: [{ name: 'mon', namespace, chart: monitorStack('2.0.0'), set: { 'exporter.enabled': true }, crds: { upgrade: true, deleteOnDestroy: true } }] };
      const { mon: upgradePlan } = await planStack(stack, ['--helm', binary]);
      const crdChanges = upgradePlan!.changes.filter((c) => c.resource.startsWith('CustomResourceDefinition/'));
      assert.deepEqual(crdChanges.map((c) => [c.resource, c.change]).sort(), [
        [`CustomResourceDefinition/${PROBES}`, 'changed'], [`CustomResourceDefinition/${RECORDINGS}`, 'added'], [`CustomResourceDefinition/${SCRAPE_TARGETS}`, 'added'],
      ], 'plan shows the CRD changes crds.upgrade makes, and not the unchanged AlertRule CRD');
      assert.match(crdChanges.find((c) => c.resource.endsWith(PROBES))!.patch, /^\+\s+- grpc$/m);
      assert.match(upgradePlan!.reason, /CRDs first \(crds\.upgrade\): 2 added, 1 changed/);
      await runChart(chart('2.0.0', { set: { 'exporter.enabled': true } }), { helm, kube });
      const v2Files = [...await readCrdsFromPath(`${monitorStack('2.0.0')}/charts/crds/crds`)];
      const recording = v2Files.find((c) => c.metadata.name === RECORDINGS)!;
      assert.ok(Buffer.byteLength(JSON.stringify(recording)) > 256 * 1024, 'the Recording CRD is over 256 KiB');
      for (const file of v2Files) await assertServedAsFile(kube, file);
      const [scrapeTargets] = crdsOfRendered(await helm.template({ release: 'mon', namespace, source: { chart: monitorStack('2.0.0') }, values: { values: [{ exporter: { enabled: true } }], valuesFiles: [], yamlFilesContent: [], setSensitive: {}, setJson: {}, set: {}, setString: {} } }))
        .filter((entry) => entry.crd.metadata.name === SCRAPE_TARGETS);
      assert.equal(scrapeTargets?.file, 'monitor-stack/charts/exporter/crds/scrapetargets.yaml');
      await assertServedAsFile(kube, scrapeTargets!.crd);
      await assert.rejects(kube.createObject(probe('v2-bogus', namespace, { ...target0, tlsConfig: { minVersion: 'TLS10' } })), /Unsupported value: "TLS10"/);

      // A Probe of someone else, in another namespace: plan --destroy predicts the refusal; destroy refuses, changing nothing.
      const elsewhere = await createNamespace(kube, `crd-user-${target.label}`);
      await kube.createObject(probe('users-probe', elsewhere, { ...target0, module: 'grpc' }));
      const { mon: planned } = await planStack(stack, ['--helm', binary], ['--destroy']);
      assert.equal(planned?.action, 'delete');
      assert.deepEqual(planned?.predictions.map((p) => [p.class, p.remedy]), [['crd-in-use', 'none']]);
      assert.match(planned!.predictions[0]!.detail, new RegExp(`${PROBES.replaceAll('.', '\\.')} \\(1\\): ${elsewhere}/users-probe`));
      assert.deepEqual(planned?.changes.filter((c) => c.resource.startsWith('CustomResourceDefinition/')).map((c) => [c.resource, c.change]).sort(),
        MONITOR_CRDS.map((name) => [`CustomResourceDefinition/${name}`, 'removed']).sort());

      const refused = await expectChartFailure(runChart({ ...chart('2.0.0', { set: { 'exporter.enabled': true } }), action: 'destroy' }, { helm, kube }));
      assert.ok(refused.cause instanceof CrdInUseError, String(refused.cause));
      assert.match(refused.message, new RegExp(`${elsewhere}/users-probe`));
      assert.equal((await helm.status({ release: 'mon', namespace }))?.status, 'deployed', 'refused before uninstalling');
      for (const name of MONITOR_CRDS) assert.ok(await kube.getObject(crdRef(name)), `${name} is still there`);
      assert.ok(await kube.getObject({ apiVersion: 'monitoring.crdfix.helmcycle.dev/v1', kind: 'Probe', namespace: elsewhere, name: 'users-probe' }), "the user's Probe is still there");

      // Once it is gone, destroy deletes the release and exactly the CRDs it brought.
      await kube.deleteObject({ apiVersion: 'monitoring.crdfix.helmcycle.dev/v1', kind: 'Probe', namespace: elsewhere, name: 'users-probe' });
      const destroyed = await runChart({ ...chart('2.0.0', { set: { 'exporter.enabled': true } }), action: 'destroy' }, { helm, kube });
      assert.deepEqual([...(destroyed.payload.exec?.crdsDeleted ?? [])].sort(), [...MONITOR_CRDS].sort());
      assert.equal(await helm.status({ release: 'mon', namespace }), undefined);
      for (const name of MONITOR_CRDS) assert.equal(await kube.getObject(crdRef(name)), undefined, `${name} is gone`);
      await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: elsewhere });
    });

    it("CRD templates of a subchart, switched by a value and kept by Helm: applied before the deploy, upgraded, guarded, then deleted", async () => {
      await deleteCrds(kube, CERT_CRDS, { force: true });
      const namespace = uniqueNamespace(`crd-tpl-${target.label}`);
      const chart = (version: string): ChartDefinition => ({
        name: 'certs', namespace, createNamespace: true, chart: certIssuer(version), timeoutSeconds: 120,
        set: { 'issuer-crds.install': true }, crds: { upgrade: true, deleteOnDestroy: true },
      });
      const rendered = async (version: string) => crdsOfRendered(await helm.template({
        release: 'certs', namespace, source: { chart: certIssuer(version) },
        values: { values: [], valuesFiles: [], yamlFilesContent: [], setSensitive: {}, setJson: {}, set: { 'issuer-crds.install': true }, setString: {} },
      }));

      await runChart(chart('1.0.0'), { helm, kube });
      const v1 = await rendered('1.0.0');
      assert.deepEqual(v1.map((e) => [e.crd.metadata.name, e.source]).sort(), [[CERTIFICATES, 'template'], [ISSUERS, 'template']]);
      for (const entry of v1) {
        await assertServedAsFile(kube, entry.crd);
        const served = await kube.getObject(crdRef(entry.crd.metadata.name));
        assert.equal(served?.metadata.labels?.[MANAGED_BY_LABEL], 'Helm');
        assert.equal(served?.metadata.annotations?.[RELEASE_NAME_ANNOTATION], 'certs', 'the release owns its CRD templates');
        assert.equal(served?.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
      }
      const manifest = await helm.getManifest({ release: 'certs', namespace });
      assert.match(manifest, new RegExp(`name: ${CERTIFICATES.replaceAll('.', '\\.')}`), 'and Helm has them in the release');

      const certificate = (name: string, ns: string, spec: Record<string, unknown> = {}) => ({
        apiVersion: 'certs.crdfix.helmcycle.dev/v1', kind: 'Certificate', metadata: { name, namespace: ns },
        spec: { secretName: `${name}-tls`, issuerRef: { name: 'self' }, ...spec },
      });
      await assert.rejects(kube.createObject(certificate('dsa', namespace, { privateKey: { algorithm: 'DSA' } })), (error: unknown) =>
        error instanceof KubeRequestError && error.statusCode === 422 && /spec\.privateKey\.algorithm: Unsupported value: "DSA"/.test(error.message));

      await runChart(chart('2.0.0'), { helm, kube });
      for (const entry of await rendered('2.0.0')) await assertServedAsFile(kube, entry.crd);
      const upgraded = await kube.createObject(certificate('site', namespace, { renewBefore: '33%' }));
      assert.deepEqual([upgraded.spec?.revisionHistoryLimit, (upgraded.spec?.privateKey as { encoding?: string }).encoding], [1, 'PKCS1'], "2.0.0's defaults");
      await kube.deleteObject({ apiVersion: upgraded.apiVersion, kind: 'Certificate', namespace, name: 'site' });

      const elsewhere = await createNamespace(kube, `crd-user-${target.label}`);
      await kube.createObject(certificate('users-cert', elsewhere));
      const refused = await expectChartFailure(runChart({ ...chart('2.0.0'), action: 'destroy' }, { helm, kube }));
      assert.ok(refused.cause instanceof CrdInUseError, String(refused.cause));
      assert.equal((await helm.status({ release: 'certs', namespace }))?.status, 'deployed', 'refused before uninstalling');
      for (const name of CERT_CRDS) assert.ok(await kube.getObject(crdRef(name)), `${name} is still there`);

      await kube.deleteObject({ apiVersion: 'certs.crdfix.helmcycle.dev/v1', kind: 'Certificate', namespace: elsewhere, name: 'users-cert' });
      const destroyed = await runChart({ ...chart('2.0.0'), action: 'destroy' }, { helm, kube });
      assert.deepEqual([...(destroyed.payload.exec?.crdsDeleted ?? [])].sort(), [...CERT_CRDS].sort(), 'Helm kept them (resource-policy: keep); helmcycle deleted them');
      for (const name of CERT_CRDS) assert.equal(await kube.getObject(crdRef(name)), undefined, `${name} is gone`);
      await kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: elsewhere });
    });

    it('plan predicts the ownership conflict on a CRD template that a release in another namespace owns, and apply meets it', async () => {
      await deleteCrds(kube, CERT_CRDS, { force: true });
      const first = uniqueNamespace(`crd-own-a-${target.label}`);
      const second = uniqueNamespace(`crd-own-b-${target.label}`);
      // Release certs-a installs the CRD templates (kept on uninstall), without helmcycle's crds option.
      await runChart({ name: 'certs-a', namespace: first, createNamespace: true, chart: certIssuer('1.0.0'), set: { 'issuer-crds.install': true }, timeoutSeconds: 120 }, { helm, kube });
      const b = { name: 'certs-b', namespace: second, createNamespace: true, chart: certIssuer('1.0.0'), set: { 'issuer-crds.install': true }, timeoutSeconds: 120, crds: { upgrade: true } };

      const expectConflict = async (why: string) => {
        const { 'certs-b': planned } = await planStack({ charts: [b] }, ['--helm', binary]);
        const conflicts = planned!.predictions.filter((p) => p.class === 'ownership-conflict').map((p) => p.detail).sort();
        assert.deepEqual(conflicts, CERT_CRDS.map((name) => `CustomResourceDefinition/${name} exists and does not belong to release certs-b`).sort(), why);
        assert.ok(planned!.predictions.every((p) => p.remedy === 'none'), 'no adoption unless allowed');
      };
      await expectConflict('owned by certs-a, alive in another namespace');
      // The common case: the owning release is gone, its kept CRDs are not.
      await helm.uninstall({ release: 'certs-a', namespace: first, wait: true, timeoutSeconds: 60 });
      for (const name of CERT_CRDS) assert.equal((await kube.getObject(crdRef(name)))?.metadata.annotations?.[RELEASE_NAME_ANNOTATION], 'certs-a', `${name} outlived its release`);
      await expectConflict('kept by certs-a after its uninstall');

      const failed = await expectChartFailure(runChart(b, { helm, kube }));
      assert.equal(failed.failure?.class, 'ownership-conflict', failed.message);
      for (const name of CERT_CRDS) assert.equal((await kube.getObject(crdRef(name)))?.metadata.annotations?.[RELEASE_NAME_ANNOTATION], 'certs-a', `${name} was left alone`);

      await helm.uninstall({ release: 'certs-b', namespace: second, wait: true, timeoutSeconds: 60 });
      await deleteCrds(kube, CERT_CRDS, { force: true });
    });
  });
}
