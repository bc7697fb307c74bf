// Builds the real clients from connection options, so a script needs one call to get going.
import { CliHelmClient } from './helm/cli-client.js';
import { NodeKubeClient } from './kube/client.js';

export interface ConnectionOptions {
  /** Path of a kubeconfig file; KUBECONFIG or ~/.kube/config by default. */
  kubeconfig?: string;
  kubeContext?: string;
  /** Path of the helm binary; HELMCYCLE_HELM or `helm` on PATH by default. */
  helmBinary?: string;
}

export function createClients(options: ConnectionOptions = {}): { helm: CliHelmClient; kube: NodeKubeClient } {
  const kubeconfig = options.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0];
  const helm = new CliHelmClient({
    binary: options.helmBinary ?? process.env.HELMCYCLE_HELM ?? 'helm',
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(options.kubeContext ? { kubeContext: options.kubeContext } : {}),
  });
  const kube = new NodeKubeClient({ ...(kubeconfig ? { kubeconfig } : {}), ...(options.kubeContext ? { context: options.kubeContext } : {}) });
  return { helm, kube };
}
