// reconcile's Prometheus metrics (prom-client), every one named helmcycle_*: runs and their outcome per
// chart, durations, drift found and repaired, the last successful apply per chart, failures by class,
// and whether this replica leads. Labels are chart names and classes only: never a value or a message.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReconcileRun } from './types.js';

export class ReconcileMetrics {
  readonly registry = new Registry();
  private readonly runs = new Counter({ name: 'helmcycle_reconcile_runs_total', help: 'Reconcile runs, by what started them and whether every chart succeeded', labelNames: ['trigger', 'outcome'], registers: [this.registry] });
  private readonly chartRuns = new Counter({ name: 'helmcycle_chart_runs_total', help: 'Chart runs by reconcile, by chart and outcome (succeeded, failed, skipped, cancelled)', labelNames: ['chart', 'outcome'], registers: [this.registry] });
  private readonly chartChanges = new Counter({ name: 'helmcycle_chart_changes_total', help: 'Chart runs that installed, upgraded or uninstalled the release', labelNames: ['chart'], registers: [this.registry] });
  private readonly runDuration = new Histogram({ name: 'helmcycle_reconcile_run_duration_seconds', help: 'Duration of a reconcile run', buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600], registers: [this.registry] });
  private readonly chartDuration = new Histogram({ name: 'helmcycle_chart_run_duration_seconds', help: 'Duration of one chart run by reconcile', labelNames: ['chart'], buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300], registers: [this.registry] });
  private readonly driftRepaired = new Counter({ name: 'helmcycle_drift_repaired_total', help: 'Objects a hand edit had changed, put back by reconcile', labelNames: ['chart'], registers: [this.registry] });
  private readonly driftEvents = new Counter({ name: 'helmcycle_drift_detected_total', help: "Watch events that changed a release's objects and triggered a run", registers: [this.registry] });
  private readonly lastSuccess = new Gauge({ name: 'helmcycle_chart_last_success_timestamp_seconds', help: 'When reconcile last applied the chart successfully (Unix time)', labelNames: ['chart'], registers: [this.registry] });
  private readonly failures = new Counter({ name: 'helmcycle_chart_failures_total', help: 'Chart failures by class (failures/classify.ts)', labelNames: ['chart', 'class'], registers: [this.registry] });
  private readonly consecutive = new Gauge({ name: 'helmcycle_chart_consecutive_failures', help: 'Failures in a row of a chart (0 once it succeeds): its backoff step', labelNames: ['chart'], registers: [this.registry] });
  private readonly sourceErrors = new Counter({ name: 'helmcycle_source_errors_total', help: 'Runs that could not read the source or the stack', registers: [this.registry] });
  private readonly leader = new Gauge({ name: 'helmcycle_leader', help: '1 when this replica holds the leader lease', registers: [this.registry] });
  private readonly revision = new Gauge({ name: 'helmcycle_source_info', help: 'The source revision last read (label), always 1', labelNames: ['revision'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'helmcycle_' });
    this.leader.set(0);
  }

  setLeader(leader: boolean): void {
    this.leader.set(leader ? 1 : 0);
  }

  driftDetected(): void {
    this.driftEvents.inc();
  }

  record(run: ReconcileRun, failuresInARow: (chart: string) => number): void {
    this.runs.inc({ trigger: run.trigger, outcome: run.error ? 'error' : run.ok ? 'succeeded' : 'failed' });
    this.runDuration.observe(run.durationMs / 1000);
    if (run.error) this.sourceErrors.inc();
    if (run.revision !== 'unknown') {
      this.revision.reset();
      this.revision.set({ revision: run.revision }, 1);
    }
    const end = (run.startedAt + run.durationMs) / 1000;
    for (const chart of run.charts) {
      this.chartRuns.inc({ chart: chart.name, outcome: chart.status });
      if (chart.changed) this.chartChanges.inc({ chart: chart.name });
      if (chart.durationMs !== undefined) this.chartDuration.observe({ chart: chart.name }, chart.durationMs / 1000);
      if (chart.driftRepaired) this.driftRepaired.inc({ chart: chart.name }, chart.driftRepaired);
      if (chart.status === 'succeeded') this.lastSuccess.set({ chart: chart.name }, end);
      if (chart.status === 'failed') this.failures.inc({ chart: chart.name, class: chart.failureClass ?? 'other' });
      this.consecutive.set({ chart: chart.name }, failuresInARow(chart.name));
    }
  }
}
