// The lease as the runner uses it: which run a chart belongs to, how long it may wait, and taking the
// release's lease for one chart run (deploy or destroy; a read-only run takes none).
import { KubeRequestError } from '../errors.js';
import type { KubeClient } from '../kube/types.js';
import { newRunIdentity, type RunIdentity } from './lease-record.js';
import { acquireReleaseLease, type HeldLease } from './release-lease.js';

export interface LeaseSettings {
  /** The run: one per CLI invocation, so every chart of a stack run has the same holder. */
  self: RunIdentity;
  /** How long to wait for another run's lease (or a pending operation) before refusing. */
  lockTimeoutMs: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 300_000;

let libraryRun: RunIdentity | undefined;
/** For library callers that pass no settings: one identity per process. */
export function defaultLeaseSettings(): LeaseSettings {
  libraryRun ??= newRunIdentity('helmcycle (library)');
  return { self: libraryRun, lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS };
}

export interface ChartLeaseRequest {
  kube: KubeClient;
  settings: LeaseSettings;
  release: string;
  namespace: string;
  /** The chart creates its namespace (helm --create-namespace): create it before taking the lease there. */
  createNamespace: boolean;
  signal: AbortSignal;
  log: (message: string, level?: 'info' | 'warn') => void;
}

/** Takes the release's lease for a chart run; undefined when leases are forbidden (logged). */
export function takeChartLease(request: ChartLeaseRequest): Promise<HeldLease | undefined> {
  return acquireReleaseLease({
    kube: request.kube,
    release: request.release,
    namespace: request.namespace,
    self: request.settings.self,
    lockTimeoutMs: request.settings.lockTimeoutMs,
    signal: request.signal,
    onWait: (message) => request.log(message, 'warn'),
    onUnavailable: (message) => request.log(message, 'warn'),
    onMissingNamespace: async () => {
      if (!request.createNamespace) return false;
      try {
        await request.kube.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: request.namespace } });
      } catch (error) {
        if (!(error instanceof KubeRequestError && error.statusCode === 409)) throw error;
      }
      return true;
    },
  });
}
