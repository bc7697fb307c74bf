// The environment check: which kubeconfig, context, API server or helm binary is wrong, where the choice
// came from and how to fix it, from facts (pure), and the probe against real files, a closed loopback
// port and missing binaries, never showing a kubeconfig's credentials.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  chooseHelm,
  chooseKubeconfig,
  describeProblems,
  displayServer,
  environmentProblems,
  type EnvironmentFacts,
  type KubeconfigFacts,
} from '../../src/cli/environment-check.js';
import { checkEnvironment, gatherEnvironmentFacts } from '../../src/cli/environment-probe.js';
import { EnvironmentError, isInputError } from '../../src/errors.js';
import { CliHelmClient } from '../../src/helm/cli-client.js';

const loaded: KubeconfigFacts = {
  state: 'loaded',
  contexts: ['kind-dev', 'prod'],
  currentContext: 'kind-dev',
  clusterName: 'dev',
  cluster: { name: 'dev', server: 'https://127.0.0.1:6443' },
  user: 'me',
};
const fromFlag = { path: '/k/config', origin: '--kubeconfig' } as const;
const helmOk = { choice: { binary: 'helm', origin: 'PATH' as const }, facts: { state: 'ran' as const, output: 'v3.17.2' } };

function problems(facts: EnvironmentFacts) {
  return environmentProblems(facts);
}

describe('choosing the kubeconfig and the helm binary', () => {
  it('takes --kubeconfig, else every file of KUBECONFIG (empty entries skipped), else ~/.kube/config, saying which', () => {
    assert.deepEqual(chooseKubeconfig('/a', '/b:/c', '/home/u'), { path: '/a', files: ['/a'], origin: '--kubeconfig' });
    // Issue 24, item 14: the whole list, as kubectl reads it (the first file alone before).
    assert.deepEqual(chooseKubeconfig(undefined, '/b:/c', '/home/u'), { path: '/b:/c', files: ['/b', '/c'], origin: 'KUBECONFIG' });
    assert.deepEqual(chooseKubeconfig(undefined, ':/b.yaml', '/home/u'), { path: '/b.yaml', files: ['/b.yaml'], origin: 'KUBECONFIG' });
    assert.deepEqual(chooseKubeconfig(undefined, '', '/home/u/'), { path: '/home/u/.kube/config', files: ['/home/u/.kube/config'], origin: 'default' });
  });

  it('takes --helm, else HELMCYCLE_HELM, else helm on PATH', () => {
    assert.deepEqual(chooseHelm('/x/helm', '/y/helm'), { binary: '/x/helm', origin: '--helm' });
    assert.deepEqual(chooseHelm(undefined, '/y/helm'), { binary: '/y/helm', origin: 'HELMCYCLE_HELM' });
    assert.deepEqual(chooseHelm(undefined, undefined), { binary: 'helm', origin: 'PATH' });
  });
});

