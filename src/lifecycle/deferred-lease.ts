// When a chart may run without its release's lease until it is about to change something. A no-change
// apply of a stack then writes nothing at all: taking and giving back a Lease is two writes to etcd a
// chart, which were most of what a converged 50-chart apply cost.
//
// Safety rests on two rules:
//  - Only a chart whose every step before its first change is helmcycle's own read-only default may
//    defer: no lifecycle override, no custom check, no migration, nothing to adopt, no CRDs to apply, no
//    crash-looping pods to delete, and a release that is `deployed` (a pending or failed one may need
//    recovering, which is a change). Anything else takes the lease before preExec, as always.
//  - The first change (exec's install, upgrade, reinstall or restore, or a remedy) takes the lease first,
//    then reads the release again; when it moved since the chart looked at it (another run changed it
//    meanwhile), the chart starts again from preExec holding the lease, so nothing is decided on what
//    the release was before the other run (ReleaseMovedError).
import { HelmcycleError } from '../errors.js';
import type { ChartSpec } from '../config/chart-spec.js';
import type { ReleaseInfo } from '../helm/types.js';
import type { ChartPayload } from './types.js';
import type { ParsedDefinition } from './definition.js';

/** Whether the chart's steps up to its first change are all read-only defaults. Pure. */
export function mayDeferLease<P extends ChartPayload>(spec: ChartSpec, parts: Pick<ParsedDefinition<P>, 'lifecycle' | 'checks' | 'migrations'>): boolean {
  return (
    spec.action === 'deploy' &&
    Object.values(parts.lifecycle).every((phase) => phase === undefined) &&
    parts.checks.length === 0 &&
    parts.migrations.length === 0 &&
    spec.adopt.length === 0 &&
    !spec.crds?.upgrade &&
    !spec.podSelector
  );
}

/** A release as a deferring chart saw it: what it must still be once the lease is taken. */
export type SeenState = { revision: number; status: string } | undefined;

export function seenState(release: ReleaseInfo | undefined): SeenState {
  return release ? { revision: release.revision, status: release.status } : undefined;
}

/** Whether the release is still what the chart saw before it held the lease. Pure. */
export function sameState(seen: SeenState, now: SeenState): boolean {
  return seen?.revision === now?.revision && seen?.status === now?.status;
}

/**
 * The release changed between the chart's look at it and its taking the lease. Not a failure: the
 * runner starts the chart again from preExec, now holding the lease.
 */
export class ReleaseMovedError extends HelmcycleError {
  constructor(release: string, namespace: string, seen: SeenState, now: SeenState) {
    const describe = (state: SeenState) => (state ? `revision ${state.revision} ${state.status}` : 'not installed');
    super('RELEASE_MOVED', `release ${namespace}/${release} changed while this run waited for its lease (${describe(seen)}, now ${describe(now)}): deciding again`);
  }
}
