import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  escapeSetValue, flagValue, getMetadataArgv, registryLoginArgv, repoAddArgv, rollbackArgv, testArgv, uninstallArgv, upgradeArgv, upgradeOptionArgs, valuesArgs, versionArgv, withFlags,
} from '../../src/helm/argv.js';
import type { HelmVersion, UpgradeOptions, ValuesInput } from '../../src/helm/types.js';

const helm3: HelmVersion = { version: 'v3.17.2', major: 3, minor: 17, patch: 2 };
const helm3Old: HelmVersion = { version: 'v3.14.0', major: 3, minor: 14, patch: 0 };
const helm4: HelmVersion = { version: 'v4.1.4', major: 4, minor: 1, patch: 4 };

const baseOptions: UpgradeOptions = {
  createNamespace: false, atomic: false, wait: false, waitForJobs: false, timeoutSeconds: 300, force: false,
  cleanupOnFail: false, historyMax: 10, skipCrds: false, disableHooks: false, takeOwnership: false, labels: {},
};
const noValues: ValuesInput = { values: [], valuesFiles: [], yamlFilesContent: [], setSensitive: {}, setJson: {}, set: {}, setString: {} };

describe('upgradeOptionArgs: Helm 3 and Helm 4 spell the same intent differently', () => {
  const table: { option: Partial<UpgradeOptions>; helm3: string[]; helm4: string[] }[] = [
    { option: { atomic: true }, helm3: ['--atomic'], helm4: ['--rollback-on-failure'] },
    { option: { wait: true }, helm3: ['--wait'], helm4: ['--wait=watcher'] },
    { option: { force: true }, helm3: ['--force'], helm4: ['--force-replace', '--server-side=false'] },
    { option: { takeOwnership: true }, helm3: ['--take-ownership'], helm4: ['--take-ownership'] },
    { option: { waitForJobs: true }, helm3: ['--wait-for-jobs'], helm4: ['--wait-for-jobs'] },
    { option: { createNamespace: true }, helm3: ['--create-namespace'], helm4: ['--create-namespace'] },
    { option: { skipCrds: true }, helm3: ['--skip-crds'], helm4: ['--skip-crds'] },
    { option: { disableHooks: true }, helm3: ['--no-hooks'], helm4: ['--no-hooks'] },
    { option: { cleanupOnFail: true }, helm3: ['--cleanup-on-fail'], helm4: ['--cleanup-on-fail'] },
  ];
  for (const row of table) {
    const name = Object.keys(row.option)[0];
    it(`${name}`, () => {
      const base3 = upgradeOptionArgs(helm3, baseOptions);
      const with3 = upgradeOptionArgs(helm3, { ...baseOptions, ...row.option });
      const with4 = upgradeOptionArgs(helm4, { ...baseOptions, ...row.option });
      assert.deepEqual(with3.filter((a) => !base3.includes(a)), row.helm3);
      assert.deepEqual(with4.filter((a) => !base3.includes(a)), row.helm4);
    });
  }

  it('always passes the timeout in seconds and the history limit', () => {
    assert.deepEqual(upgradeOptionArgs(helm4, { ...baseOptions, timeoutSeconds: 42, historyMax: 3 }), ['--disable-openapi-validation', '--timeout=42s', '--history-max=3']);
  });

  it("turns helm's client-side OpenAPI check off with both majors (the API server validates strictly instead)", () => {
    for (const version of [helm3, helm4]) assert.equal(upgradeOptionArgs(version, baseOptions).filter((a) => a === '--disable-openapi-validation').length, 1);
  });

  it('refuses takeOwnership on a Helm 3 older than 3.17', () => {
    assert.throws(() => upgradeOptionArgs(helm3Old, { ...baseOptions, takeOwnership: true }), /takeOwnership needs Helm 3.17/);
  });

  // Was one `--labels team=a\,b,tier=infra`, which helm refuses ("b must be formatted as key=value"):
  // pflag reads the value as CSV, so a comma stays in its label only inside quotes.
  it('passes description and one --labels per label, a comma kept inside its label by CSV quotes', () => {
    const args = upgradeOptionArgs(helm3, { ...baseOptions, description: 'first', labels: { team: 'a,b', tier: 'infra' } });
    assert.deepEqual(args.slice(-3), ['--description=first', '--labels="team=a,b"', '--labels=tier=infra']);
  });
});

