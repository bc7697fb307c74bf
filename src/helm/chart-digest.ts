// Pinning an OCI chart by digest (spec `digest: sha256:...`): a tag can be pushed again, a digest cannot.
// helm pulls the chart and reports the digest of the manifest it fetched (`Digest: sha256:...`, Helm 3
// and 4 alike); helmcycle compares it with the pinned one before anything installs from the copy, and a
// chart pinned by digest is only ever installed, upgraded or rendered from such a verified copy.
// Helm 3.18+ and 4 could also fetch by `@sha256:` themselves; Helm 3.17 cannot, so the check is ours.
import { HelmcycleError } from '../errors.js';
import type { ChartSource } from './types.js';

/** The chart helm pulled is not the one the spec pins (or helm did not say which it pulled). */
export class ChartDigestError extends HelmcycleError {
  constructor(
    readonly reference: string,
    readonly expected: string,
    readonly actual: string | undefined,
  ) {
    super(
      'CHART_DIGEST_MISMATCH',
      actual
        ? `chart ${reference}: the registry served digest ${actual}, the spec pins ${expected}; nothing was installed from it`
        : `chart ${reference}: helm did not report the digest of what it pulled, so it cannot be checked against ${expected}; nothing was installed from it`,
      { hint: actual ? 'a tag was pushed again, or the pinned digest is wrong: check the registry, then update `digest` (or `version`) in the stack' : undefined },
    );
  }
}

/** The manifest digest helm reports after pulling an OCI chart, from its output. Pure. */
export function pulledDigest(helmOutput: string): string | undefined {
  const match = /^Digest: (sha256:[0-9a-f]{64})\s*$/m.exec(helmOutput);
  return match?.[1];
}

/** What a source is called in messages: the reference and its version. Pure. */
export function referenceOf(source: ChartSource): string {
  return source.version ? `${source.chart} ${source.version}` : source.chart;
}

/** Throws ChartDigestError unless what helm pulled (its output) is the pinned digest. Pure. */
export function checkPulledDigest(source: ChartSource, helmOutput: string): void {
  if (!source.digest) return;
  const actual = pulledDigest(helmOutput);
  if (actual !== source.digest) throw new ChartDigestError(referenceOf(source), source.digest, actual);
}
