// Writes `--report`: the run's masked events and the facts the run already knew, gathered here from
// the command line and the clients (the helm client remembers the versions it learnt; the kubeconfig
// names the context and server). Nothing is asked of helm or the cluster for the report.
import type { StorageBackedHelmClient } from '../helm/storage-backed-client.js';
import type { NodeKubeClient } from '../kube/client.js';
import type { RunFacts } from '../report/run-facts.js';
import type { StackEvent } from '../stack/events.js';
import { helmcycleVersion } from '../version.js';
import { writePrivateFile } from './private-file.js';

export interface RunFactSources {
  argv: readonly string[];
  clients: { helm: StorageBackedHelmClient; kube: NodeKubeClient } | undefined;
  /** --kubeconfig, when given. */
  kubeconfig: string | undefined;
  /** Masks every chart's sensitive values (the command line could name one). */
  mask: (text: string) => string;
}

/** A word as a shell would need it quoted, so the command line reads back as it was typed. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function runFactsOf(sources: RunFactSources): RunFacts {
  const { helm, kube } = sources.clients ?? {};
  const known = helm?.knownFacts() ?? {};
  const kubeconfig = sources.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config (default)';
  const context = kube?.config.getCurrentContext();
  const server = kube?.config.getCurrentCluster()?.server;
  return {
    command: sources.mask(['helmcycle', ...sources.argv].map(shellWord).join(' ')),
    kubeconfig,
    ...(context ? { kubeContext: context } : {}),
    ...(server ? { server } : {}),
    ...(known.serverVersion ? { clusterVersion: known.serverVersion } : {}),
    ...(known.helmVersion ? { helmVersion: known.helmVersion } : {}),
    helmcycleVersion: helmcycleVersion(),
  };
}

/** The report, private to its owner (0600, also over an existing file): it holds the run's error messages. */
export async function writeRunReport(path: string, events: readonly StackEvent[], sources: RunFactSources): Promise<void> {
  const { buildReport } = await import('../report/html.js');
  await writePrivateFile(path, buildReport(events, runFactsOf(sources)));
}
