// The refusal of `--strict-values`: values the chart would not read (unused, not allowed by its schema,
// or removed in the version being installed). Raised before anything changed; plan predicts it from the
// same check (check.ts), as failure class unused-values.
import { HelmcycleError } from '../errors.js';

/** How many findings an error message names; plan lists them all. */
const SHOWN = 5;

export class UnusedValuesError extends HelmcycleError {
  readonly paths: readonly string[];
  constructor(chart: string, findings: readonly { path: string; detail: string }[]) {
    const shown = findings.slice(0, SHOWN).map((f) => `${f.path}: ${f.detail}`).join('; ');
    const more = findings.length > SHOWN ? `; and ${findings.length - SHOWN} more` : '';
    super('UNUSED_VALUES', `refusing to deploy chart ${chart} with ${findings.length} value(s) it does not read: ${shown}${more}`, {
      chart,
      hint: 'fix or remove those keys (plan lists every one), or run without --strict-values; nothing was changed',
    });
    this.paths = findings.map((f) => f.path);
  }
}
