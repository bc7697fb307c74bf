import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseChartSpec } from '../../src/config/parse.js';
import { upgradeRequest } from '../../src/lifecycle/requests.js';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { packageUrl, pickIndexEntry, parseRepositoryIndex, scanIndexEntries, semverRange } from '../../src/helm/chart-resolver.js';
import { packageFileName } from '../../src/helm/chart-download.js';
import { parseReleaseObject, releaseInfoOf } from '../../src/helm/parse.js';
import { decodeReleaseRecord, groupRecords, storageDriverOf } from '../../src/helm/release-storage.js';
import { StorageBackedHelmClient } from '../../src/helm/storage-backed-client.js';
import type { KubeObject } from '../../src/kube/types.js';
import { FakeHelm, FakeKube } from './fakes.js';

interface Revision { name: string; namespace: string; revision: number; status: string; version?: string; labels?: Record<string, string>; config?: Record<string, unknown> }

/** A release record as Helm's secret (or configmap) driver writes it. */
function record({ name, namespace, revision, status, version = '1.0.0', labels = {}, config = { replicas: 2 } }: Revision, driver: 'secret' | 'configmap' = 'secret'): KubeObject {
  const release = {
    name, namespace, version: revision, config,
    manifest: `---\n# Source: web/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}-web\n`,
    info: { status, description: `revision ${revision}`, last_deployed: '2026-12-01T20:00:00.123456789Z', first_deployed: '2026-12-01T19:00:00Z' },
    chart: { metadata: { name: 'web', version, appVersion: '2.1' }, templates: [] },
  };
  const field = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
  const systemLabels = { owner: 'helm', name, status, version: String(revision), modifiedAt: '1764619200' };
  return {
    apiVersion: 'v1',
    kind: driver === 'secret' ? 'Secret' : 'ConfigMap',
    metadata: { name: `sh.helm.release.v1.${name}.v${revision}`, namespace, labels: { ...labels, ...systemLabels } },
    ...(driver === 'secret' ? { type: 'helm.sh/release.v1', data: { release: Buffer.from(field).toString('base64') } } : { data: { release: field } }),
  };
}

class CountingKube extends FakeKube {
  listCalls: string[] = [];
  override async listByLabels(apiVersion: string, kind: string, namespace: string, selector: string) {
    this.listCalls.push(`${namespace}:${selector}`);
    return super.listByLabels(apiVersion, kind, namespace, selector);
  }
  add(object: KubeObject) {
    this.objects.set(FakeKube.key({ ...object, name: object.metadata.name, namespace: object.metadata.namespace }), object);
  }
}

describe('release records', () => {
  it('decodes a Secret record (base64 twice, gzip) and a ConfigMap record (base64 once)', () => {
    for (const driver of ['secret', 'configmap'] as const) {
      const stored = decodeReleaseRecord(record({ name: 'web', namespace: 'apps', revision: 3, status: 'deployed', labels: { tier: 'app' } }, driver), driver);
      assert.deepEqual(
        { ...stored, manifest: undefined },
        {
          name: 'web', namespace: 'apps', revision: 3, status: 'deployed', chartName: 'web', chartVersion: '1.0.0', appVersion: '2.1',
          description: 'revision 3', updated: '2026-12-01T20:00:00.123456789Z', manifest: undefined, config: { replicas: 2 }, labels: { tier: 'app' },
        },
        driver,
      );
      assert.match(stored.manifest, /name: web-web/);
    }
  });

  it('groups revisions by release, oldest first, leaving out Secrets that are not helm release records', () => {
    const impostor = { ...record({ name: 'web', namespace: 'apps', revision: 9, status: 'deployed' }), type: 'Opaque' };
    const grouped = groupRecords([
      record({ name: 'web', namespace: 'apps', revision: 2, status: 'deployed' }),
      record({ name: 'db', namespace: 'apps', revision: 1, status: 'failed' }),
      record({ name: 'web', namespace: 'apps', revision: 1, status: 'superseded' }),
      impostor,
    ], 'secret');
    assert.deepEqual([...grouped.entries()].map(([name, revs]) => [name, revs.map((r) => `${r.revision}:${r.status}`)]), [['web', ['1:superseded', '2:deployed']], ['db', ['1:failed']]]);
  });

  it('names the record it cannot decode', () => {
    const broken = { ...record({ name: 'web', namespace: 'apps', revision: 1, status: 'deployed' }), data: { release: Buffer.from('not gzip, not json').toString('base64') } };
    assert.throws(() => decodeReleaseRecord(broken, 'secret'), /release record apps\/sh\.helm\.release\.v1\.web\.v1 cannot be decoded/);
  });

  it('reads HELM_DRIVER as helm does, and refuses drivers it cannot read', () => {
    assert.deepEqual(['', undefined, 'secrets', 'Secret', 'configmap', 'configmaps', 'sql', 'memory'].map((d) => storageDriverOf(d)), ['secret', 'secret', 'secret', 'secret', 'configmap', 'configmap', undefined, undefined]);
  });
});

