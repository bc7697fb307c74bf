// Events of a stack run: every chart's lifecycle events, plus what only the stack knows (charts that
// never ran, and the run's start and end). Renderers and reports are built from this stream alone.
import type { LifecycleEvent } from '../lifecycle/events.js';
import { formatEvent } from '../lifecycle/events.js';
import { describeRollbackStep } from './stack-rollback-plan.js';
import type { RollbackStepResult } from './stack-rollback.js';

export type StackCommand = 'apply' | 'destroy' | 'validate';

export interface StackCounts {
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
}

export type StackEvent =
  | LifecycleEvent
  | { type: 'chart-skipped'; chart: string; reason: string; at: number }
  | { type: 'stack-rollback-started'; stack: string; failed: string[]; charts: string[]; at: number }
  | { type: 'stack-rollback-step'; step: RollbackStepResult; at: number }
  | { type: 'stack-started'; stack: string; command: StackCommand; charts: string[]; at: number }
  | { type: 'stack-finished'; stack: string; command: StackCommand; ok: boolean; durationMs: number; counts: StackCounts; at: number };

/** One line per event. Pure. */
export function formatStackEvent(event: StackEvent): string {
  switch (event.type) {
    case 'chart-skipped':
      return `${event.chart}: skipped: ${event.reason}`;
    case 'stack-rollback-started':
      return `${event.stack}: ${event.failed.join(', ')} failed: rolling back the stack (${event.charts.join(', ') || 'nothing this run changed'})`;
    case 'stack-rollback-step': {
      const line = `rollback ${describeRollbackStep(event.step)}`;
      return event.step.error ? `${line}: FAILED: ${event.step.error}` : line;
    }
    case 'stack-started':
      return `${event.command} ${event.stack}: ${event.charts.length} chart(s): ${event.charts.join(', ')}`;
    case 'stack-finished': {
      const c = event.counts;
      return `${event.command} ${event.stack}: ${event.ok ? 'done' : 'FAILED'} in ${(event.durationMs / 1000).toFixed(1)} s (${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped, ${c.cancelled} cancelled)`;
    }
    default:
      return formatEvent(event);
  }
}
