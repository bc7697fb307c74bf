// What one reconcile run reports, shared by the loop, the metrics, the records and the notifications.

export type ChartRunStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface ChartRunSummary {
  name: string;
  status: ChartRunStatus;
  /** The release was installed, upgraded or uninstalled by this run (not "unchanged"). */
  changed: boolean;
  /** Objects a hand edit had changed, put back by this run. */
  driftRepaired: number;
  /** The failure's class (failures/classify.ts), for a failed chart. */
  failureClass?: string;
  /** One line, masked, for a failed chart. */
  message?: string;
  durationMs?: number;
}

export type RunTrigger = 'start' | 'interval' | 'source' | 'webhook' | 'drift' | 'retry';

export interface ReconcileRun {
  revision: string;
  trigger: RunTrigger;
  startedAt: number;
  durationMs: number;
  ok: boolean;
  charts: ChartRunSummary[];
  /** The source or the stack could not be read: nothing was applied. */
  error?: string;
  /** The run was cut short by a stop or a lost leadership. */
  interrupted?: boolean;
  /** The charts the stack declared at this revision: the status keeps no line for a chart gone from it. */
  stackCharts?: readonly string[];
}
