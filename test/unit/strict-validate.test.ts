import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeRequestError } from '../../src/errors.js';
import { findSchemaRefusals, schemaRefusal, StrictValidationError, validateStrictly } from '../../src/kube/strict-validate.js';
import type { ApplyOptions, KubeObject } from '../../src/kube/types.js';
import { FakeKube } from './fakes.js';

const MANIFEST = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec: {replicaz: 1}
`;

/** A kube whose dry runs answer as the API server would: a schema refusal for the Deployment, else `other`. */
class RefusingKube extends FakeKube {
  constructor(private readonly answer: (object: KubeObject) => Error | undefined) { super(); }
  override async applyObject(object: KubeObject, options?: ApplyOptions) {
    const error = this.answer(object);
    if (error) { this.calls.push(`refused:${object.kind}/${object.metadata.namespace}`); throw error; }
    return super.applyObject(object, options);
  }
}

const refusal = new KubeRequestError('applying Deployment apps/app: failed to create typed patch object (apps/app; apps/v1, Kind=Deployment): .spec.replicaz: field not declared in schema', 500);

describe('strict validation by server-side dry runs', () => {
  it('names each refused object with the field, and only dry-runs', async () => {
    const kube = new RefusingKube((o) => (o.kind === 'Deployment' ? refusal : undefined));
    const error = await validateStrictly(kube, 'app', MANIFEST, 'apps').then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof StrictValidationError);
    assert.match(error.message, /Deployment\/apps\/app: .*\.spec\.replicaz: field not declared in schema/);
    assert.deepEqual(error.invalid.map((i) => i.object), ['Deployment/apps/app']);
    assert.equal(kube.objects.size, 0, 'nothing stored');
    assert.deepEqual(kube.calls.sort(), ['apply(dry run):ConfigMap/settings', 'refused:Deployment/apps']);
  });

  it('leaves other answers (forbidden, unserved kind, admission) to helm', async () => {
    const kube = new RefusingKube(() => new KubeRequestError('applying ConfigMap apps/settings: forbidden', 403));
    assert.deepEqual(await findSchemaRefusals(kube, MANIFEST, 'apps'), []);
    assert.equal(schemaRefusal(new Error('field not declared in schema')), undefined, 'not an API answer');
  });

  it('checks in "default" when the namespace is not there yet (helm creates it)', async () => {
    const missing = new KubeRequestError('applying Deployment apps/app: namespaces "apps" not found', 404);
    const kube = new RefusingKube((o) => (o.metadata.namespace === 'apps' ? missing : o.kind === 'Deployment' ? refusal : undefined));
    const invalid = await findSchemaRefusals(kube, MANIFEST, 'apps');
    assert.deepEqual(invalid.map((i) => i.object), ['Deployment/apps/app']);
  });
});
