// Events a chart's lifecycle emits, for renderers (terminal, CI lines, JSON, reports). They never
// carry values: only names, phases, outcomes and messages helmcycle wrote itself or masked.
import type { FailureClass, Remedy } from '../failures/classes.js';
import type { PhaseName } from './types.js';

export type MessageLevel = 'info' | 'warn';

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
  | (Base & { type: 'chart-finished'; outcome: string; durationMs: number })
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