describe('classifying the kubeconfig, context and server', () => {
  it('finds nothing wrong in a loaded kubeconfig whose server answered, even with 403', () => {
    assert.deepEqual(problems({ kubeconfig: { choice: fromFlag, facts: loaded }, server: { reached: true, status: 200 }, helm: helmOk }), []);
    assert.deepEqual(problems({ kubeconfig: { choice: fromFlag, facts: loaded }, server: { reached: true, status: 403 }, helm: helmOk }), []);
  });

  it('a missing kubeconfig names the path and where it came from, with the fix for that origin', () => {
    const flag = problems({ kubeconfig: { choice: fromFlag, facts: { state: 'missing' } } });
    assert.equal(flag[0]!.message, 'kubeconfig /k/config (given with --kubeconfig) does not exist');
    assert.match(flag[0]!.fix, /--kubeconfig/);
    const env = problems({ kubeconfig: { choice: { path: '/e/kc', origin: 'KUBECONFIG' }, facts: { state: 'missing' } } });
    assert.equal(env[0]!.message, 'kubeconfig /e/kc (from the KUBECONFIG environment variable) does not exist');
    assert.match(env[0]!.fix, /set KUBECONFIG/);
    const byDefault = problems({ kubeconfig: { choice: { path: '/home/u/.kube/config', origin: 'default' }, facts: { state: 'missing' } } });
    assert.match(byDefault[0]!.message, /^no kubeconfig: \/home\/u\/\.kube\/config does not exist \(the default, as neither --kubeconfig nor KUBECONFIG is set\)$/);
  });

  it('an unreadable or invalid kubeconfig says so with the reason', () => {
    assert.match(problems({ kubeconfig: { choice: fromFlag, facts: { state: 'unreadable', reason: 'EACCES' } } })[0]!.message, /cannot be read: EACCES$/);
    assert.match(problems({ kubeconfig: { choice: fromFlag, facts: { state: 'invalid', reason: 'clusters[0].name is missing' } } })[0]!.message, /is not a valid kubeconfig: clusters\[0\]\.name is missing$/);
  });

  it('a wrong --kube-context names it and lists the contexts the kubeconfig has', () => {
    const [problem, ...rest] = problems({ kubeconfig: { choice: fromFlag, facts: loaded }, requestedContext: 'staging' });
    assert.deepEqual(rest, []);
    assert.equal(problem!.subject, 'context');
    assert.equal(problem!.message, "context 'staging' (given with --kube-context) is not in kubeconfig /k/config; it has 2 contexts: 'kind-dev', 'prod'");
    assert.match(problem!.fix, /--kube-context/);
  });

  it('no current-context, a dangling one, or a context without its cluster are each named', () => {
    assert.match(problems({ kubeconfig: { choice: fromFlag, facts: { ...loaded, currentContext: '' } } })[0]!.message, /sets no current-context; it has 2 contexts/);
    assert.match(problems({ kubeconfig: { choice: fromFlag, facts: { ...loaded, currentContext: 'gone' } } })[0]!.message, /current-context 'gone' of kubeconfig \/k\/config is not one of its contexts/);
    const { cluster: _cluster, ...noCluster } = loaded;
    assert.match(problems({ kubeconfig: { choice: fromFlag, facts: noCluster } })[0]!.message, /context 'kind-dev' of kubeconfig \/k\/config names cluster 'dev', which the file does not define/);
  });

  it('an unreachable server names the URL, the context and the cluster, and says it was unreachable', () => {
    const base = { kubeconfig: { choice: fromFlag, facts: loaded }, probeSeconds: 5 };
    const refused = problems({ ...base, server: { reached: false, kind: 'network', code: 'ECONNREFUSED' } });
    assert.equal(refused[0]!.subject, 'server');
    assert.match(refused[0]!.message, /^the API server https:\/\/127\.0\.0\.1:6443 \(context 'kind-dev', cluster 'dev'\) is unreachable: the connection was refused .*; GET \/version was tried for 5 s$/);
    assert.match(problems({ ...base, server: { reached: false, kind: 'timeout' } })[0]!.message, /is unreachable: no answer to GET \/version within 5 s$/);
    assert.match(problems({ ...base, server: { reached: false, kind: 'tls', code: 'CERT_HAS_EXPIRED' } })[0]!.message, /TLS handshake failed \(CERT_HAS_EXPIRED\)/);
    assert.match(problems({ ...base, server: { reached: false, kind: 'network', code: 'ENOTFOUND' } })[0]!.message, /the host name does not resolve/);
    assert.equal(problems({ ...base, server: { reached: true, status: 401 } })[0]!.subject, 'credentials');
    assert.equal(problems({ ...base, requestedContext: 'prod', server: { reached: false, kind: 'timeout' } })[0]!.message.includes("context 'prod'"), true);
  });

  it('never shows the user:password part of a server URL', () => {
    assert.equal(displayServer('https://admin:s3cret@10.0.0.1:6443/prefix?token=abc'), 'https://10.0.0.1:6443/prefix');
    assert.equal(displayServer('//admin:s3cret@host:6443'), '//host:6443');
    const message = problems({ kubeconfig: { choice: fromFlag, facts: { ...loaded, cluster: { name: 'dev', server: 'https://admin:s3cret@10.0.0.1' } } }, server: { reached: false, kind: 'timeout' } })[0]!.message;
    assert.doesNotMatch(message, /s3cret|admin/);
  });
});

