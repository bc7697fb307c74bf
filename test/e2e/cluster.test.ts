// The local control plane itself, driven with the bare helm and kubectl binaries (no helmcycle code).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { fixtures, helmsUnderTest, uniqueNamespace } from './support.js';

describe('local control plane', () => {
  it('has Ready nodes', async () => {
    const { stdout } = await execa('kubectl', ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
    const nodes = stdout.trim().split('\n');
    assert.ok(nodes.length >= 1, 'at least one node');
    for (const node of nodes) assert.match(node, /=True$/, `node not Ready: ${node}`);
  });

  it('reports the stamped Kubernetes version (helm reads it for kubeVersion constraints)', async () => {
    const { stdout } = await execa('kubectl', ['version', '-o', 'json']);
    assert.match((JSON.parse(stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion, /^v1\.34\.\d+$/);
  });

  for (const { label, binary } of helmsUnderTest()) {
    it(`${label}: upgrade --install --wait of the web fixture succeeds`, async () => {
      const namespace = uniqueNamespace(`raw-${label}`);
      const result = await execa(binary, ['upgrade', '--install', 'web', fixtures.web, '-n', namespace, '--create-namespace', '--wait', '--timeout', '60s'], { reject: false });
      assert.equal(result.exitCode, 0, result.stderr);
      const { stdout } = await execa('kubectl', ['get', 'deployment', 'web-web', '-n', namespace, '-o', 'jsonpath={.status.readyReplicas}']);
      assert.equal(stdout, '1');
    });

    it(`${label}: the never-ready fixture fails with helm's timeout`, async () => {
      const namespace = uniqueNamespace(`raw-nr-${label}`);
      const result = await execa(binary, ['upgrade', '--install', 'nr', fixtures.neverReady, '-n', namespace, '--create-namespace', '--wait', '--timeout', '5s'], { reject: false });
      assert.notEqual(result.exitCode, 0);
      assert.match(result.stderr, /context deadline exceeded/);
      const { stdout } = await execa('kubectl', ['get', 'pods', '-n', namespace, '-o', 'jsonpath={.items[0].status.phase}/{.items[0].status.containerStatuses[0].ready}']);
      assert.equal(stdout, 'Running/false', 'the pod runs but never becomes ready');
    });
  }

  it('fails a Job pod labelled to fail, so hook failures are real', async () => {
    const binary = helmsUnderTest()[0]?.binary;
    const namespace = uniqueNamespace('raw-hook');
    const result = await execa(binary!, ['upgrade', '--install', 'hooked', fixtures.hooked, '-n', namespace, '--create-namespace', '--set', 'hook.fail=true', '--timeout', '30s'], { reject: false });
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /pre-install|BackoffLimitExceeded|failed/i);
  });
});
