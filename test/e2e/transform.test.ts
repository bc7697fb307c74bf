// A chart's TypeScript transform (helm's post-render step) through the CLI against the local cluster,
// with Helm 3 (`--post-renderer <executable>`) and Helm 4 (a postrenderer/v1 plugin in a private plugin
// folder): template, plan and apply all see the objects the transform returns (a label added to every
// object, a field the chart does not expose patched, an object dropped); an edited transform is an
// upgrade; a transform that throws fails the chart with its own message and helm applies nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fixtures, helmsUnderTest, uniqueNamespace, runCli, type HelmUnderTest } from './support.js';

const WEB = resolve(fixtures.web);

const created: { target: HelmUnderTest; namespace: string }[] = [];
const folders: string[] = [];
after(async () => {
  for (const { target, namespace } of created) await target.kube.deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

const cli = runCli;

/** A TypeScript stack whose web chart is transformed: `team` label everywhere, a patched field, no Service. */
function config(namespace: string, team: string, body = ''): string {
  return `export default {
  defaults: { namespace: ${JSON.stringify(namespace)}, createNamespace: true, timeoutSeconds: 60 },
  charts: [{
    name: 'web', chart: ${JSON.stringify(WEB)}, values: { replicaCount: 0 },
    transform(manifests, ctx) {
      ${body}
      for (const object of manifests) object.metadata.labels = { ...object.metadata.labels, team: ${JSON.stringify(team)}, release: ctx.release };
      const deployment = manifests.find((o) => o.kind === 'Deployment');
      // The web chart has no value for it: a field only a fork or a post-render could set.
      deployment.spec.revisionHistoryLimit = 2;
      return manifests.filter((o) => o.kind !== 'Service');
    },
  }],
};
`;
}

for (const target of helmsUnderTest()) {
  describe(`a chart's transform with ${target.label}`, () => {
    it('template, plan and apply render through it; an edit upgrades; a throw fails the chart and changes nothing', async () => {
      const namespace = uniqueNamespace(`xform-${target.label}`);
      created.push({ target, namespace });
      const dir = await mkdtemp(join(tmpdir(), 'helmcycle-transform-'));
      folders.push(dir);
      const file = join(dir, 'helmcycle.config.ts');
      await writeFile(file, config(namespace, 'payments'));

      const rendered = await cli(target, file, 'template');
      assert.equal(rendered.code, 0, rendered.stderr);
      assert.match(rendered.stdout, /kind: Deployment[\s\S]*team: payments[\s\S]*revisionHistoryLimit: 2/);
      assert.doesNotMatch(rendered.stdout, /kind: Service\b/, 'the dropped Service is not rendered');
      assert.match(rendered.stdout, /# Source: web\/templates\/deployment.yaml/, "helm's source comments are kept");

      const planned = await cli(target, file, 'plan');
      assert.equal(planned.code, 0, planned.stderr + planned.stdout);
      assert.match(planned.stdout, /Deployment\/\S+\/web-web \(added\)/);
      assert.doesNotMatch(planned.stdout, /Service\//, 'the plan does not show the dropped Service');

      const applied = await cli(target, file, 'apply');
      assert.equal(applied.code, 0, applied.stderr + applied.stdout);
      const deployment = await target.kube.getObject({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'web-web' });
      assert.equal(deployment?.metadata.labels?.team, 'payments');
      assert.equal(deployment?.metadata.labels?.release, 'web');
      assert.equal((deployment?.spec as { revisionHistoryLimit?: number }).revisionHistoryLimit, 2);
      assert.equal(await target.kube.getObject({ apiVersion: 'v1', kind: 'Service', namespace, name: 'web-web' }), undefined, 'the Service was never created');
      assert.equal((await target.helm.status({ release: 'web', namespace }))?.revision, 1);

      const converged = await cli(target, file, 'apply');
      assert.equal(converged.code, 0, converged.stderr + converged.stdout);
      assert.equal((await target.helm.status({ release: 'web', namespace }))?.revision, 1, 'the same transform: unchanged');

      await writeFile(file, config(namespace, 'checkout'));
      const edited = await cli(target, file, 'apply');
      assert.equal(edited.code, 0, edited.stderr + edited.stdout);
      assert.equal((await target.helm.status({ release: 'web', namespace }))?.revision, 2, 'an edited transform is an upgrade');
      const relabelled = await target.kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'web-web' });
      assert.equal(relabelled?.metadata.labels?.team, 'checkout');

      await writeFile(file, config(namespace, 'checkout', "throw new Error('no team for ' + ctx.namespace);"));
      const broken = await cli(target, file, 'apply');
      assert.notEqual(broken.code, 0);
      assert.match(broken.stderr + broken.stdout, new RegExp(`chart 'web': transform threw: no team for ${namespace}`));
      const after = await target.helm.status({ release: 'web', namespace });
      assert.deepEqual([after?.revision, after?.status], [2, 'deployed'], 'helm applied nothing');
    });
  });
}
