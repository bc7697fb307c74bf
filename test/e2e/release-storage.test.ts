// The release state helmcycle decodes from Helm's storage is what helm itself reports, field by field,
// for every state a release can be in (deployed, superseded, failed, pending-install, pending-upgrade,
// uninstalled with its history kept), under Helm 3 and Helm 4, with the secret and configmap drivers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { CliHelmClient } from '../../src/helm/cli-client.js';
import { StorageBackedHelmClient } from '../../src/helm/storage-backed-client.js';
import type { ReleaseRef } from '../../src/helm/types.js';
import { eventually, fixtures, helmsUnderTest, uniqueNamespace } from './support.js';

const seconds = (time: string | undefined) => (time ? Math.floor(Date.parse(time) / 1000) : undefined);
/** Labels helm's drivers set for themselves; Helm 4's `get metadata` shows them among the release's own. */
const SYSTEM = new Set(['name', 'owner', 'status', 'version', 'createdAt', 'modifiedAt']);
const ownLabels = (labels: Record<string, string> | undefined) => labels && Object.fromEntries(Object.entries(labels).filter(([key]) => !SYSTEM.has(key)));

for (const target of helmsUnderTest()) {
  for (const driver of ['secret', 'configmap'] as const) {
    describe(`release state from helm's storage, ${target.label}, ${driver} driver`, () => {
      const helmEnv = { HELM_DRIVER: driver };
      const real = new CliHelmClient({ binary: target.binary, env: helmEnv, ...(process.env.KUBECONFIG ? { kubeconfig: process.env.KUBECONFIG.split(':')[0]! } : {}) });
      const stored = new StorageBackedHelmClient(real, target.kube, { helmDriver: driver });
      const helm = (args: string[], options: { reject?: boolean } = {}) =>
        execa(target.binary, args, { env: { ...helmEnv, HELM_NO_PLUGINS: '1' }, reject: options.reject ?? true });

      /** Starts a helm that waits on pods that never get ready, and kills it once the release is pending. */
      async function leavePending(args: string[], ref: ReleaseRef, status: string) {
        const running = helm([...args, '--set', 'fakeBehavior=never-ready', '--wait', '--timeout', '180s'], { reject: false });
        await eventually(`${ref.release} to be ${status}`, async () => ((await real.status(ref))?.status === status ? true : undefined), 120_000);
        running.kill('SIGKILL');
        await running;
      }

      async function assertSameAsHelm(ref: ReleaseRef) {
        const [fromHelm, fromStorage] = [await real.status(ref), await stored.status(ref)];
        assert.ok(fromHelm && fromStorage, `${ref.release} exists for both`);
        const history = await real.history(ref);
        const storedHistory = await stored.history(ref);
        // get metadata prints no description and whole seconds; history has both in full.
        assert.deepEqual(
          { ...fromStorage, description: undefined, updated: seconds(fromStorage.updated), labels: fromHelm.labels ? fromStorage.labels : undefined },
          { ...fromHelm, updated: seconds(fromHelm.updated), labels: ownLabels(fromHelm.labels) },
          `status of ${ref.release}`,
        );
        assert.equal(fromStorage.description, history.at(-1)?.description, `description of ${ref.release}`);
        assert.deepEqual(
          storedHistory.map((r) => ({ ...r, updated: Date.parse(r.updated ?? '') })),
          history.map((r) => ({ ...r, updated: Date.parse(r.updated ?? '') })),
          `history of ${ref.release}`,
        );
        for (const { revision } of history) {
          assert.equal((await stored.getManifest({ ...ref, revision })).trimEnd(), (await real.getManifest({ ...ref, revision })).trimEnd(), `manifest of ${ref.release} revision ${revision}`);
          assert.deepEqual(await stored.getValues({ ...ref, revision }), await real.getValues({ ...ref, revision }), `values of ${ref.release} revision ${revision}`);
        }
        assert.equal((await stored.getManifest(ref)).trimEnd(), (await real.getManifest(ref)).trimEnd(), `latest manifest of ${ref.release}`);
        assert.deepEqual(await stored.getValues(ref), await real.getValues(ref), `latest values of ${ref.release}`);
        return { fromStorage, storedHistory };
      }

      it('reads every revision and state as helm reports it', { timeout: 600_000 }, async () => {
        const namespace = uniqueNamespace(`store-${target.label}-${driver.slice(0, 3)}`);
        const web = { release: 'web', namespace };
        const install = ['upgrade', '--install', 'web', fixtures.web, '-n', namespace, '--create-namespace', '--labels', 'tier=app,team=storage'];
        await helm([...install, '--set', 'message=first', '--description', 'first install', '--wait', '--timeout', '120s']);
        await helm([...install, '--set', 'message=second,replicaCount=1', '--set-string', 'config.kind=text', '--wait', '--timeout', '120s']);
        // A failed upgrade (the pods never get ready before the timeout), without a rollback.
        await helm([...install, '--set', 'fakeBehavior=never-ready', '--wait', '--timeout', '5s'], { reject: false });
        let state = await assertSameAsHelm(web);
        assert.deepEqual(state.storedHistory.map((r) => r.status), ['superseded', 'deployed', 'failed']);
        assert.deepEqual(state.fromStorage.labels, { tier: 'app', team: 'storage' });
        assert.equal(state.fromStorage.chartVersion, '1.0.0');
        assert.equal(state.fromStorage.appVersion, '1.0');

        await leavePending(['upgrade', 'web', fixtures.web, '-n', namespace], web, 'pending-upgrade');
        state = await assertSameAsHelm(web);
        assert.equal(state.fromStorage.status, 'pending-upgrade');

        const fresh = { release: 'fresh', namespace };
        await leavePending(['upgrade', '--install', 'fresh', fixtures.web, '-n', namespace], fresh, 'pending-install');
        assert.equal((await assertSameAsHelm(fresh)).fromStorage.status, 'pending-install');

        const kept = { release: 'kept', namespace };
        await helm(['upgrade', '--install', 'kept', fixtures.web, '-n', namespace, '--wait', '--timeout', '120s']);
        await helm(['uninstall', 'kept', '-n', namespace, '--keep-history', '--wait', '--timeout', '120s']);
        assert.equal((await assertSameAsHelm(kept)).fromStorage.status, 'uninstalled');

        assert.equal(await stored.status({ release: 'never-installed', namespace }), undefined);
        assert.deepEqual(await stored.history({ release: 'never-installed', namespace }), []);
        await execa('kubectl', ['delete', 'namespace', namespace, '--wait=false']);
      });
    });
  }
}
