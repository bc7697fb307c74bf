// Events a chart's lifecycle emits, for renderers (terminal, CI lines, JSON, reports). They never
// carry values: only names, phases, outcomes and messages helmcycle wrote itself or masked.
import type { ResourceDrift } from '../drift/detect.js';
import type { FailureClass, Remedy } from '../config/failure-classes.js';
import type { PhaseName } from './types.js';

export type MessageLevel = 'info' | 'warn';

/** One workload a deploy still waits for, in the readiness rule's words ("0 of 2 updated replicas available"). */
export interface WaitItem {
  kind: string;
  name: string;
  message: string;
}

/** What a deploy waits on now, and how long it may (helm's --timeout for this attempt). */
export interface WaitProgress {
  /** The release's workloads not ready yet; empty when all are (helm may still be running hooks). */
  waitingOn: WaitItem[];
  /** How many workloads of the release were seen, ready or not. */
  workloads: number;
  elapsedMs: number;
  timeoutMs: number;
}

interface Base {
  chart: string;
  /** Milliseconds since the epoch. */
  at: number;
}

export type LifecycleEvent =
  | (Base & { type: 'chart-started'; action: 'deploy' | 'destroy'; namespace: string })
  | (Base & { type: 'phase-started'; phase: PhaseName })
  | (Base & { type: 'phase-finished'; phase: PhaseName; durationMs: number })
  | (Base & { type: 'phase-failed'; phase: PhaseName; durationMs: number; error: string; code: string })
  | (Base & { type: 'message'; phase: PhaseName; level: MessageLevel; message: string })
  /** While a deploy waits for its workloads (throttled: on a change, else every few seconds). */
  | (Base & { type: 'wait-progress'; phase: PhaseName } & WaitProgress)
  /** `repairedDrift`: the drifted resources an upgrade put back (drift/), when that is why it ran. */
  | (Base & { type: 'chart-finished'; outcome: string; durationMs: number; repairedDrift?: ResourceDrift[] | undefined })
  /** `hint`: what to do next, when the error says (masked like the error). */
  | (Base & { type: 'chart-failed'; phase: PhaseName; durationMs: number; error: string; code: string; failureClass?: FailureClass | undefined; hint?: string })
  /** A failed deploy was put in its class (before any remedy). */
  | (Base & { type: 'failure-classified'; phase: PhaseName; failureClass: FailureClass; summary: string })
  /** A remedy was taken; `attemptsLeft` is how many more the chart's policy allows. */
  | (Base & { type: 'remedy'; phase: PhaseName; failureClass: FailureClass; remedy: Remedy; attempt: number; attemptsLeft: number; message: string })
  /** Stopped by a cancel (Ctrl-C, fail-fast) while running, or before it started. */
  | (Base & { type: 'chart-cancelled'; reason: string });

export type LifecycleEventType = LifecycleEvent['type'];

/** One line per event, for logs and CI output. Pure. */
export function formatEvent(event: LifecycleEvent): string {
  switch (event.type) {
    case 'chart-started':
      return `${event.chart}: ${event.action} in ${event.namespace}`;
    case 'phase-started':
      return `${event.chart}: ${event.phase} started`;
    case 'phase-finished':
      return `${event.chart}: ${event.phase} done (${event.durationMs} ms)`;
    case 'phase-failed':
      return `${event.chart}: ${event.phase} failed after ${event.durationMs} ms: ${event.error}`;
    case 'message':
      return `${event.chart}: ${event.phase}: ${event.level === 'warn' ? 'warning: ' : ''}${event.message}`;
    case 'wait-progress':
      return `${event.chart}: ${event.phase}: ${describeWait(event)}`;
    case 'chart-finished':
      return `${event.chart}: ${event.outcome} (${event.durationMs} ms)`;
    case 'chart-failed':
      return `${event.chart}: FAILED in ${event.phase}${event.failureClass ? ` [${event.failureClass}]` : ''}: ${event.error}`;
    case 'failure-classified':
      return `${event.chart}: ${event.phase} failed: ${event.failureClass}: ${event.summary}`;
    case 'remedy':
      return `${event.chart}: remedy ${event.remedy} for ${event.failureClass} (attempt ${event.attempt}, ${event.attemptsLeft} left): ${event.message}`;
    case 'chart-cancelled':
      return `${event.chart}: cancelled: ${event.reason}`;
  }
}

const wholeSeconds = (ms: number) => Math.floor(ms / 1000);

/** The two halves of describeWait: what is waited on ("Deployment/web 0 of 2 ..."), and the deadline ("40 s of 300 s"). Pure. */
export function waitParts(progress: WaitProgress): { what: string; deadline: string } {
  const deadline = `${wholeSeconds(progress.elapsedMs)} s of ${wholeSeconds(progress.timeoutMs)} s`;
  const [first, ...others] = progress.waitingOn;
  if (!first) return { what: progress.workloads ? 'workloads ready, waiting for helm to finish' : "waiting for the release's workloads", deadline };
  const more = others.length ? ` (+${others.length} more not ready)` : '';
  return { what: `${first.kind}/${first.name} ${first.message}${more}`, deadline };
}

/** "waiting on Deployment/web 0 of 2 updated replicas available, 40 s of 300 s". Pure. */
export function describeWait(progress: WaitProgress): string {
  const { what, deadline } = waitParts(progress);
  return `${progress.waitingOn.length ? 'waiting on ' : ''}${what}, ${deadline}`;
}