describe('classifying helm', () => {
  const from = (binary: string, origin: 'PATH' | '--helm' | 'HELMCYCLE_HELM') => ({ binary, origin });

  it('a missing helm names the binary looked for and how to set it', () => {
    const onPath = problems({ helm: { choice: from('helm', 'PATH'), facts: { state: 'not-found' } } })[0]!;
    assert.equal(onPath.message, "helm binary 'helm' is not on PATH (neither --helm nor HELMCYCLE_HELM is set)");
    assert.match(onPath.fix, /--helm.*HELMCYCLE_HELM/);
    assert.equal(problems({ helm: { choice: from('/opt/helm', '--helm'), facts: { state: 'not-found' } } })[0]!.message, 'helm binary /opt/helm (given with --helm) does not exist');
    assert.equal(problems({ helm: { choice: from('helm4', 'HELMCYCLE_HELM'), facts: { state: 'not-found' } } })[0]!.message, 'helm binary helm4 (from the HELMCYCLE_HELM environment variable) does not exist on PATH');
    assert.match(problems({ helm: { choice: from('/opt/helm', '--helm'), facts: { state: 'not-executable' } } })[0]!.message, /is not executable$/);
  });

  it('an unsupported major version or a binary that is not helm is refused; Helm 3 and 4 pass', () => {
    assert.match(problems({ helm: { choice: from('/opt/helm2', '--helm'), facts: { state: 'ran', output: 'v2.17.0' } } })[0]!.message, /is v2\.17\.0, which helmcycle does not support: it drives Helm 3 and Helm 4$/);
    assert.match(problems({ helm: { choice: from('/bin/true', '--helm'), facts: { state: 'ran', output: '' } } })[0]!.message, /does not look like helm/);
    for (const output of ['v3.17.2', 'v4.0.0']) assert.deepEqual(problems({ helm: { choice: from('helm', 'PATH'), facts: { state: 'ran', output } } }), []);
  });

  it('reports the cluster side and helm together, each with its fix', () => {
    const found = problems({ kubeconfig: { choice: fromFlag, facts: { state: 'missing' } }, helm: { choice: from('helm', 'PATH'), facts: { state: 'not-found' } } });
    assert.deepEqual(found.map((p) => p.subject), ['kubeconfig', 'helm']);
    const { message, hint } = describeProblems(found);
    assert.match(message, /^2 problems with the environment:\n {2}- kubeconfig .*\n {4}fix: .*\n {2}- helm binary .*\n {4}fix: /);
    assert.equal(hint, 'nothing was changed in the cluster');
    assert.match(describeProblems(found.slice(0, 1)).hint, /--kubeconfig; nothing was changed in the cluster$/);
  });
});

