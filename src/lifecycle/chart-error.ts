// The error a failed chart ends with: which chart, which phase, the underlying cause, the failure's
// class and the remedies taken, and (for a failed deploy) the diagnostics onDeployFailure collected, all
// in the message a user sees.
import { HelmcycleError, isHelmcycleError } from '../errors.js';
import type { FailureReport } from '../failures/classify.js';
import { formatDiagnostics, type Diagnostics } from '../kube/diagnostics.js';
import type { PhaseName, RemedyRecord } from './types.js';

export interface ChartFailureContext {
  diagnostics?: Diagnostics | undefined;
  failure?: FailureReport | undefined;
  remedies?: readonly RemedyRecord[] | undefined;
}

/** The class, the hook logs and the remedies, as lines for the message. Pure. */
export function formatFailure(context: ChartFailureContext): string {
  const lines: string[] = [];
  if (context.failure) {
    lines.push(`failure class: ${context.failure.class}: ${context.failure.summary}`);
    for (const test of context.failure.testPods ?? []) {
      lines.push(`test pod ${test.pod} (${test.phase}):`, ...test.containers.map((c) => `  ${c}`), ...test.events.map((e) => `  event: ${e}`));
      lines.push('  logs:', ...test.lines.slice(-20).map((line) => `  | ${line}`));
    }
    for (const hook of context.failure.hookLogs ?? []) {
      lines.push(`logs of hook ${hook.job} (pod ${hook.pod}):`, ...hook.lines.slice(-20).map((line) => `  | ${line}`));
    }
  }
  for (const r of context.remedies ?? []) lines.push(`remedy ${r.attempt}: ${r.remedy} for ${r.failureClass}: ${r.message}${r.ok ? '' : ' (failed)'}`);
  return lines.join('\n');
}

export class ChartFailedError extends HelmcycleError {
  readonly diagnostics: Diagnostics | undefined;
  readonly failure: FailureReport | undefined;
  readonly remedies: readonly RemedyRecord[];
  declare readonly chart: string;
  declare readonly phase: PhaseName;

  constructor(chart: string, phase: PhaseName, cause: unknown, context: ChartFailureContext = {}) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const code = phase === 'exec' || phase === 'validate' ? 'DEPLOY_FAILED' : 'PHASE_FAILED';
    const parts = [formatFailure(context), context.diagnostics ? formatDiagnostics(context.diagnostics) : ''].filter(Boolean);
    super(code, `chart '${chart}' failed in ${phase}: ${reason}${parts.length ? `\n${parts.join('\n')}` : ''}`, {
      chart,
      phase,
      cause,
      hint: isHelmcycleError(cause) ? cause.hint : undefined,
    });
    this.diagnostics = context.diagnostics;
    this.failure = context.failure;
    this.remedies = context.remedies ?? [];
  }
}
