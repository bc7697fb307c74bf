// Environment and config mistakes, through the real `helmcycle` binary with Helm 3 and Helm 4 against the
// local cluster: a missing kubeconfig, a wrong --kube-context, an unreachable API server (a kubeconfig
// naming a closed loopback port), a missing or unsupported helm, a TypeScript stack with a syntax error
// and an unknown key. Each is exit 2 with one message (once, though the stack has two charts) saying what
// is wrong and how to fix it, with no credential in it, and nothing changed in the cluster.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { loadKubeConfig } from '../../src/kube/client.js';
import { helmsUnderTest, uniqueNamespace, type HelmUnderTest } from './support.js';

const BIN = resolve('bin/helmcycle.mjs');
const WEB = resolve('test/fixtures/charts/web');
const TOKEN = 'e2e-kubeconfig-token-51d0c2';

async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `helmcycle-env-${prefix}-`));
}

/** The real binary, in CI mode (plain lines), with `env` over this process's environment. */
async function helmcycle(args: readonly string[], env: Record<string, string | undefined> = {}) {
  const run = await execa(process.execPath, [BIN, ...args], { reject: false, env: { CI: 'true', ...env } });
  return { code: run.exitCode, stderr: String(run.stderr), stdout: String(run.stdout), output: `${String(run.stdout)}\n${String(run.stderr)}` };
}

/** A stack of two charts (the second needs the first) into a namespace of its own that it would create. */
async function twoChartStack(namespace: string, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = await tempDir('stack');
  const file = join(dir, 'helmcycle.yaml');
  await writeFile(file, stringify({ defaults: { namespace, createNamespace: true }, charts: [{ name: 'web', chart: WEB, ...extra }, { name: 'api', chart: WEB, needs: ['web'] }] }));
  return file;
}

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))].length;
}

/** Nothing of the stack reached the cluster: its namespace (which apply would create first) is absent. */
async function assertUntouched(target: HelmUnderTest, namespace: string): Promise<void> {
  assert.equal(await target.kube.namespaceExists(namespace), false, `namespace ${namespace} was created`);
}

