// Which kubeconfig a client reads: an explicit file, KUBECONFIG's list merged as kubectl merges it, or
// client-node's default, with the context chosen last so it may come from any of them.
import { KubeConfig } from './client-node.js';
import { loadKubeconfigFiles } from './kubeconfig-files.js';

export interface KubeClientOptions {
  /** A kubeconfig file; KUBECONFIG or ~/.kube/config by default. */
  kubeconfig?: string;
  /** Several kubeconfig files (KUBECONFIG's list), merged as kubectl merges them (kubeconfig-files.ts). */
  kubeconfigFiles?: string[];
  context?: string;
}

export function loadKubeConfig(options: KubeClientOptions = {}): KubeConfig {
  let config = new KubeConfig();
  if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
  else if (options.kubeconfigFiles?.length) config = loadKubeconfigFiles(options.kubeconfigFiles);
  else config.loadFromDefault();
  if (options.context) config.setCurrentContext(options.context);
  return config;
}
