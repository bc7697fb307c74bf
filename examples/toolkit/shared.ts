// What the toolkit examples share: clients for the cluster in KUBECONFIG (the local one when run through
// npm run), the chart repository, and a main() that runs an example's steps in order.
import { createClients, formatEvent, isHelmcycleError, type HelmClient, type KubeClient, type LifecycleEvent } from '../../src/index.js';

export interface ExampleContext {
  helm: HelmClient;
  kube: KubeClient;
  namespace: string;
  /** The repository serving the fixture charts (the local cluster's, by default). */
  repository: string;
  onEvent?: (event: LifecycleEvent) => void;
}

export type Step = (ctx: ExampleContext) => Promise<void>;

/** Runs the steps in order, printing each chart's events; exits non-zero on the first failure. */
export async function main(title: string, namespace: string, steps: [string, Step][]): Promise<void> {
  const repository = process.env.HELMCYCLE_CHART_REPO_URL;
  if (!repository) throw new Error('HELMCYCLE_CHART_REPO_URL is not set: run through npm run example:toolkit, or source the cluster env');
  const { helm, kube } = createClients({ helmBinary: process.env.HELMCYCLE_HELM4 ?? process.env.HELMCYCLE_HELM });
  const ctx: ExampleContext = { helm, kube, namespace, repository, onEvent: (event) => console.log(`  ${formatEvent(event)}`) };
  console.log(`# ${title}`);
  try {
    for (const [name, step] of steps) {
      console.log(`- ${name}`);
      await step(ctx);
    }
  } catch (error) {
    console.error(isHelmcycleError(error) ? `${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}` : error);
    process.exitCode = 1;
  }
}

/** Whether this module is the one node was asked to run. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && new URL(moduleUrl).pathname === process.argv[1];
}
