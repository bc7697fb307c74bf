// What a health judgement says about one live object, and the shape of a chart's own health function.
import type { KubeObject } from '../kube/types.js';

/**
 * `healthy`: nothing left to wait for. `progressing`: not there yet, and waiting may get it there.
 * `degraded`: failed in a way waiting does not heal (a failed Job, a Stalled custom resource).
 * `unknown`: the object cannot be judged (a health function that threw or answered nonsense).
 */
export const HEALTH_STATUSES = ['healthy', 'progressing', 'degraded', 'unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export interface Health {
  status: HealthStatus;
  /** In words, e.g. "Ready=False (Provisioning): waiting for the volume". */
  message: string;
}

/**
 * A chart's own judgement of one kind, given the live object as the API server returns it. It returns
 * undefined to leave the object to the built-in rule. It must be pure and quick: it runs on every read.
 */
export type HealthFunction = (object: KubeObject) => Health | { status: HealthStatus; message?: string } | undefined;

/** A chart's health functions, keyed by `group/Kind` (`example.com/Widget`; the core group is `Kind` alone). */
export type HealthFunctions = Readonly<Record<string, HealthFunction>>;

/** A built-in rule: one kind's judgement. Pure. */
export type HealthRule = (object: KubeObject) => Health;

/** One check's outcome, as validate and status report it. */
export interface CheckResult {
  name: string;
  ok: boolean;
  message: string;
  /** The object a health check judged (validate's wait), when the check is about one. */
  object?: { apiVersion?: string; kind: string; name: string; namespace?: string | undefined } | undefined;
}
