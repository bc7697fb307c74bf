// The error a failed chart ends with: which chart, which phase, the underlying cause, and (for a failed
// deploy) the diagnostics onDeployFailure collected, all in the message a user sees.
import { HelmcycleError, isHelmcycleError } from '../errors.js';
import { formatDiagnostics, type Diagnostics } from '../kube/diagnostics.js';
import type { PhaseName } from './types.js';

export class ChartFailedError extends HelmcycleError {
  readonly diagnostics: Diagnostics | undefined;
  declare readonly chart: string;
  declare readonly phase: PhaseName;

  constructor(chart: string, phase: PhaseName, cause: unknown, diagnostics?: Diagnostics) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const code = phase === 'exec' || phase === 'validate' ? 'DEPLOY_FAILED' : 'PHASE_FAILED';
    const body = diagnostics ? `\n${formatDiagnostics(diagnostics)}` : '';
    super(code, `chart '${chart}' failed in ${phase}: ${reason}${body}`, {
      chart,
      phase,
      cause,
      hint: isHelmcycleError(cause) ? cause.hint : undefined,
    });
    this.diagnostics = diagnostics;
  }
}
