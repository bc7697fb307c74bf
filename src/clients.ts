// Builds the real clients from connection options, so a script needs one call to get going. The helm
// client reads release state from Helm's own storage through the Kubernetes API (no helm process for a
// question) and sends every change and render to the helm binary.
import { homedir } from 'node:os';
import { delimiter } from 'node:path';
import { CliHelmClient } from './helm/cli-client.js';
import type { HelmDebugLogger } from './helm/debug-line.js';
import type { ReleaseViewScope } from './helm/release-snapshot.js';
import type { HelmVersion } from './helm/types.js';
import { StorageBackedHelmClient } from './helm/storage-backed-client.js';
import { NodeKubeClient } from './kube/client.js';
import { kubeconfigSource } from './kube/kubeconfig-files.js';

export interface ConnectionOptions {
  /** Path of a kubeconfig file; KUBECONFIG or ~/.kube/config by default. */
  kubeconfig?: string;
  kubeContext?: string;
  /** Path of the helm binary; HELMCYCLE_HELM or `helm` on PATH by default. */
  helmBinary?: string;
  /**
   * 'live' (default): every release question reads that release's records afresh. 'run': each
   * namespace's records are listed once and kept for the clients' lifetime (one command, one run);
   * use it when nothing but these clients changes the releases meanwhile. `helm.forRun()` makes a
   * run view of live clients.
   */
  releaseView?: ReleaseViewScope;
  /** Told every helm process run, its argv masked, with its duration (the CLI's --debug). */
  debug?: HelmDebugLogger;
  /** The helm binary's version when it was detected already: no second `helm version` is run. */
  helmVersion?: HelmVersion;
}

export function createClients(options: ConnectionOptions = {}): { helm: StorageBackedHelmClient; kube: NodeKubeClient } {
  // The kubeconfig the environment check read too (kube/kubeconfig-files.ts): one file is named to helm
  // and the KubeClient alike; KUBECONFIG's list (empty entries dropped) is merged as kubectl merges it,
  // here for the KubeClient and by helm itself (client-go's rules) from the same list.
  const source = kubeconfigSource(options.kubeconfig, process.env.KUBECONFIG, homedir());
  const kubeconfig = source.origin !== 'default' && source.files.length === 1 ? source.files[0] : undefined;
  const kubeconfigFiles = source.files.length > 1 ? source.files : undefined;
  const cli = new CliHelmClient({
    binary: options.helmBinary ?? process.env.HELMCYCLE_HELM ?? 'helm',
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(kubeconfigFiles ? { env: { KUBECONFIG: kubeconfigFiles.join(delimiter) } } : {}),
    ...(options.kubeContext ? { kubeContext: options.kubeContext } : {}),
    ...(options.debug ? { debug: options.debug } : {}),
    ...(options.helmVersion ? { knownVersion: options.helmVersion } : {}),
  });
  const kube = new NodeKubeClient({ ...(kubeconfig ? { kubeconfig } : {}), ...(kubeconfigFiles ? { kubeconfigFiles } : {}), ...(options.kubeContext ? { context: options.kubeContext } : {}) });
  const helm = new StorageBackedHelmClient(cli, kube, { scope: options.releaseView ?? 'live' });
  return { helm, kube };
}
