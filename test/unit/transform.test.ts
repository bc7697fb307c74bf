import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { TransformError, invalidTransformResult, parseRendered, transformFingerprint, transformRendered, type ManifestObject } from '../../src/lifecycle/transform.js';
import { pluginManifest, relayExecutable, shellQuote } from '../../src/helm/post-render/relay-script.js';

// A stream as helm hands it to a post-renderer: Source comments, an empty document from a template that
// rendered nothing, YAML 1.1 scalars (`on` is a string only when quoted), and Helm 4's filename mark.
const STREAM = `---
# Source: web/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  annotations:
    postrenderer.helm.sh/postrender-filename: web/templates/configmap.yaml
data:
  switch: "on"
  created: 2026-01-01T00:00:00Z
---
# Source: web/templates/empty.yaml
---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
`;
const ctx = { name: 'web', release: 'web', namespace: 'apps', chart: './web', log: () => {} };

describe('transform (pure half)', () => {
  it('parses every non-empty document, hides helm 4\'s filename mark from the transform, keeps scalars as Kubernetes reads them', () => {
    const documents = parseRendered(STREAM);
    assert.deepEqual(documents.map((d) => [d.object.kind, d.source, d.helmFilename]), [
      ['ConfigMap', 'web/templates/configmap.yaml', 'web/templates/configmap.yaml'],
      ['Service', 'web/templates/service.yaml', undefined],
    ]);
    assert.deepEqual(documents[0]!.object.metadata, { name: 'web' });
    assert.deepEqual(documents[0]!.object.data, { switch: 'on', created: '2026-01-01T00:00:00Z' });
  });

  it('writes back what the transform returned: its Source comment and helm 4\'s mark again, "on" still a string, a dropped object gone', async () => {
    const out = await transformRendered(STREAM, (objects) => objects.filter((o) => o.kind !== 'Service').map((o) => ({ ...o, metadata: { ...o.metadata, labels: { team: 'a' } } })), ctx);
    assert.match(out, /^---\n# Source: web\/templates\/configmap\.yaml\n/);
    assert.doesNotMatch(out, /kind: Service/);
    const [object] = out.split(/^---\n/m).filter(Boolean).map((doc) => parse(doc, { version: '1.1' }) as ManifestObject);
    assert.deepEqual(object!.metadata, { name: 'web', annotations: { 'postrenderer.helm.sh/postrender-filename': 'web/templates/configmap.yaml' }, labels: { team: 'a' } });
    assert.equal((object as unknown as { data: Record<string, unknown> }).data.switch, 'on', 'read as YAML 1.1, "on" must stay quoted');
  });

  it('an answer that is not a list of objects with apiVersion, kind and metadata.name is refused with what is wrong', () => {
    assert.match(invalidTransformResult(undefined)!, /returned undefined, not a list/);
    assert.match(invalidTransformResult([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }])!, /index 0 \(ConfigMap\): no metadata.name/);
    assert.match(invalidTransformResult([{ kind: 'ConfigMap', metadata: { name: 'x' } }])!, /index 0: no apiVersion/);
    assert.equal(invalidTransformResult([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }]), undefined);
  });

  it('a throw or a bad answer is a TransformError naming the chart', async () => {
    const thrown = await transformRendered(STREAM, () => { throw new Error('boom'); }, ctx).catch((e: unknown) => e);
    assert.ok(thrown instanceof TransformError);
    assert.equal(thrown.code, 'TRANSFORM_FAILED');
    assert.equal(thrown.message, "chart 'web': transform threw: boom");
    const bad = await transformRendered(STREAM, () => 'nope' as never, ctx).catch((e: unknown) => e);
    assert.match((bad as Error).message, /chart 'web': transform returned string/);
  });

  it('the digest fingerprint is the transform\'s source: an edit changes it', () => {
    const a = (m: ManifestObject[]) => m;
    const b = (m: ManifestObject[]) => m.slice(1);
    assert.notEqual(transformFingerprint(a), transformFingerprint(b));
    assert.equal(transformFingerprint(undefined), undefined);
  });
});

describe('post-render relay files', () => {
  it('quotes paths for the shell, and names helmcycle\'s executable in the Helm 4 plugin manifest', () => {
    assert.equal(shellQuote("/tmp/it's here"), `'/tmp/it'\\''s here'`);
    assert.equal(relayExecutable('/usr/bin/node', '/tmp/a b/relay.mjs'), "#!/bin/sh\nexec '/usr/bin/node' '/tmp/a b/relay.mjs'\n");
    const manifest = parse(pluginManifest('/tmp/x/post-render')) as Record<string, unknown>;
    assert.deepEqual(manifest, { apiVersion: 'v1', type: 'postrenderer/v1', name: 'helmcycle-transform', version: '0.1.0', runtime: 'subprocess', runtimeConfig: { platformCommand: [{ command: '/tmp/x/post-render' }] } });
  });
});
