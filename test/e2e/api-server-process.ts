// The local cluster's kube-apiserver process, found by the port the kubeconfig points at, so a test can
// pause it (SIGSTOP) the way a stalled control plane behaves: connections open, nothing answers.
import { readdir, readFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';

function apiServerPort(): string {
  const config = new KubeConfig();
  config.loadFromDefault();
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no API server');
  return new URL(server).port;
}

/** The pid of the kube-apiserver serving the current kubeconfig's port; throws when none is found. */
export async function apiServerPid(): Promise<number> {
  const port = apiServerPort();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, 'utf8').then((raw) => raw.split('\0'), () => []);
    if (!argv[0]?.endsWith('kube-apiserver')) continue;
    if (argv.some((arg, i) => arg === `--secure-port=${port}` || (arg === '--secure-port' && argv[i + 1] === port))) return Number(entry);
  }
  throw new Error(`no kube-apiserver process serves port ${port} on this machine`);
}

/** Stops the API server for `ms`, then lets it go on; it is let go even when the caller's work fails. */
export async function pauseApiServer(ms: number): Promise<void> {
  const pid = await apiServerPid();
  process.kill(pid, 'SIGSTOP');
  try {
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}
