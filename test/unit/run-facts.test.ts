// The report's facts come from what the run already learnt: the helm client remembers the helm and
// server versions its run views were told, and the kubeconfig names the context and server. Nothing
// is asked for the report, and no credential of the kubeconfig reaches it.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { runFactsOf } from '../../src/cli/run-report.js';
import { createClients } from '../../src/clients.js';
import { StorageBackedHelmClient } from '../../src/helm/storage-backed-client.js';
import { runChart } from '../../src/lifecycle/runner.js';
import { buildReport } from '../../src/report/html.js';
import { FakeHelm, FakeKube } from './fakes.js';

describe('facts a run learnt', () => {
  it("are the versions its run views were told, and nothing before any was asked", async () => {
    // helm's version is known without a helm process (as the version cache knows it): a run that
    // changes nothing asks helm nothing, and the report still names the version.
    const inner = Object.assign(new FakeHelm(), { knownVersion: async () => inner.version_ });
    const kube = new FakeKube();
    let serverAsked = 0;
    kube.serverVersion = async () => { serverAsked++; return 'v1.34.4'; };
    const helm = new StorageBackedHelmClient(inner, kube, { helmDriver: 'sql', scope: 'run' });
    assert.deepEqual(helm.knownFacts(), {});
    await runChart({ name: 'a', namespace: 'apps', chart: 'test/fixtures/charts/web' }, { helm: helm.forRun(), kube });
    const asked = { helm: inner.calls.filter((c) => c === 'version').length, server: serverAsked };
    assert.deepEqual(helm.knownFacts(), { helmVersion: 'v3.17.2', serverVersion: 'v1.34.4' });
    assert.deepEqual({ helm: inner.calls.filter((c) => c === 'version').length, server: serverAsked }, asked, 'knownFacts asked nothing');
  });
});

describe('runFactsOf', () => {
  it('names the kubeconfig, context and server, masks the command line, and holds no credential', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-facts-'));
    const kubeconfig = join(dir, 'config');
    await writeFile(kubeconfig, stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'dev',
      clusters: [{ name: 'c', cluster: { server: 'https://robot:pa55word@127.0.0.1:6443', 'certificate-authority-data': 'Q0EtREFUQQ==' } }],
      users: [{ name: 'u', user: { token: 'tok-very-secret-123', 'client-key-data': 'S0VZLURBVEE=' } }],
      contexts: [{ name: 'dev', context: { cluster: 'c', user: 'u' } }, { name: 'prod', context: { cluster: 'c', user: 'u' } }],
    }));
    const clients = createClients({ kubeconfig, kubeContext: 'prod', helmBinary: '/nonexistent/helm', releaseView: 'run' });
    const facts = runFactsOf({ argv: ['--kubeconfig', kubeconfig, '-l', 'tier in (a,b)', '--report', 'r.html', 'apply', 'hunter2'], clients, kubeconfig, mask: (t) => t.replaceAll('hunter2', '***') });
    assert.equal(facts.command, `helmcycle --kubeconfig ${kubeconfig} -l 'tier in (a,b)' --report r.html apply ***`);
    assert.equal(facts.kubeconfig, kubeconfig);
    assert.equal(facts.kubeContext, 'prod');
    assert.equal(facts.helmVersion, undefined, 'helm was never asked in this run');
    assert.equal(facts.clusterVersion, undefined);
    assert.match(facts.helmcycleVersion ?? '', /^\d+\.\d+\.\d+/);
    const html = buildReport([], facts);
    assert.match(html, /<dt>API server<\/dt><dd>https:\/\/127\.0\.0\.1:6443<\/dd>/);
    for (const secret of ['pa55word', 'robot', 'tok-very-secret-123', 'S0VZLURBVEE=', 'Q0EtREFUQQ==', 'hunter2']) assert.ok(!html.includes(secret), secret);
  });
});
