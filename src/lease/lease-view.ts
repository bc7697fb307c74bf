// Who holds a release's lease, for plan and status: read-only, and never a reason to fail (a reader that
// may not read Leases simply sees none). One read cannot judge expiry without trusting the holder's clock
// (lease-observer.ts), so a lease another run holds is named as held; when its renewTime looks old by
// this machine's clock, that is said as a hint, never acted on.
import { isForbidden } from '../errors.js';
import { readRecent } from '../kube/recent-reads.js';
import type { KubeClient } from '../kube/types.js';
import { describeHolder, newRunIdentity } from './lease-record.js';
import { classifyLeaseObject, leaseRef } from './release-lease.js';

/** "helmcycle apply (pid 42 on ci-7, run …) since …" while another run holds it; undefined when free. */
export async function leaseHolder(kube: KubeClient, release: string, namespace: string, now = new Date()): Promise<string | undefined> {
  try {
    // A report: a lease as a list of the namespace's leases saw it a moment ago will do (recent-reads.ts).
    const object = await readRecent(kube, leaseRef(release, namespace), { notBefore: 0 });
    const { record, state } = classifyLeaseObject(object, newRunIdentity('helmcycle (reader)'));
    if (state.kind === 'expired' && state.holder) return `${describeHolder(state.holder, state.since)}, lapsed (its run stopped renewing it)`;
    if (state.kind !== 'live') return undefined;
    const renewed = record?.renewed ?? record?.acquired;
    const ageSeconds = renewed ? Math.round((now.getTime() - renewed.getTime()) / 1000) : 0;
    const stale = record && ageSeconds > record.durationSeconds;
    return stale
      ? `${describeHolder(state.holder, state.since)}, last renewed ${ageSeconds}s ago by this machine's clock (a run waits for ${record.durationSeconds}s without a renewal before taking it over)`
      : describeHolder(state.holder, state.since);
  } catch (error) {
    if (isForbidden(error)) return undefined;
    throw error;
  }
}
