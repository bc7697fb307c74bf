// Who holds a release's lease, for plan and status: read-only, and never a reason to fail (a reader that
// may not read Leases simply sees none).
import { isForbidden } from '../errors.js';
import type { KubeClient } from '../kube/types.js';
import { describeHolder, newRunIdentity } from './lease-record.js';
import { inspectLease } from './release-lease.js';

/** "helmcycle apply (pid 42 on ci-7, run …) since …" while another run holds it; undefined when free. */
export async function leaseHolder(kube: KubeClient, release: string, namespace: string): Promise<string | undefined> {
  try {
    const { state } = await inspectLease(kube, release, namespace, newRunIdentity('helmcycle (reader)'));
    if (state.kind === 'live') return describeHolder(state.holder, state.since);
    if (state.kind === 'expired' && state.holder) return `${describeHolder(state.holder, state.since)}, lapsed (its run stopped renewing it)`;
    return undefined;
  } catch (error) {
    if (isForbidden(error)) return undefined;
    throw error;
  }
}
