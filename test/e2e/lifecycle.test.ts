// The core lifecycle against the local cluster, with Helm 3 and Helm 4.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { RolledBackError } from '../../src/helm/errors.js';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition } from '../../src/lifecycle/types.js';
import { configMapData, env, eventually, fixtures, helmsUnderTest, uniqueNamespace } from './support.js';
import { expectChartFailure } from '../support/expect-failure.js';

const WIDGET_CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'widgets.fixtures.helmcycle.dev' };

for (const target of helmsUnderTest()) {
  const { helm, kube } = target;
  const run = <P extends object>(definition: ChartDefinition) => runChart(definition, { helm, kube }) as Promise<Awaited<ReturnType<typeof runChart>> & P>;

  describe(`lifecycle with ${target.label}`, () => {
    it('installs from a repository, then upgrades to a newer chart version', async () => {
      const namespace = uniqueNamespace(`up-${target.label}`);
      const spec = { name: 'web', namespace, createNamespace: true, chart: 'web', repository: env.repo, version: '1.0.0' };
      const installed = await run(spec);
      assert.equal(installed.outcome, 'installed');
      assert.equal(installed.release?.revision, 1);
      const upgraded = await run({ ...spec, version: '1.1.0', set: { message: 'upgraded' } });
      assert.equal(upgraded.outcome, 'upgraded');
      assert.deepEqual([upgraded.release?.revision, upgraded.release?.chartVersion], [2, '1.1.0']);
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'upgraded');
      assert.ok(upgraded.payload.validate?.checks.some((c) => c.name === 'Deployment/web-web' && c.ok));
    });

    it('applies values in precedence order, yamlFilesContent and sensitive values included', async () => {
      const namespace = uniqueNamespace(`val-${target.label}`);
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-e2e-'));
      const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8'];
      const from = (i: number, value: string) => Object.fromEntries(keys.slice(i).map((k) => [k, value]));
      const file = join(dir, 'values.yaml');
      await writeFile(file, `config: ${JSON.stringify(from(2, 'file'))}\n`);
      const result = await run({
        name: 'web', namespace, createNamespace: true, chart: fixtures.web,
        values: [{ config: from(0, 'values0') }, { config: from(1, 'values1') }],
        valuesFiles: [file],
        yamlFilesContent: [{ name: 'inline', content: `config: ${JSON.stringify(from(3, 'inline'))}` }],
        setSensitive: Object.fromEntries(keys.slice(4).map((k) => [`config.${k}`, 'sensitive'])),
        setJson: Object.fromEntries(keys.slice(5).map((k) => [`config.${k}`, 'json'])),
        set: Object.fromEntries(keys.slice(6).map((k) => [`config.${k}`, 'set'])),
        setString: { 'config.k8': 'string' },
      });
      assert.equal(result.outcome, 'installed');
      const data = await configMapData(kube, namespace, 'web-web');
      assert.deepEqual(keys.map((k) => data[k]), ['values0', 'values1', 'file', 'inline', 'sensitive', 'json', 'set', 'string']);
    });

    it('reinstalls when the installed chart is older than the last breaking version', async () => {
      const namespace = uniqueNamespace(`brk-${target.label}`);
      const spec = { name: 'web', namespace, createNamespace: true, chart: 'web', repository: env.repo };
      await run({ ...spec, version: '1.0.0' });
      await run({ ...spec, version: '1.1.0' });
      const reinstalled = await run({ ...spec, version: '2.0.0', lastBreakingVersionRequiringRestart: '2.0.0' });
      assert.equal(reinstalled.outcome, 'reinstalled');
      assert.deepEqual([reinstalled.release?.revision, reinstalled.release?.chartVersion], [1, '2.0.0']);
      assert.deepEqual((await helm.history({ release: 'web', namespace })).map((h) => h.revision), [1]);
      const again = await run({ ...spec, version: '2.0.0', lastBreakingVersionRequiringRestart: '2.0.0' });
      assert.deepEqual([again.outcome, again.release?.revision], ['upgraded', 2], 'once past the breaking version, upgrades are normal');
    });

    it('skips an installed release when skipIfAlreadyInstalled is set', async () => {
      const namespace = uniqueNamespace(`skip-${target.label}`);
      const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web };
      await run({ ...spec, set: { message: 'first' } });
      const skipped = await run({ ...spec, set: { message: 'second' }, skipIfAlreadyInstalled: true });
      assert.equal(skipped.outcome, 'skipped');
      assert.equal((await helm.status({ release: 'web', namespace }))?.revision, 1);
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'first');
    });

    it('recovers a release left in pending-upgrade by a killed helm, once helm\'s own deadline has passed', async () => {
      const namespace = uniqueNamespace(`stuck-${target.label}`);
      // No helmcycle run held it: another tool's helm may still run elsewhere until its timeout, so
      // recovery waits that long (the chart's timeout, kept short here) before rolling it back.
      const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web, timeoutSeconds: 20 };
      await run(spec);
      // A helm upgrade that waits on pods that never become ready, killed mid-way: the release stays locked.
      const stuck = execa(target.binary, ['upgrade', 'web', fixtures.web, '-n', namespace, '--set', 'fakeBehavior=never-ready', '--wait', '--timeout', '120s'], { reject: false });
      await eventually('the upgrade to be pending', async () => ((await helm.status({ release: 'web', namespace }))?.status === 'pending-upgrade' ? true : undefined));
      stuck.kill('SIGKILL');
      await stuck;
      assert.equal((await helm.status({ release: 'web', namespace }))?.status, 'pending-upgrade');

      const messages: string[] = [];
      const result = await runChart({ ...spec, set: { message: 'recovered' } }, { helm, kube, onEvent: (e) => e.type === 'message' && messages.push(e.message) });
      assert.ok(messages.some((m) => /revision 2 \(pending-upgrade\) was started .* by another tool and may still be running .*: waiting before recovering it/.test(m)), messages.join('\n'));
      assert.deepEqual(result.payload.preExec?.recovered, { kind: 'rolled-back', from: 2, to: 1, status: 'pending-upgrade' });
      assert.equal(result.outcome, 'upgraded');
      const status = await helm.status({ release: 'web', namespace });
      assert.deepEqual([status?.status, status?.revision], ['deployed', 4]);
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'recovered');
    });

    it('fails a chart whose pods never become ready, with diagnostics in the error', async () => {
      const namespace = uniqueNamespace(`nr-${target.label}`);
      const error = await expectChartFailure(run({ name: 'nr', namespace, createNamespace: true, chart: fixtures.neverReady, timeoutSeconds: 5 }));
      assert.equal(error.phase, 'exec');
      assert.equal(error.code, 'DEPLOY_FAILED');
      assert.equal(error.diagnostics?.unreadyPods.length, 1);
      assert.match(error.message, /pods not ready in nr-/);
      assert.match(error.message, /nr-[a-z0-9]+-[a-z0-9]+ \(Running, ContainersNotReady\)\n {4}app: not ready/);
    });

    it('reports crash-looping containers with their reason and restarts', async () => {
      const namespace = uniqueNamespace(`crash-${target.label}`);
      const error = await expectChartFailure(run({ name: 'web', namespace, createNamespace: true, chart: fixtures.web, set: { fakeBehavior: 'crash-loop' }, timeoutSeconds: 8 }));
      assert.match(error.message, /web: not ready, CrashLoopBackOff \(back-off restarting failed container\), \d+ restarts, last exit 1 Error/);
      const logs = error.diagnostics?.logs ?? [];
      assert.ok(logs.length > 0 && logs.every((l) => l.available), 'the failing container logs were read through the API');
      // kwok serves cluster/container.log as every container's log.
      assert.match(error.message, /logs of web-[a-z0-9-]+\/web:\n {2}\| kwok: this cluster runs no containers/);
    });

    it('rolls back an atomic upgrade that fails', async () => {
      const namespace = uniqueNamespace(`atomic-${target.label}`);
      const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web, set: { message: 'good' } };
      await run(spec);
      const error = await expectChartFailure(run({ ...spec, atomic: true, timeoutSeconds: 5, set: { message: 'bad', fakeBehavior: 'never-ready' } }));
      assert.ok(error.cause instanceof RolledBackError, `cause was ${String(error.cause)}`);
      // The default remedy for a readiness timeout is a rollback; helm already did it, so it is not done twice.
      assert.deepEqual(error.remedies?.map((r) => [r.remedy, r.message]), [['rollback', 'helm already rolled the failed upgrade back (atomic); nothing more to roll back']]);
      const status = await helm.status({ release: 'web', namespace });
      assert.deepEqual([status?.status, status?.revision], ['deployed', 3]);
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'good');
    });

    it('destroys a release, and destroying it again is fine', async () => {
      const namespace = uniqueNamespace(`rm-${target.label}`);
      const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web };
      await run(spec);
      const first = await run({ ...spec, action: 'destroy' });
      assert.equal(first.outcome, 'uninstalled');
      assert.equal(await helm.status({ release: 'web', namespace }), undefined);
      const second = await run({ ...spec, action: 'destroy' });
      assert.equal(second.outcome, 'absent');
    });

    it('runs a custom exec that deletes the chart CRDs on destroy (the Prometheus Operator case)', async () => {
      const namespace = uniqueNamespace(`crd-${target.label}`);
      const spec = { name: 'operator', namespace, createNamespace: true, chart: fixtures.operatorV1 };
      await run(spec);
      assert.ok(await kube.getObject(WIDGET_CRD), 'helm installed the CRD from crds/');
      const destroyed = await run({
        ...spec,
        action: 'destroy',
        lifecycle: {
          exec: async (ctx, payload) => {
            const done = await ctx.defaults.exec(ctx, payload);
            await ctx.kube.deleteObject(WIDGET_CRD);
            ctx.log(`deleted CRD ${WIDGET_CRD.name}`);
            return done;
          },
        },
      });
      assert.equal(destroyed.outcome, 'uninstalled');
      await eventually('the CRD to be gone', async () => ((await kube.getObject(WIDGET_CRD)) ? undefined : true));
    });

    it('pulls charts from the OCI registry and from a repository that needs credentials', async () => {
      const namespace = uniqueNamespace(`src-${target.label}`);
      const oci = await run({ name: 'from-oci', namespace, createNamespace: true, chart: `${env.oci}/web`, version: '1.1.0', plainHttp: true });
      assert.deepEqual([oci.outcome, oci.release?.chartVersion], ['installed', '1.1.0']);
      const privateChart = await run({
        name: 'from-private', namespace, chart: 'web', repository: env.privateRepo,
        repositoryAuth: { username: env.repoUser, password: env.repoPassword },
      });
      assert.equal(privateChart.outcome, 'installed');
      const denied = await expectChartFailure(run({ name: 'denied', namespace, chart: 'web', repository: env.privateRepo }));
      assert.equal(denied.phase, 'checkPrerequisites');
      assert.match(denied.message, /401 Unauthorized/);
    });

    it('rejects a missing values file before changing anything', async () => {
      const namespace = uniqueNamespace(`bad-${target.label}`);
      const error = await expectChartFailure(run({ name: 'web', namespace, createNamespace: true, chart: fixtures.web, valuesFiles: ['does/not/exist.yaml'] }));
      assert.equal(error.phase, 'checkPrerequisites');
      assert.match(error.message, /chart 'web': valuesFiles\[0\]: does\/not\/exist\.yaml does not exist/);
      assert.equal(await kube.namespaceExists(namespace), false, 'nothing was created');
    });
  });
}

for (const target of helmsUnderTest()) {
  describe(`cancellation with ${target.label}`, () => {
    it('a deploy cancelled mid-upgrade leaves nothing the next run cannot finish', async () => {
      const { helm, kube } = target;
      const namespace = uniqueNamespace(`cancel-${target.label}`);
      const spec = { name: 'web', namespace, createNamespace: true, chart: fixtures.web };
      await runChart(spec, { helm, kube });
      const controller = new AbortController();
      const slow = runChart({ ...spec, set: { fakeBehavior: 'never-ready' }, timeoutSeconds: 120 }, { helm, kube, signal: controller.signal });
      await eventually('the upgrade to start', async () => ((await helm.status({ release: 'web', namespace }))?.revision === 2 ? true : undefined));
      controller.abort();
      const error = await expectChartFailure(slow);
      assert.match(error.message, /cancelled/);
      const next = await runChart({ ...spec, set: { message: 'after cancel' } }, { helm, kube });
      assert.equal(next.release?.status, 'deployed');
      assert.equal((await configMapData(kube, namespace, 'web-web')).message, 'after cancel');
    });
  });
}