/** A loopback port nothing listens on: bound, read, and closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const TOKEN = 'kubeconfig-token-7f3a9c';

function kubeconfigText(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: local`,
    `  cluster: { server: "${server}" }`,
    'users:',
    `- name: me`,
    `  user: { token: ${TOKEN} }`,
    'contexts:',
    '- name: local',
    '  context: { cluster: local, user: me }',
    'current-context: local',
    '',
  ].join('\n');
}

async function fakeHelm(dir: string, version: string): Promise<string> {
  const path = join(dir, `helm-${version}`);
  await writeFile(path, `#!/bin/sh\necho ${version}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('probing the environment', () => {
  it('a closed loopback port is an unreachable server, and the error holds no token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-env-'));
    const kubeconfig = join(dir, 'config');
    await writeFile(kubeconfig, kubeconfigText(`https://127.0.0.1:${await closedPort()}`));
    const facts = await gatherEnvironmentFacts({ needs: 'cluster', kubeconfig, helm: await fakeHelm(dir, 'v3.17.2'), env: {}, serverProbeSeconds: 2 });
    assert.ok(facts.server && !facts.server.reached);
    assert.deepEqual([facts.server.kind, facts.server.code], ['network', 'ECONNREFUSED']);
    await assert.rejects(checkEnvironment({ needs: 'cluster', kubeconfig, helm: await fakeHelm(dir, 'v3.17.2'), env: {}, serverProbeSeconds: 2 }), (error: unknown) => {
      assert.ok(error instanceof EnvironmentError && isInputError(error));
      assert.deepEqual(error.subjects, ['server']);
      assert.match(error.message, /is unreachable: the connection was refused/);
      assert.doesNotMatch(`${error.message}\n${error.hint}`, new RegExp(TOKEN));
      return true;
    });
  });

  it('a kubeconfig that does not parse is named without quoting its lines (which hold tokens)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-env-'));
    const kubeconfig = join(dir, 'config');
    await writeFile(kubeconfig, `${kubeconfigText('https://127.0.0.1:1')}users: [\n`);
    await assert.rejects(checkEnvironment({ needs: 'cluster', kubeconfig, helm: await fakeHelm(dir, 'v3.17.2'), env: {} }), (error: unknown) => {
      assert.ok(error instanceof EnvironmentError);
      assert.match(error.message, /is not a valid kubeconfig: .*\(line \d+, column \d+\)$/);
      assert.doesNotMatch(error.message, new RegExp(TOKEN));
      return true;
    });
  });

  it('finds the default kubeconfig missing, a helm that is not there and a Helm 2, by running them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-env-'));
    const facts = await gatherEnvironmentFacts({ needs: 'cluster', env: { HELMCYCLE_HELM: join(dir, 'no-helm') }, home: dir });
    assert.deepEqual(facts.kubeconfig, { choice: { path: join(dir, '.kube', 'config'), files: [join(dir, '.kube', 'config')], origin: 'default' }, facts: { state: 'missing' } });
    assert.deepEqual(facts.helm, { choice: { binary: join(dir, 'no-helm'), origin: 'HELMCYCLE_HELM' }, facts: { state: 'not-found' } });
    const helm2 = await gatherEnvironmentFacts({ needs: 'local', helm: await fakeHelm(dir, 'v2.17.0'), env: {}, home: dir });
    assert.equal(helm2.kubeconfig, undefined, 'a render names no kubeconfig: none is checked');
    assert.deepEqual(environmentProblems(helm2).map((p) => p.subject), ['helm']);
  });

  it('hands the helm version it found to the run, so helm is not asked twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-env-'));
    const found = await checkEnvironment({ needs: 'local', helm: await fakeHelm(dir, 'v3.17.2'), env: {}, home: dir });
    assert.deepEqual(found.helmVersion, { version: 'v3.17.2', major: 3, minor: 17, patch: 2 });
    // A binary that does not exist: any `helm version` the client ran would fail.
    const client = new CliHelmClient({ binary: join(dir, 'no-helm'), knownVersion: found.helmVersion! });
    assert.deepEqual(await client.version(), found.helmVersion);
  });

  it('a render checks the kubeconfig only when one was named, and never the server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-env-'));
    await mkdir(join(dir, '.kube'));
    const kubeconfig = join(dir, '.kube', 'config');
    await writeFile(kubeconfig, kubeconfigText(`https://127.0.0.1:${await closedPort()}`));
    const helm = await fakeHelm(dir, 'v4.0.0');
    const facts = await gatherEnvironmentFacts({ needs: 'local', kubeconfig, helm, env: {} });
    assert.equal(facts.server, undefined);
    assert.deepEqual(environmentProblems(facts), []);
    const wrong = await gatherEnvironmentFacts({ needs: 'local', kubeContext: 'nope', helm, env: {}, home: dir });
    assert.deepEqual(environmentProblems(wrong).map((p) => p.subject), ['context']);
  });
});