describe('upgradeArgv', () => {
  it('builds a repository install with values in precedence order', () => {
    const values: ValuesInput = { ...noValues, setJson: { list: [1, 2] }, set: { replicas: 2 }, setString: { tag: '1,0' } };
    const argv = upgradeArgv(helm3, {
      release: 'web', namespace: 'apps',
      source: { chart: 'web', repository: 'http://127.0.0.1:1/charts', version: '^1.0' },
      values, options: { ...baseOptions, wait: true },
    }, ['/tmp/a.yaml', '/tmp/b.yaml']);
    assert.deepEqual(argv, [
      'upgrade', '--install', '--repo=http://127.0.0.1:1/charts', '--version=^1.0',
      '--namespace=apps',
      '--values=/tmp/a.yaml', '--values=/tmp/b.yaml',
      '--set-json=list=[1,2]', '--set=replicas=2', '--set-string=tag=1\\,0',
      '--reset-values',
      '--disable-openapi-validation', '--wait', '--timeout=300s', '--history-max=10',
      '--output=json',
      '--', 'web', 'web',
    ]);
  });

  it('never puts sensitive values or repository passwords on the argv', () => {
    const argv = upgradeArgv(helm4, {
      release: 'db', namespace: 'data',
      source: { chart: 'db', repository: 'https://charts.example.com', auth: { username: 'u', password: 'hunter2-pass' } },
      values: { ...noValues, setSensitive: { 'auth.password': 'sup3r-s3cret' } },
      options: baseOptions,
    }, ['/tmp/sensitive.yaml'], { repositoryAlias: 'helmcycle-abc', repositoryConfig: '/tmp/r.yaml', repositoryCache: '/tmp/c' });
    const joined = argv.join(' ');
    assert.ok(!joined.includes('sup3r-s3cret'));
    assert.ok(!joined.includes('hunter2-pass'));
    assert.deepEqual(argv.slice(-3), ['--', 'db', 'helmcycle-abc/db'], 'the chart is reached through the private repository alias');
    assert.ok(!argv.some((a) => a.startsWith('--repo=')), 'no --repo when the repository was added with credentials');
  });

  it('passes --plain-http for an OCI chart and a server-side dry run', () => {
    const argv = upgradeArgv(helm4, {
      release: 'web', namespace: 'default', source: { chart: 'oci://127.0.0.1:5000/charts/web', plainHttp: true },
      values: noValues, options: baseOptions, dryRun: true,
    }, []);
    assert.deepEqual(argv.slice(0, 3), ['upgrade', '--install', '--plain-http']);
    assert.deepEqual(argv.slice(-3), ['--', 'web', 'oci://127.0.0.1:5000/charts/web']);
    assert.ok(argv.includes('--dry-run=server'));
  });
});

describe('other commands', () => {
  it('uninstall ignores a missing release and can wait', () => {
    assert.deepEqual(uninstallArgv({ release: 'web', namespace: 'apps', wait: true, timeoutSeconds: 60 }), [
      'uninstall', '--namespace=apps', '--wait', '--timeout=60s', '--ignore-not-found', '--', 'web',
    ]);
  });

  it('rollback uses the Helm 4 wait strategy and force flag', () => {
    const request = { release: 'web', namespace: 'apps', revision: 2, wait: true, timeoutSeconds: 30, force: true };
    assert.deepEqual(rollbackArgv(helm3, request), ['rollback', '--namespace=apps', '--wait', '--timeout=30s', '--force', '--', 'web', '2']);
    assert.deepEqual(rollbackArgv(helm4, request), ['rollback', '--namespace=apps', '--wait=watcher', '--timeout=30s', '--force-replace', '--server-side=false', '--', 'web', '2']);
  });

  it('escapes helm --set separators', () => {
    assert.equal(escapeSetValue('a,b\\c'), 'a\\,b\\\\c');
    assert.deepEqual(valuesArgs({ ...noValues, set: { 'a.b': true } }, []), ['--set=a.b=true']);
  });
});

