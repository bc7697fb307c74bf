// One kubeconfig for the environment check, the KubeClient and helm (issue 24, item 14): KUBECONFIG's
// list with empty entries skipped and merged as kubectl merges it (the first file to set a value wins).
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gatherEnvironmentFacts } from '../../src/cli/environment-probe.js';
import { createClients } from '../../src/clients.js';
import { loadKubeconfigFiles } from '../../src/kube/kubeconfig-files.js';

const kubeconfig = (context: string, clusters: Record<string, string>) =>
  `apiVersion: v1\nkind: Config\ncurrent-context: ${context}\nclusters:\n${Object.entries(clusters).map(([name, server]) => `- name: ${name}\n  cluster: {server: '${server}'}\n`).join('')}users:\n- name: u\n  user: {token: t}\ncontexts:\n${Object.keys(clusters).map((name) => `- name: ${name}\n  context: {cluster: ${name}, user: u}\n`).join('')}`;

async function files() {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-kubeconfig-'));
  const home = join(dir, 'home');
  await mkdir(join(home, '.kube'), { recursive: true });
  await writeFile(join(home, '.kube', 'config'), kubeconfig('home', { home: 'https://home.example:6443' }));
  await writeFile(join(dir, 'a.yaml'), kubeconfig('a', { a: 'https://a.example:6443', shared: 'https://from-a.example:6443' }));
  await writeFile(join(dir, 'b.yaml'), kubeconfig('b', { b: 'https://b.example:6443', shared: 'https://from-b.example:6443' }));
  const helm = join(dir, 'helm');
  // A stand-in helm that records its argv and the KUBECONFIG it was given.
  await writeFile(helm, `#!/bin/sh\necho "argv: $*" >> ${join(dir, 'helm.log')}\necho "KUBECONFIG=$KUBECONFIG" >> ${join(dir, 'helm.log')}\necho v3.17.2\n`);
  await chmod(helm, 0o755);
  return { dir, home, a: join(dir, 'a.yaml'), b: join(dir, 'b.yaml'), helm };
}

describe('KUBECONFIG as kubectl reads it', () => {
  it('merges the files, the first to set a value winning, and skips files that do not exist', async () => {
    const { dir, a, b } = await files();
    const merged = loadKubeconfigFiles([join(dir, 'missing.yaml'), a, b]);
    assert.equal(merged.getCurrentContext(), 'a');
    assert.equal(merged.getCluster('shared')?.server, 'https://from-a.example:6443');
    assert.deepEqual(merged.getContexts().map((c) => c.name).sort(), ['a', 'b', 'shared']);
  });

  it('has the environment check read the file the run talks to when KUBECONFIG starts with an empty entry', async () => {
    const { home, b, helm } = await files();
    const facts = await gatherEnvironmentFacts({ needs: 'local', helm, env: { KUBECONFIG: `:${b}` }, home });
    assert.equal(facts.kubeconfig?.choice.path, b);
    assert.equal(facts.kubeconfig?.facts.state, 'loaded');
    assert.equal(facts.kubeconfig?.facts.state === 'loaded' && facts.kubeconfig.facts.currentContext, 'b', 'not ~/.kube/config');
  });

  it('has the check, the KubeClient and helm use the same merged list', async () => {
    const { dir, home, a, b, helm } = await files();
    const list = `${b}::${a}`;
    const facts = await gatherEnvironmentFacts({ needs: 'local', helm, env: { KUBECONFIG: list }, home });
    assert.equal(facts.kubeconfig?.facts.state === 'loaded' && facts.kubeconfig.facts.currentContext, 'b');
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = list;
    try {
      const { kube, helm: client } = createClients({ helmBinary: helm });
      assert.equal(kube.config.getCurrentContext(), 'b');
      assert.equal(kube.config.getCluster('shared')?.server, 'https://from-b.example:6443');
      // helm is given the same list (client-go merges it by kubectl's rules), the empty entry dropped.
      const inner = (client as unknown as { inner: { run(args: string[]): Promise<unknown> } }).inner;
      await inner.run(['version']);
      const single = createClients({ helmBinary: helm, kubeconfig: a });
      assert.equal(single.kube.config.getCurrentContext(), 'a');
      await (single.helm as unknown as { inner: typeof inner }).inner.run(['version']);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
    const log = await readFile(join(dir, 'helm.log'), 'utf8');
    // (The environment check's own `helm version` comes first: it needs no kubeconfig.)
    assert.ok(log.endsWith(`argv: version\nKUBECONFIG=${b}:${a}\nargv: version --kubeconfig=${a}\nKUBECONFIG=${list}\n`), log);
  });
});
