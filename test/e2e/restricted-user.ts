// Clients that act as a ServiceAccount with only the rights a test grants it, so RBAC denials are the
// API server's real answers. The token comes from the TokenRequest API and lives in a kubeconfig that
// only its owner can read, in a temporary folder removed by cleanup().
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1PolicyRule } from '@kubernetes/client-node';
import { createClients } from '../../src/clients.js';
import type { NodeKubeClient } from '../../src/kube/client.js';

export interface RestrictedClients extends ReturnType<typeof createClients> {
  user: string;
  /** The kubeconfig file (mode 0600) with the ServiceAccount's token, for the CLI's --kubeconfig. */
  kubeconfig: string;
  cleanup: () => Promise<void>;
}

export async function clientsForServiceAccount(
  kube: NodeKubeClient,
  options: { namespace: string; name: string; rules: V1PolicyRule[]; helmBinary: string },
): Promise<RestrictedClients> {
  const { namespace, name, rules } = options;
  await kube.createObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  await kube.createObject({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules });
  await kube.createObject({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });

  const admin = new KubeConfig();
  admin.loadFromDefault();
  const tokenRequest = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name, namespace, body: { spec: { audiences: [], expirationSeconds: 3_600 } },
  });
  const token = tokenRequest.status?.token;
  if (!token) throw new Error(`no token issued for ServiceAccount ${namespace}/${name}`);

  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const restricted = new KubeConfig();
  restricted.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token }],
    contexts: [{ name, cluster: cluster.name, user: name, namespace }],
    currentContext: name,
  });
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-rbac-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, restricted.exportConfig(), { mode: 0o600 });
  return {
    ...createClients({ kubeconfig, helmBinary: options.helmBinary }),
    user: `system:serviceaccount:${namespace}:${name}`,
    kubeconfig,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
