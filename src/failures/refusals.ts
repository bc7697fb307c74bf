// helmcycle's own refusals, raised in preExec before anything changed: a destroy's CRD guard
// (crd-in-use), a CRD upgrade's checks (crd-invalid-resources, crd-migration-blocked) and
// --strict-values (unused-values). They are put
// in their class as exec's failures are, so the chart's error and its chart-failed event name the class
// plan predicted. No remedy runs for them: each asks a person to decide (or a crds.* setting).
import type { FailureClass } from '../config/failure-classes.js';
import { classifyFailure, type FailureReport } from './classify.js';

const REFUSAL_CLASSES: ReadonlySet<FailureClass> = new Set(['crd-in-use', 'crd-invalid-resources', 'crd-migration-blocked', 'unused-values']);

/** The report of a refusal, or undefined for any other error (which keeps its own handling). Pure. */
export function refusalFailure(error: unknown): FailureReport | undefined {
  const report = classifyFailure(error);
  return REFUSAL_CLASSES.has(report.class) ? report : undefined;
}
