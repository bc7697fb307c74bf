// One leader among reconcile's replicas, through a coordination.k8s.io/v1 Lease, written with its
// resourceVersion so two replicas can never both take it (the API server refuses the second with 409).
// As client-go's leader election does, a holder's lease is judged expired by this replica's own clock,
// from when it last saw the record change, never by comparing clocks between machines. A leader that
// cannot renew within its deadline steps down at once (its run is aborted by the command), before
// another replica may take over; a clean stop hands the lease back so the next replica need not wait.
import { KubeRequestError } from '../errors.js';
import type { KubeClient, KubeObject } from '../kube/types.js';
import { LEASE_API_VERSION, microTime as microTimeOf } from '../lease/lease-record.js';
import type { LoopClock } from './loop.js';

/** The loop's clock gives milliseconds; the release lease's MicroTime takes a Date. */
const microTime = (ms: number): string => microTimeOf(new Date(ms));

export interface LeaderOptions {
  kube: KubeClient;
  name: string;
  namespace: string;
  identity: string;
  leaseDurationMs: number;
  clock: LoopClock;
  onChange?(leader: boolean): void;
  log?(line: string): void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export class LeaderElection {
  leader = false;
  private observed: { record: string; at: number } | undefined;
  private lastRenewAt = 0;
  private stopped = false;
  private readonly wake = new AbortController();

  constructor(private readonly options: LeaderOptions) {}

  private get ref() {
    return { apiVersion: LEASE_API_VERSION, kind: 'Lease', namespace: this.options.namespace, name: this.options.name };
  }

  private set(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    this.options.log?.(leader ? `leader: ${this.options.identity} holds lease ${this.options.namespace}/${this.options.name}` : `leader: ${this.options.identity} no longer holds lease ${this.options.namespace}/${this.options.name}`);
    this.options.onChange?.(leader);
  }

  /** One attempt to take or renew the lease; true when this replica holds it afterwards. */
  async attempt(): Promise<boolean> {
    const { kube, identity, clock } = this.options;
    const now = clock.now();
    const spec = (seconds: number, transitions: number, acquireTime: string): LeaseSpec => ({ holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime, renewTime: microTime(now), leaseTransitions: transitions });
    const seconds = Math.max(1, Math.ceil(this.options.leaseDurationMs / 1000));
    const current = await kube.getObject(this.ref);
    if (!current) {
      return this.write(() => kube.createObject({ ...this.ref, metadata: { name: this.options.name, namespace: this.options.namespace }, spec: { ...spec(seconds, 0, microTime(now)) } }), now);
    }
    const held = (current.spec ?? {}) as LeaseSpec;
    const record = `${held.holderIdentity ?? ''}\0${held.renewTime ?? ''}`;
    if (this.observed?.record !== record) this.observed = { record, at: now };
    const durationMs = (held.leaseDurationSeconds ?? seconds) * 1000;
    const mine = held.holderIdentity === identity;
    const free = !held.holderIdentity || now - this.observed.at > durationMs;
    if (!mine && !free) {
      this.set(false);
      return false;
    }
    const next: KubeObject = { ...current, spec: { ...held, ...spec(seconds, (held.leaseTransitions ?? 0) + (mine ? 0 : 1), mine && held.acquireTime ? held.acquireTime : microTime(now)) } };
    return this.write(() => kube.replaceObject(next), now);
  }

  private async write(call: () => Promise<KubeObject>, now: number): Promise<boolean> {
    try {
      await call();
      this.lastRenewAt = now;
      this.set(true);
      return true;
    } catch (error) {
      // Another replica wrote first (409), or created it first: it leads.
      if (error instanceof KubeRequestError && error.statusCode === 409) {
        this.set(false);
        return false;
      }
      throw error;
    }
  }

  /** Takes and renews the lease until stop(); an API error is retried, stepping down past the renew deadline. */
  async run(): Promise<void> {
    const { clock, leaseDurationMs } = this.options;
    const retryMs = Math.max(200, Math.floor(leaseDurationMs / 4));
    const renewDeadlineMs = Math.floor((leaseDurationMs * 2) / 3);
    while (!this.stopped) {
      try {
        await this.attempt();
      } catch (error) {
        this.options.log?.(`leader: lease ${this.options.namespace}/${this.options.name}: ${error instanceof Error ? error.message : String(error)}`);
        // Not renewed in time: another replica may take the lease soon, so this one stops applying now.
        if (this.leader && clock.now() - this.lastRenewAt > renewDeadlineMs) this.set(false);
      }
      if (this.stopped) break;
      await clock.sleep(retryMs, this.wake.signal);
    }
  }

  /** Stops renewing; a holder hands the lease back (holder cleared) so a follower takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    if (!this.leader) return;
    this.set(false);
    try {
      const current = await this.options.kube.getObject(this.ref);
      const held = (current?.spec ?? {}) as LeaseSpec;
      if (current && held.holderIdentity === this.options.identity) {
        await this.options.kube.replaceObject({ ...current, spec: { ...held, holderIdentity: '', leaseDurationSeconds: 1 } });
      }
    } catch {
      // The lease expires by itself.
    }
  }
}
