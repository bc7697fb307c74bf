// Which kubeconfig a run uses, and how several are merged: one answer for the environment check, the
// KubeClient and helm, so none of them talks to another cluster than the others. As kubectl (client-go's
// loading rules): --kubeconfig names one file; else KUBECONFIG lists files (separated as PATH is, empty
// entries skipped, files that do not exist skipped), merged so that the first file to set a value wins
// (a cluster, user or context by name, and the current-context); else ~/.kube/config. client-node's own
// loadFromDefault differs (the last current-context wins, a name in two files throws, a missing file
// throws), so it is not used for a list.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KubeConfig } from './client-node.js';

export type KubeconfigOrigin = '--kubeconfig' | 'KUBECONFIG' | 'default';

export interface KubeconfigSource {
  /** The files, in the order their values win. One for --kubeconfig and the default. */
  files: string[];
  origin: KubeconfigOrigin;
}

/** The kubeconfig files a run reads. Pure. */
export function kubeconfigSource(flag: string | undefined, kubeconfigEnv: string | undefined, home: string): KubeconfigSource {
  if (flag) return { files: [flag], origin: '--kubeconfig' };
  const listed = [...new Set((kubeconfigEnv ?? '').split(delimiter).filter(Boolean))];
  if (listed.length > 0) return { files: listed, origin: 'KUBECONFIG' };
  return { files: [join(home, '.kube', 'config')], origin: 'default' };
}

/** The files as one line for messages: "/a.yaml" or "/a.yaml:/b.yaml". Pure. */
export function describeKubeconfigFiles(files: readonly string[]): string {
  return files.join(delimiter);
}

/** Merges loaded kubeconfigs, the first to set a value winning (kubectl's rule). */
export function mergeKubeconfigs(configs: readonly KubeConfig[]): KubeConfig {
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  const firstOf = <T extends { name: string }>(items: readonly T[], names: Set<string>) =>
    items.filter((item) => !names.has(item.name) && names.add(item.name));
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: configs.flatMap((config) => firstOf(config.clusters, seen.clusters)),
    users: configs.flatMap((config) => firstOf(config.users, seen.users)),
    contexts: configs.flatMap((config) => firstOf(config.contexts, seen.contexts)),
    currentContext: configs.map((config) => config.getCurrentContext()).find(Boolean) ?? '',
  });
  return merged;
}

/**
 * The kubeconfig of a list of files (KUBECONFIG): the files that exist, merged; for one file, that file
 * (a missing one throws, as the flag's would). Throws ENOENT when none of the files exists.
 */
export function loadKubeconfigFiles(files: readonly string[]): KubeConfig {
  if (files.length === 1) {
    const config = new KubeConfig();
    config.loadFromFile(files[0]!);
    return config;
  }
  const present = files.filter((file) => existsSync(file));
  if (present.length === 0) throw Object.assign(new Error(`none of the kubeconfig files ${describeKubeconfigFiles(files)} exists`), { code: 'ENOENT' });
  return mergeKubeconfigs(
    present.map((file) => {
      const config = new KubeConfig();
      config.loadFromFile(file);
      return config;
    }),
  );
}
