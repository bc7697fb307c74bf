// When may a release stuck in pending-* be recovered? Pure. "Pending" means an operation started and has
// not finished; it is stuck only when nobody is still carrying it out. Recovering a release whose
// operation is alive rolls back another run's upgrade while it runs (seen: two CI runs 0.2 s apart).
import type { LeaseState } from './lease-record.js';

export type PendingVerdict =
  | { kind: 'recover'; reason: string }
  | { kind: 'wait'; reason: string; /** When waiting can end at the latest (helm's own deadline). */ until: Date | undefined };

export interface PendingFacts {
  status: string;
  revision: number;
  /** When the pending revision was written (helm's last_deployed). */
  updated: Date | undefined;
  lease: LeaseState;
  /** Seconds the operation's helm may run before giving up (the chart's timeout). */
  timeoutSeconds: number;
  /**
   * A helm process of this release is running on this machine (an orphan of a killed run); undefined
   * where processes cannot be read (not Linux).
   */
  helmRunningHere: boolean | undefined;
  /**
   * The holder ran in this process's boot and pid namespace (lease-record.ts holderVisibleHere): only then
   * do its pid and its helm child say anything here. A holder on the same host name in another container
   * is not visible, and is never judged dead by a missing pid.
   */
  holderVisibleHere: boolean;
  /** For a visible holder: whether its process is still alive (a stalled run, not a dead one). */
  holderAliveHere: boolean;
  now: Date;
}

/** Slack over helm's deadline: helm writes the final state a moment after its timeout. */
const DEADLINE_SLACK_MS = 5_000;

export function judgePending(facts: PendingFacts): PendingVerdict {
  const what = `revision ${facts.revision} (${facts.status})`;
  if (facts.lease.kind === 'live') {
    return { kind: 'wait', reason: `${what} is being deployed by another run`, until: undefined };
  }
  if (facts.helmRunningHere === true) {
    return { kind: 'wait', reason: `${what}: a helm process of this release is still running on this machine`, until: undefined };
  }
  const deadline = facts.updated ? new Date(facts.updated.getTime() + facts.timeoutSeconds * 1_000 + DEADLINE_SLACK_MS) : undefined;
  if (facts.lease.kind === 'expired' && facts.lease.holder) {
    // A helmcycle run held it and died. Its helm child may outlive it on another machine or container; in
    // this process space we know (helmRunningHere). Elsewhere, only helm's own deadline proves it is over.
    const diedHere = facts.holderVisibleHere && !facts.holderAliveHere && facts.helmRunningHere === false;
    if (diedHere || !deadline || facts.now >= deadline) {
      return { kind: 'recover', reason: `${what} was left by a run that died (${facts.lease.holder.command}, pid ${facts.lease.holder.pid} on ${facts.lease.holder.host})` };
    }
    return { kind: 'wait', reason: `${what} was left by a run on ${facts.lease.holder.host} that stopped renewing its lease; its helm may still be running until ${deadline.toISOString()}`, until: deadline };
  }
  // No lease: another tool (helm by hand, another deployer) left it. Its helm may still be running.
  if (!deadline || facts.now >= deadline) {
    return { kind: 'recover', reason: `${what} has been pending for longer than its timeout (${facts.timeoutSeconds}s) with no deployer holding it` };
  }
  return { kind: 'wait', reason: `${what} was started ${facts.updated!.toISOString()} by another tool and may still be running (until ${deadline.toISOString()})`, until: deadline };
}
