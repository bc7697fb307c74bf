// The whole-stack rollback's decisions, pure: which charts a failed run puts back, in which order, and
// for each release what to do, from the revision recorded before the run, the revision this run left,
// and the release as it is now (read under its lease, just before the step).
import type { ReleaseInfo } from '../helm/types.js';
import { reverseGraph, topologicalOrder, type Graph } from './graph.js';

/** A release as the run saw it: before it started, or after this run's last write. */
export interface SeenRevision {
  revision: number;
  status: string;
}

export interface RollbackFacts {
  chart: string;
  namespace: string;
  /** Before the run; undefined when the release was not installed. */
  recorded: SeenRevision | undefined;
  /** After this run's last write to it; undefined when this run wrote nothing to it. */
  madeByRun: SeenRevision | 'uninstalled' | undefined;
  /** Now; undefined when there is no such release. */
  current: Pick<ReleaseInfo, 'revision' | 'status' | 'description'> | undefined;
  /** Revisions the release's history still holds. */
  historyRevisions: readonly number[];
}

export type RollbackStep =
  | { kind: 'rollback'; chart: string; namespace: string; from: number; to: number }
  | { kind: 'uninstall'; chart: string; namespace: string; revision: number }
  | { kind: 'leave'; chart: string; namespace: string; reason: string };

/** helm's own description of a rollback revision ("Rollback to 3"), in Helm 3 and 4 alike. */
const ROLLBACK_DESCRIPTION = /^Rollback to (\d+)$/;

/** Whether the release already runs the recorded revision's manifest (its own remedy rolled it back). */
function backAt(current: NonNullable<RollbackFacts['current']>, recorded: SeenRevision): boolean {
  if (current.status !== 'deployed') return false;
  if (current.revision === recorded.revision) return true;
  const match = ROLLBACK_DESCRIPTION.exec(current.description?.trim() ?? '');
  return match !== null && Number(match[1]) === recorded.revision;
}

/** What to do with one release. Pure. */
export function decideRollbackStep(facts: RollbackFacts): RollbackStep {
  const { chart, namespace, recorded, madeByRun, current } = facts;
  const leave = (reason: string): RollbackStep => ({ kind: 'leave', chart, namespace, reason });
  if (madeByRun === undefined) return leave('this run did not change it');
  // Another run (or a helm by hand) changed it since: putting it back would undo their work.
  if (madeByRun === 'uninstalled') {
    if (current) return leave(`changed by another run since (this run uninstalled it, it is now revision ${current.revision} ${current.status})`);
    return leave('not installed now');
  }
  if (!current) return leave(`changed by another run since (this run left revision ${madeByRun.revision}, it is now not installed)`);
  if (current.revision !== madeByRun.revision) {
    return leave(`changed by another run since (this run left revision ${madeByRun.revision}, it is now revision ${current.revision} ${current.status})`);
  }
  if (!recorded) return { kind: 'uninstall', chart, namespace, revision: current.revision };
  if (backAt(current, recorded)) return leave(`already back at revision ${recorded.revision} (its remedy rolled it back)`);
  if (!facts.historyRevisions.includes(recorded.revision)) return leave(`revision ${recorded.revision} is no longer in its history (reinstalled, or history trimmed)`);
  return { kind: 'rollback', chart, namespace, from: current.revision, to: recorded.revision };
}

/**
 * The order the charts are put back in: reverse dependency order (a chart before those it needs), over
 * the charts that ran. Pure.
 */
export function rollbackOrder(graph: Graph, ran: ReadonlySet<string>): string[] {
  return topologicalOrder(reverseGraph(graph)).filter((name) => ran.has(name));
}

/** One line per step, for events, terminals and the report. Pure. */
export function describeRollbackStep(step: RollbackStep): string {
  switch (step.kind) {
    case 'rollback':
      return `${step.chart}: rollback from revision ${step.from} to revision ${step.to}`;
    case 'uninstall':
      return `${step.chart}: uninstall (this run installed it, revision ${step.revision})`;
    case 'leave':
      return `${step.chart}: left alone: ${step.reason}`;
  }
}