describe('testArgv', () => {
  it('passes each filter entry as its own --filter, and the timeout only when set', () => {
    assert.deepEqual(testArgv({ release: 'web', namespace: 'apps', timeoutSeconds: 90, filter: ['name=a', '!name=b'] }),
      ['test', '--namespace=apps', '--timeout=90s', '--filter=name=a', '--filter=!name=b', '--', 'web']);
    assert.deepEqual(testArgv({ release: 'web', namespace: 'apps', filter: [] }), ['test', '--namespace=apps', '--', 'web']);
  });
});

describe('keys, globals and logins keep the argv shape', () => {
  it('writes a --set key back as the one set-path parser read it: a , or = inside a key starts no other assignment', () => {
    const values: ValuesInput = { ...noValues, set: { 'x=1,image.repository': 'evil', 'a\\.b[0].c': 1 }, setString: { 'annotations.cert-manager\\.io/issuer': 'ca' } };
    assert.deepEqual(valuesArgs(values, []), ['--set=x\\=1\\,image.repository=evil', '--set=a\\.b[0].c=1', '--set-string=annotations.cert-manager\\.io/issuer=ca']);
    assert.throws(() => valuesArgs({ ...noValues, set: { '\\__proto__.x': 1 } }, []), /prototype/);
  });

  it('puts the client\'s --kubeconfig and --kube-context before the end-of-flags marker, whatever they hold', () => {
    const global = [flagValue('kubeconfig', '-x'), flagValue('kube-context', '--post-renderer=./evil.sh')];
    assert.deepEqual(withFlags(uninstallArgv({ release: 'web', namespace: 'apps', wait: false, timeoutSeconds: 5 }), global), [
      'uninstall', '--namespace=apps', '--timeout=5s', '--ignore-not-found', '--kubeconfig=-x', '--kube-context=--post-renderer=./evil.sh', '--', 'web',
    ]);
    // A release named `--` stays after the marker: the marker is the first bare `--`.
    assert.deepEqual(withFlags(getMetadataArgv({ release: '--', namespace: 'a' }), ['--kube-context=c']), ['get', 'metadata', '--namespace=a', '--output=json', '--kube-context=c', '--', '--']);
    assert.deepEqual(withFlags(versionArgv(), ['--kube-context=c']), ['version', '--template={{.Version}}', '--kube-context=c', '--']);
  });

  it('logs into a repository or registry with the username inside --username= and the host, alias and URL after --', () => {
    assert.deepEqual(registryLoginArgv({ host: '-h', username: '--password=x', registryConfig: '/p/r.json', tls: ['--ca-file=/ca'], insecure: ['--plain-http'] }), [
      'registry', 'login', '--username=--password=x', '--password-stdin', '--registry-config=/p/r.json', '--ca-file=/ca', '--plain-http', '--', '-h',
    ]);
    assert.deepEqual(repoAddArgv({ alias: 'helmcycle-abc', url: '--url', username: '-u', access: { repositoryConfig: '/p/r.yaml', repositoryCache: '/p/c' }, flags: ['--pass-credentials'] }), [
      'repo', 'add', '--username=-u', '--password-stdin', '--repository-config=/p/r.yaml', '--repository-cache=/p/c', '--pass-credentials', '--', 'helmcycle-abc', '--url',
    ]);
  });
});