/** A loopback port nothing listens on: bound, read, and closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

function assertExit2(run: { code: number | undefined; output: string }): void {
  assert.equal(run.code, 2, run.output);
  assert.match(run.output, /nothing was changed in the cluster/);
}

for (const target of helmsUnderTest()) {
  describe(`environment mistakes with ${target.label}`, () => {
    it('a missing kubeconfig names the path and where it came from, once', async () => {
      const namespace = uniqueNamespace(`env-kc-${target.label}`);
      const file = await twoChartStack(namespace);
      const missing = join(await tempDir('kc'), 'no-such-kubeconfig');
      const flag = await helmcycle(['-c', file, '--helm', target.binary, '--kubeconfig', missing, 'apply']);
      assertExit2(flag);
      assert.equal(count(flag.output, new RegExp(`kubeconfig ${missing} \\(given with --kubeconfig\\) does not exist`)), 1, flag.output);
      assert.doesNotMatch(flag.output, /ENOENT/);
      const fromEnv = await helmcycle(['-c', file, '--helm', target.binary, 'plan'], { KUBECONFIG: missing });
      assertExit2(fromEnv);
      assert.equal(count(fromEnv.output, /\(from the KUBECONFIG environment variable\) does not exist/), 1, fromEnv.output);
      await assertUntouched(target, namespace);
    });

    it('a wrong --kube-context names it and the contexts there are, for every command, once', async () => {
      const namespace = uniqueNamespace(`env-ctx-${target.label}`);
      const file = await twoChartStack(namespace);
      const contexts = loadKubeConfig({ kubeconfig: process.env.KUBECONFIG!.split(':')[0]! }).getContexts().map((c) => `'${c.name}'`);
      assert.ok(contexts.length > 0);
      for (const command of [['apply'], ['destroy', '--yes'], ['status'], ['plan']]) {
        const run = await helmcycle(['-c', file, '--helm', target.binary, '--kube-context', 'no-such-context', ...command]);
        assertExit2(run);
        assert.equal(count(run.output, /context 'no-such-context'/), 1, run.output);
        assert.ok(run.output.includes(contexts.join(', ')), `lists ${contexts.join(', ')}: ${run.output}`);
        assert.doesNotMatch(run.output, /No active cluster/);
      }
      await assertUntouched(target, namespace);
    });

    it('an unreachable API server names the server and context, once, and shows no token', async () => {
      const namespace = uniqueNamespace(`env-srv-${target.label}`);
      const file = await twoChartStack(namespace);
      const dir = await tempDir('closed');
      const kubeconfig = join(dir, 'config');
      const server = `https://127.0.0.1:${await closedPort()}`;
      await writeFile(
        kubeconfig,
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'closed', cluster: { server } }],
          users: [{ name: 'me', user: { token: TOKEN } }],
          contexts: [{ name: 'closed-ctx', context: { cluster: 'closed', user: 'me' } }],
          'current-context': 'closed-ctx',
        }),
        { mode: 0o600 },
      );
      const run = await helmcycle(['-c', file, '--helm', target.binary, '--kubeconfig', kubeconfig, 'apply']);
      assertExit2(run);
      assert.equal(count(run.output, new RegExp(`the API server ${server} \\(context 'closed-ctx', cluster 'closed'\\) is unreachable`)), 1, run.output);
      assert.equal(count(run.output, /ECONNREFUSED/), 0, run.output);
      assert.doesNotMatch(run.output, new RegExp(TOKEN));
      await assertUntouched(target, namespace);
    });

    it('a TypeScript stack with a syntax error shows the place, the message and the code, not "Transform failed"', async () => {
      const namespace = uniqueNamespace(`env-ts-${target.label}`);
      const dir = await tempDir('ts');
      const file = join(dir, 'helmcycle.config.ts');
      // The namespace makes the content unique: tsx caches transforms by content.
      await writeFile(file, `export default {\n  defaults: { namespace: '${namespace}', createNamespace: true },\n  charts: [{ name: 'web', chart: ${JSON.stringify(WEB)} ,, }, { name: 'api', chart: ${JSON.stringify(WEB)} }],\n};\n`);
      const run = await helmcycle(['-c', file, '--helm', target.binary, 'apply']);
      assert.equal(run.code, 2, run.output);
      assert.doesNotMatch(run.output, /Transform failed/);
      assert.equal(count(run.output, new RegExp(`${file}: syntax error at line 3, column \\d+: Expected identifier but found ","`)), 1, run.output);
      const lines = run.output.split('\n');
      const marked = lines.findIndex((line) => line.startsWith('  > 3 | '));
      assert.ok(marked > 0 && lines[marked]!.includes(",, }, { name: 'api'"), run.output);
      assert.equal(lines[marked + 1]!.indexOf('^'), lines[marked]!.indexOf(',,') + 1, 'the caret is under the second comma');
      await assertUntouched(target, namespace);
    });

    it("an unknown key suggests the nearest valid one, in a YAML and a TypeScript stack", async () => {
      const namespace = uniqueNamespace(`env-key-${target.label}`);
      const yamlFile = await twoChartStack(namespace, { namspace: namespace });
      const tsFile = join(await tempDir('ts-key'), 'helmcycle.config.ts');
      await writeFile(tsFile, `export default { defaults: { namespace: '${namespace}', createNamespace: true }, charts: [{ name: 'web', chart: ${JSON.stringify(WEB)}, namspace: 'x' }, { name: 'api', chart: ${JSON.stringify(WEB)} }] };\n`);
      for (const file of [yamlFile, tsFile]) {
        const run = await helmcycle(['-c', file, '--helm', target.binary, 'apply']);
        assertExit2(run);
        assert.match(run.output, new RegExp(`${file}: chart 'web' has an invalid spec:\\n {2}- namspace: unknown key, did you mean 'namespace'\\?`));
        assert.equal(count(run.output, /did you mean/), 1, run.output);
      }
      await assertUntouched(target, namespace);
    });
  });
}

describe('a missing or unsupported helm', () => {
  const [target] = helmsUnderTest();

  it('names the binary looked for and how to set it, once; the cluster is left alone', async () => {
    const namespace = uniqueNamespace('env-helm');
    const file = await twoChartStack(namespace);
    const emptyPath = await tempDir('path');
    const onPath = await helmcycle(['-c', file, 'apply'], { PATH: emptyPath, HELMCYCLE_HELM: undefined });
    assertExit2(onPath);
    assert.equal(count(onPath.output, /helm binary 'helm' is not on PATH \(neither --helm nor HELMCYCLE_HELM is set\)/), 1, onPath.output);
    assert.match(onPath.output, /point --helm \(or HELMCYCLE_HELM\) at a Helm 3 or Helm 4 binary/);
    assert.doesNotMatch(onPath.output, /ENOENT/);
    const missing = join(emptyPath, 'helm');
    const fromEnv = await helmcycle(['-c', file, 'destroy', '--yes'], { HELMCYCLE_HELM: missing });
    assertExit2(fromEnv);
    assert.equal(count(fromEnv.output, new RegExp(`helm binary ${missing} \\(from the HELMCYCLE_HELM environment variable\\) does not exist`)), 1, fromEnv.output);
    await assertUntouched(target!, namespace);
  });

  it('refuses a helm of another major version, naming it', async () => {
    const namespace = uniqueNamespace('env-helm2');
    const file = await twoChartStack(namespace);
    const helm2 = join(await tempDir('helm2'), 'helm');
    await writeFile(helm2, '#!/bin/sh\necho v2.17.0\n');
    await chmod(helm2, 0o755);
    const run = await helmcycle(['-c', file, '--helm', helm2, 'apply']);
    assertExit2(run);
    assert.equal(count(run.output, new RegExp(`helm binary ${helm2} \\(given with --helm\\) is v2\\.17\\.0, which helmcycle does not support`)), 1, run.output);
    await assertUntouched(target!, namespace);
  });
});