describe('the storage-backed helm client', () => {
  it('in a run, lists a namespace once for every release and question, and re-reads only the release it changed', async () => {
    const kube = new CountingKube();
    kube.add(record({ name: 'a', namespace: 'apps', revision: 1, status: 'deployed' }));
    kube.add(record({ name: 'b', namespace: 'apps', revision: 1, status: 'superseded' }));
    kube.add(record({ name: 'b', namespace: 'apps', revision: 2, status: 'pending-upgrade' }));
    const helm = new FakeHelm();
    const client = new StorageBackedHelmClient(helm, kube, { helmDriver: '', scope: 'run' });
    assert.equal((await client.status({ release: 'a', namespace: 'apps' }))?.status, 'deployed');
    assert.deepEqual((await client.history({ release: 'b', namespace: 'apps' })).map((r) => [r.revision, r.status, r.chart]), [[1, 'superseded', 'web-1.0.0'], [2, 'pending-upgrade', 'web-1.0.0']]);
    assert.deepEqual(await client.getValues({ release: 'a', namespace: 'apps' }), { replicas: 2 });
    assert.match(await client.getManifest({ release: 'b', namespace: 'apps', revision: 1 }), /name: b-web/);
    assert.equal(await client.status({ release: 'absent', namespace: 'apps' }), undefined);
    assert.deepEqual(kube.listCalls, ['apps:owner=helm']);
    assert.deepEqual(helm.calls, [], 'no helm call for a question');

    // helm writes revision 2 of a; only a is read again.
    helm.upgradeInstall = async (request) => {
      kube.add(record({ name: request.release, namespace: request.namespace, revision: 2, status: 'deployed', version: '1.1.0' }));
      return (await client.status(request))!;
    };
    await client.upgradeInstall(upgradeRequest(parseChartSpec({ name: 'a', namespace: 'apps', chart: './charts/web' })));
    assert.deepEqual(kube.listCalls, ['apps:owner=helm', 'apps:owner=helm,name=a']);
    const after = await client.status({ release: 'a', namespace: 'apps' });
    assert.deepEqual([after?.revision, after?.chartVersion], [2, '1.1.0']);
    assert.equal(kube.listCalls.length, 2);
  });

  it('outside a run, reads the release afresh each time (a change made by another helm shows at once)', async () => {
    const kube = new CountingKube();
    kube.add(record({ name: 'a', namespace: 'apps', revision: 1, status: 'deployed' }));
    const client = new StorageBackedHelmClient(new FakeHelm(), kube, { helmDriver: 'secret' });
    assert.equal((await client.status({ release: 'a', namespace: 'apps' }))?.status, 'deployed');
    kube.add(record({ name: 'a', namespace: 'apps', revision: 2, status: 'pending-upgrade' }));
    assert.equal((await client.status({ release: 'a', namespace: 'apps' }))?.status, 'pending-upgrade');
    assert.deepEqual(kube.listCalls, ['apps:owner=helm,name=a', 'apps:owner=helm,name=a']);
  });

  it('asks helm when the storage cannot be read: an unsupported driver, or a list the caller may not make', async () => {
    const helm = new FakeHelm();
    helm.current = { name: 'a', namespace: 'apps', revision: 7, status: 'deployed', chartName: 'web', chartVersion: '1.0.0', appVersion: undefined, description: undefined, updated: undefined };
    const sql = new StorageBackedHelmClient(helm, new CountingKube(), { helmDriver: 'sql' });
    assert.equal((await sql.status({ release: 'a', namespace: 'apps' }))?.revision, 7);
    const denied = new CountingKube();
    denied.listByLabels = async () => { throw new Error('secrets is forbidden'); };
    const client = new StorageBackedHelmClient(helm, denied, { helmDriver: 'secret', scope: 'run' });
    assert.equal((await client.status({ release: 'a', namespace: 'apps' }))?.revision, 7);
  });

  it('resolves a local chart folder from its Chart.yaml and keeps one answer per source in a run', async () => {
    const helm = new FakeHelm();
    const client = new StorageBackedHelmClient(helm, new CountingKube(), { helmDriver: 'secret', scope: 'run' });
    const chart = await client.showChart({ chart: 'test/fixtures/charts/web' });
    assert.equal(chart.name, 'web');
    assert.match(chart.version, /^\d+\.\d+\.\d+/);
    // An OCI chart is helm's to resolve, once.
    await client.showChart({ chart: 'oci://localhost:5000/charts/web', version: '1.0.0' });
    await client.showChart({ chart: 'oci://localhost:5000/charts/web', version: '1.0.0' });
    assert.deepEqual(helm.calls, ['showChart']);
  });
});

