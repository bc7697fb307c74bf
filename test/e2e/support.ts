// Shared set-up for the end-to-end tests: they run against the local cluster (cluster/up.sh) with the
// real helm binaries, and fail loudly when that environment is missing rather than skipping.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { delimiter, dirname, resolve } from 'node:path';
import { createClients } from '../../src/clients.js';
import type { StorageBackedHelmClient } from '../../src/helm/storage-backed-client.js';
import type { NodeKubeClient } from '../../src/kube/client.js';

// The e2e stacks are written to temporary folders and name the fixture charts of this checkout and the
// local clusters' kubeconfigs (fleet targets): the runner (these tests) allows those folders, as a CI job
// would with --allow-path (src/stack/path-containment.ts).
const clusterKubeconfigs = [process.env.KUBECONFIG, process.env.HELMCYCLE_FLEET_KUBECONFIGS].flatMap((list) => (list ?? '').split(delimiter)).filter(Boolean);
process.env.HELMCYCLE_ALLOW_PATHS = [resolve('test/fixtures'), tmpdir(), ...clusterKubeconfigs.map((file) => dirname(file)), process.env.HELMCYCLE_ALLOW_PATHS].filter(Boolean).join(delimiter);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e tests through npm test (cluster/with-cluster.sh), or source the cluster env`);
  return value;
}

export const env = {
  get repo() { return required('HELMCYCLE_CHART_REPO_URL'); },
  get privateRepo() { return required('HELMCYCLE_PRIVATE_CHART_REPO_URL'); },
  get repoUser() { return required('HELMCYCLE_CHART_REPO_USER'); },
  get repoPassword() { return required('HELMCYCLE_CHART_REPO_PASSWORD'); },
  get oci() { return required('HELMCYCLE_OCI_REGISTRY'); },
};

export interface HelmUnderTest {
  label: string;
  binary: string;
  helm: StorageBackedHelmClient;
  kube: NodeKubeClient;
}

/** Helm 3 and Helm 4, each with clients for the local cluster. */
export function helmsUnderTest(): HelmUnderTest[] {
  return [
    { label: 'helm3', binary: required('HELMCYCLE_HELM3') },
    { label: 'helm4', binary: required('HELMCYCLE_HELM4') },
  ].map(({ label, binary }) => ({ label, binary, ...createClients({ helmBinary: binary }) }));
}

/** A namespace name no other test uses. */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export const fixtures = {
  web: 'test/fixtures/charts/web',
  neverReady: 'test/fixtures/charts/never-ready',
  hooked: 'test/fixtures/charts/hooked',
  tested: 'test/fixtures/charts/tested',
  operatorV1: 'test/fixtures/charts/operator-1.0.0',
  operatorV2: 'test/fixtures/charts/operator-2.0.0',
};

export async function configMapData(kube: NodeKubeClient, namespace: string, name: string): Promise<Record<string, string>> {
  const cm = await kube.getObject({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
  if (!cm) throw new Error(`ConfigMap ${namespace}/${name} not found`);
  return (cm.data as Record<string, string> | undefined) ?? {};
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The CLI in this process with a stack file and the target's helm; what it printed and its exit code. */
export async function runCli(target: HelmUnderTest, file: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const code = await main(['-c', file, '--helm', target.binary, ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false });
  return { code, stdout, stderr };
}
