// probeNamespace: a namespaced deployer's 403 is an answer of its own, not an error and not "missing".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeRequestError } from '../../src/errors.js';
import { probeNamespace } from '../../src/kube/namespace.js';

const answering = (answer: boolean | Error) => ({
  namespaceExists: async () => {
    if (answer instanceof Error) throw answer;
    return answer;
  },
});

describe('probeNamespace', () => {
  it('tells existing, missing and forbidden apart', async () => {
    assert.equal(await probeNamespace(answering(true), 'apps'), 'exists');
    assert.equal(await probeNamespace(answering(false), 'apps'), 'missing');
    assert.equal(await probeNamespace(answering(new KubeRequestError('reading namespace apps failed: forbidden', 403)), 'apps'), 'forbidden');
  });

  it('passes on every other failure', async () => {
    const outage = new KubeRequestError('reading namespace apps failed: etcdserver: request timed out', 500);
    await assert.rejects(probeNamespace(answering(outage), 'apps'), outage);
  });
});
