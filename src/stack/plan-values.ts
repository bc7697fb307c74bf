// The values part of a chart's plan: the findings of the values check (check.ts), shown as warnings, and
// under --strict-values the failure apply would meet (unused-values, no remedy: a person fixes the keys).
import type { ChartSpec } from '../config/chart-spec.js';
import { classifyFailure } from '../failures/classify.js';
import { predict, type Prediction } from '../failures/preflight.js';
import { checkValues, type ValueFinding, type ValuesCheckInput } from './values-check.js';
import { UnusedValuesError } from '../values/errors.js';
import { MAX_RENDERS } from '../values/render-check.js';

export interface ValuesPlan {
  findings: ValueFinding[];
  predictions: Prediction[];
  /** Why the values were not checked (the chart's files could not be read); the plan goes on without them. */
  notChecked?: string | undefined;
}

/** The prediction for strict values, when there is a finding. Pure. */
export function strictPrediction(spec: ChartSpec, findings: readonly ValueFinding[]): Prediction[] {
  if (findings.length === 0) return [];
  const error = new UnusedValuesError(spec.name, findings);
  return [predict(spec, classifyFailure(error), `${findings.length} value(s) the chart does not read: ${findings.map((f) => f.path).join(', ')}`)];
}

export async function planValues(input: ValuesCheckInput, strict: boolean): Promise<ValuesPlan> {
  try {
    const { findings, undecided } = await checkValues(input);
    const left = undecided.length ? `${undecided.length} key(s) left undecided after ${MAX_RENDERS} renders: ${undecided.slice(0, 5).join(', ')}${undecided.length > 5 ? ', ...' : ''}` : undefined;
    return { findings, predictions: strict ? strictPrediction(input.spec, findings) : [], ...(left ? { notChecked: left } : {}) };
  } catch (error) {
    // A check that cannot run says so; it never fails the plan (the render itself shows a broken chart).
    if (input.options.signal?.aborted) throw error;
    return { findings: [], predictions: [], notChecked: (error instanceof Error ? error.message : String(error)).split('\n')[0] };
  }
}
