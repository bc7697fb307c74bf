import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rulesAllow } from '../../src/kube/access-rules.js';
import { StorageBackedHelmClient } from '../../src/helm/storage-backed-client.js';
import { runChart } from '../../src/lifecycle/runner.js';
import { FakeHelm, FakeKube } from './fakes.js';

const rule = (verbs: string[], resources: string[], apiGroups = [''], resourceNames: string[] = []) => ({ verbs, resources, apiGroups, resourceNames });

describe('access rules', () => {
  const secrets = (verb: string) => ({ verb, resource: 'secrets', namespace: 'apps' });

  it('allows what a rule lists, with wildcards, and nothing a rule limited to names covers', () => {
    const rules = { resourceRules: [rule(['get', 'list'], ['secrets']), rule(['*'], ['configmaps']), rule(['update'], ['secrets'], [''], ['only-this'])], incomplete: false };
    assert.deepEqual(['get', 'list', 'create', 'update'].map((verb) => rulesAllow(rules, secrets(verb))), ['allowed', 'allowed', 'denied', 'denied']);
    assert.equal(rulesAllow(rules, { verb: 'delete', resource: 'configmaps', namespace: 'apps' }), 'allowed');
    assert.equal(rulesAllow(rules, { verb: 'get', resource: 'deployments', group: 'apps', namespace: 'apps' }), 'denied');
    assert.equal(rulesAllow({ resourceRules: [rule(['*'], ['*'], ['*'])], incomplete: false }, { verb: 'get', resource: 'deployments', group: 'apps' }), 'allowed');
  });

  it('says unknown, not denied, when the review was incomplete', () => {
    assert.equal(rulesAllow({ resourceRules: [], incomplete: true }, secrets('get')), 'unknown');
  });

  it('reviews the rules of a namespace once per run, for every chart of it', async () => {
    const kube = new FakeKube();
    let reviews = 0;
    const review = kube.reviewRules.bind(kube);
    kube.reviewRules = async () => { reviews++; return review(); };
    // The fake helm keeps the releases here (a driver helmcycle does not read), the run the facts.
    const helm = new StorageBackedHelmClient(new FakeHelm(), kube, { helmDriver: 'sql' }).forRun();
    for (const name of ['a', 'b', 'c']) await runChart({ name, namespace: 'apps', chart: 'test/fixtures/charts/web' }, { helm, kube });
    assert.equal(reviews, 1);
  });

  it('refuses a chart whose namespace rules do not allow writing release Secrets, asking no access review', async () => {
    const kube = new FakeKube();
    kube.rules = { resourceRules: [rule(['get', 'list', 'watch'], ['secrets'])], incomplete: false };
    let reviews = 0;
    kube.canI = async () => { reviews++; return { allowed: true, reason: undefined }; };
    const helm = new StorageBackedHelmClient(new FakeHelm(), kube, { helmDriver: 'secret' }).forRun();
    await assert.rejects(runChart({ name: 'a', namespace: 'apps', chart: 'test/fixtures/charts/web' }, { helm, kube }), /not allowed to create secrets in namespace apps/);
    assert.equal(reviews, 0);
  });

  it('asks the server version once a run, and asks again about a namespace that was missing (an earlier chart may create it)', async () => {
    const kube = new FakeKube();
    const asked = { version: 0, namespace: 0 };
    kube.serverVersion = async () => { asked.version++; return 'v1.34.4'; };
    kube.namespaceExists = async () => asked.namespace++ > 0;
    const helm = new StorageBackedHelmClient(new FakeHelm(), kube, { helmDriver: 'sql' }).forRun();
    for (const name of ['a', 'b', 'c']) await runChart({ name, namespace: 'fresh', createNamespace: true, chart: 'test/fixtures/charts/web' }, { helm, kube });
    // missing for a, then found for b and kept for c
    assert.deepEqual(asked, { version: 1, namespace: 2 });
  });
});
