// reconcile's own error: its source (a git fetch, a checkout) could not be read. The loop records it as
// the run's error and tries again on the next interval; nothing is applied from a source not read.
import { HelmcycleError } from '../errors.js';

export class SourceError extends HelmcycleError {
  constructor(message: string, hint: string) {
    super('SOURCE_FAILED', message, { hint });
  }
}