describe('the charts of a run', () => {
  it('pulls a repository chart once into a private run folder and installs every release from it', async () => {
    const pulls: string[] = [];
    const helm = new (class extends FakeHelm {
      override async pull(_source?: unknown, destination = '') { pulls.push(destination); return join(destination, 'web'); }
    })();
    const client = new StorageBackedHelmClient(helm, new CountingKube(), { helmDriver: 'sql' }).forRun();
    const source = { chart: 'web', repository: 'http://127.0.0.1:1/charts', version: '^1.0.0' };
    for (const release of ['a', 'b', 'c']) await client.upgradeInstall({ ...upgradeRequest(parseChartSpec({ name: release, namespace: 'apps', chart: 'x' })), source });
    assert.equal(pulls.length, 1);
    const folder = dirname(pulls[0]!);
    assert.equal((await stat(folder)).mode & 0o777, 0o700);
    assert.deepEqual(helm.upgradeRequests.map((r) => r.source), Array(3).fill({ chart: join(pulls[0]!, 'web') }));
    // A local chart is used where it is.
    await client.upgradeInstall({ ...upgradeRequest(parseChartSpec({ name: 'd', namespace: 'apps', chart: './charts/web' })) });
    assert.deepEqual(helm.upgradeRequests.at(-1)?.source.chart, './charts/web');
    await client.dispose();
    await assert.rejects(stat(folder), /ENOENT/);
  });

  /** A chart repository on loopback: its index lists web 1.0.0 with `digest`; counts what is downloaded. */
  async function serveRepository(digestOf: (bytes: Buffer) => string) {
    const tgz = gzipSync(Buffer.from('not a real chart, only bytes to compare'));
    const index = ['apiVersion: v1', 'entries:', '  web:', '  - name: web', '    version: 1.0.0', `    digest: ${digestOf(tgz)}`, '    urls:', '    - packages/web-1.0.0.tgz', ''].join('\n');
    const served: string[] = [];
    const server = createServer((request, response) => {
      served.push(request.url ?? '');
      if (request.url === '/charts/index.yaml') response.end(index);
      else if (request.url === '/charts/packages/web-1.0.0.tgz') response.end(tgz);
      else response.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/charts`;
    return { url, tgz, served, close: () => new Promise<void>((done) => server.close(() => done())) };
  }

  it('downloads a plain repository chart itself, once a run, checked against the index digest (no helm pull)', async () => {
    const repo = await serveRepository((bytes) => createHash('sha256').update(bytes).digest('hex'));
    try {
      const helm = new FakeHelm();
      const client = new StorageBackedHelmClient(helm, new CountingKube(), { helmDriver: 'sql' }).forRun();
      const source = { chart: 'web', repository: repo.url, version: '1.0.0' };
      for (const release of ['a', 'b']) await client.upgradeInstall({ ...upgradeRequest(parseChartSpec({ name: release, namespace: 'apps', chart: 'x' })), source });
      assert.deepEqual(helm.calls.filter((call) => call === 'pull'), [], 'helm pulled nothing');
      const installed = helm.upgradeRequests.map((r) => r.source.chart);
      assert.equal(new Set(installed).size, 1);
      assert.ok(installed[0]!.endsWith('/web-1.0.0.tgz'), installed[0]);
      assert.deepEqual(await readFile(installed[0]!), repo.tgz);
      assert.equal((await stat(installed[0]!)).mode & 0o777, 0o600);
      assert.deepEqual(repo.served, ['/charts/index.yaml', '/charts/packages/web-1.0.0.tgz']);
      await client.dispose();
    } finally {
      await repo.close();
    }
  });

  it('lets helm pull a package whose bytes do not match the index digest', async () => {
    const repo = await serveRepository(() => 'a'.repeat(64));
    try {
      const helm = new FakeHelm();
      const client = new StorageBackedHelmClient(helm, new CountingKube(), { helmDriver: 'sql' }).forRun();
      await client.upgradeInstall({ ...upgradeRequest(parseChartSpec({ name: 'a', namespace: 'apps', chart: 'x' })), source: { chart: 'web', repository: repo.url, version: '1.0.0' } });
      assert.ok(helm.calls.includes('pull'), helm.calls.join(', '));
      assert.equal(helm.upgradeRequests[0]?.source.chart, '/tmp/web');
      await client.dispose();
    } finally {
      await repo.close();
    }
  });

  it('resolves package URLs as helm does and names package files safely', () => {
    assert.equal(packageUrl('https://charts.example/stable', 'web-1.0.0.tgz'), 'https://charts.example/stable/web-1.0.0.tgz');
    assert.equal(packageUrl('https://charts.example/stable/', 'pkgs/web-1.0.0.tgz'), 'https://charts.example/stable/pkgs/web-1.0.0.tgz');
    assert.equal(packageUrl('https://charts.example/stable', '/abs/web-1.0.0.tgz'), 'https://charts.example/abs/web-1.0.0.tgz');
    assert.equal(packageUrl('https://charts.example/stable?token=x', 'web-1.0.0.tgz'), 'https://charts.example/stable/web-1.0.0.tgz?token=x');
    assert.equal(packageUrl('https://charts.example/stable', 'https://cdn.example/web-1.0.0.tgz'), 'https://cdn.example/web-1.0.0.tgz');
    assert.equal(packageFileName({ name: '../../etc', version: '1.0.0/x' }), '__.._etc-1.0.0_x.tgz');
  });

  it('outside a run, installs from the source as given', async () => {
    const helm = new FakeHelm();
    const client = new StorageBackedHelmClient(helm, new CountingKube(), { helmDriver: 'sql' });
    const source = { chart: 'web', repository: 'http://127.0.0.1:1/charts', version: '1.0.0' };
    await client.upgradeInstall({ ...upgradeRequest(parseChartSpec({ name: 'a', namespace: 'apps', chart: 'x' })), source });
    assert.deepEqual(helm.upgradeRequests[0]?.source, source);
  });
});

describe('repository indexes', () => {
  const index = parseRepositoryIndex([
    'apiVersion: v1',
    'entries:',
    '  web:',
    ...['2.0.0', '1.10.0', '1.2.0', '1.2.0-rc.1', '1.0.0', '3.0.0-beta.1'].map((v) => `  - { name: web, version: ${v}, appVersion: "${v}-app" }`),
  ].join('\n'));
  const pick = (version?: string) => {
    const entry = pickIndexEntry(index.get('web')!, version);
    return entry && entry !== 'none' ? entry.version : entry;
  };

  it('picks the version helm picks: exact first, else the highest that satisfies, no pre-releases unasked', () => {
    assert.equal(pick(undefined), '2.0.0');
    assert.equal(pick('1.2.0-rc.1'), '1.2.0-rc.1');
    assert.equal(pick('^1.0.0'), '1.10.0');
    assert.equal(pick('>= 1.0.0, < 1.5.0'), '1.2.0');
    assert.equal(pick('~1.2'), '1.2.0');
    assert.equal(pick('1.x'), '1.10.0');
    assert.equal(pick('^4.0.0'), 'none');
  });

  it('scans one chart of a block-style index as a full YAML parse reads it, and declines other shapes', () => {
    const text = [
      'apiVersion: v1',
      'entries:',
      '  db:',
      '  - apiVersion: v2',
      '    name: db',
      '    version: 9.9.9',
      '    urls:',
      '    - db-9.9.9.tgz',
      '  web:',
      '  - annotations:',
      '      category: Infrastructure',
      '      version: not-this',
      '    apiVersion: v2',
      '    appVersion: "2.1"',
      '    dependencies:',
      '    - name: common',
      '      version: 1.x.x',
      '    description: |',
      '      version: 0.0.0 inside a literal block',
      '    kubeVersion: \'>=1.25.0-0\'',
      '    maintainers:',
      '    - name: team',
      '    name: web',
      '    urls:',
      '    - https://charts.example/web-1.2.0.tgz',
      '    version: 1.2.0',
      '  - appVersion: v2 # a comment',
      '    name: web',
      '    version: 1.1.0',
      'generated: "2026-12-01T20:00:00Z"',
    ].join('\n');
    const pickFields = (entries: readonly { name?: unknown; version?: unknown; appVersion?: unknown; kubeVersion?: unknown }[] | undefined) => entries?.map(({ name, version, appVersion, kubeVersion }) => ({ name, version, appVersion: appVersion === undefined ? undefined : String(appVersion), kubeVersion }));
    assert.deepEqual(pickFields(scanIndexEntries(text, 'web')), pickFields(parseRepositoryIndex(text).get('web')));
    assert.deepEqual(pickFields(scanIndexEntries(text, 'web'))?.map((e) => e.version), ['1.2.0', '1.1.0']);
    assert.deepEqual(scanIndexEntries(text, 'db')?.map((e) => e.version), ['9.9.9']);
    assert.deepEqual(scanIndexEntries(text, 'absent'), []);
    assert.deepEqual(scanIndexEntries(text, 'web')?.map((e) => e.urls), [['https://charts.example/web-1.2.0.tgz'], undefined]);
    assert.deepEqual(scanIndexEntries(text, 'db')?.map((e) => e.urls), [['db-9.9.9.tgz']]);
    const deeper = 'entries:\n  web:\n  - name: web\n    urls:\n      - "a.tgz"\n      - b.tgz\n    digest: ABC\n    version: 1.0.0\n';
    assert.deepEqual(scanIndexEntries(deeper, 'web'), parseRepositoryIndex(deeper).get('web'));
    assert.equal(scanIndexEntries('entries:\n  web:\n  - { name: web, version: 1.0.0 }\n', 'web'), undefined, 'flow style');
    assert.equal(scanIndexEntries('apiVersion: v1\n', 'web'), undefined, 'no entries');
  });

  it('leaves a constraint node-semver cannot read to helm', () => {
    assert.equal(semverRange('>=1.0.0 <2.0.0 !!'), undefined);
    assert.equal(pick('not a range'), undefined);
  });
});

describe('one reading of a release object', () => {
  it('what `helm upgrade -o json` prints and what helm stores decode alike', () => {
    const stored = decodeReleaseRecord(record({ name: 'web', namespace: 'apps', revision: 3, status: 'deployed' }), 'secret');
    const { labels: _labels, ...fromStorage } = stored;
    // The same release JSON, as helm prints it after an upgrade.
    const field = Buffer.from(String((record({ name: 'web', namespace: 'apps', revision: 3, status: 'deployed' }).data as { release: string }).release), 'base64').toString();
    const printed = JSON.parse(gunzipSync(Buffer.from(field, 'base64')).toString());
    assert.deepEqual(parseReleaseObject(JSON.stringify(printed)), fromStorage);
    assert.deepEqual(Object.keys(releaseInfoOf(stored)).sort(), ['appVersion', 'chartName', 'chartVersion', 'description', 'labels', 'name', 'namespace', 'revision', 'status', 'updated']);
  });
});
