// A chart pinned by digest: what the spec accepts, and how what helm pulled is checked against the pin.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChartSpec } from '../../src/config/parse.js';
import { SpecError } from '../../src/errors.js';
import { ChartDigestError, checkPulledDigest, pulledDigest } from '../../src/helm/chart-digest.js';

const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const OTHER = `sha256:${'cd34'.repeat(16)}`;
const OCI = { name: 'web', chart: 'oci://registry.example.com/charts/web', version: '1.2.3' };

function specError(input: Record<string, unknown>): string {
  try {
    parseChartSpec(input);
  } catch (error) {
    assert.ok(error instanceof SpecError, String(error));
    return error.message;
  }
  assert.fail('expected a SpecError');
}

describe('the digest field', () => {
  it('pins an OCI chart at an exact version', () => {
    assert.equal(parseChartSpec({ ...OCI, digest: DIGEST }).digest, DIGEST);
    assert.equal(parseChartSpec(OCI).digest, undefined);
  });

  it('refuses a malformed digest, a digest off OCI, and a digest without an exact version', () => {
    assert.match(specError({ ...OCI, digest: 'sha256:ABC' }), /digest: expected sha256: and 64 lowercase hex digits/);
    assert.match(specError({ ...OCI, digest: `--post-renderer=${DIGEST}` }), /digest: expected sha256:/);
    assert.match(specError({ name: 'web', chart: 'web', repository: 'https://charts.example.com', version: '1.2.3', digest: DIGEST }), /digest: a digest pins an oci:\/\/ chart/);
    assert.match(specError({ ...OCI, version: undefined, digest: DIGEST }), /version: a chart pinned by digest needs the exact version/);
    assert.match(specError({ ...OCI, version: '^1.2', digest: DIGEST }), /version: a chart pinned by digest needs the exact version/);
  });
});

describe('checking what helm pulled', () => {
  // What helm 3.17 and 4.1 print on stderr after `helm pull oci://...` (the registry's manifest digest).
  const output = (digest: string) => `Pulled: 127.0.0.1:5000/charts/web:1.2.3\nDigest: ${digest}\n`;
  const source = { chart: OCI.chart, version: OCI.version, digest: DIGEST };

  it('reads the digest helm reports', () => {
    assert.equal(pulledDigest(output(DIGEST)), DIGEST);
    assert.equal(pulledDigest('Pulled: x\n'), undefined);
    assert.equal(pulledDigest(`Note: Digest: ${DIGEST}\n`), undefined, 'only a line of its own counts');
  });

  it('passes the pinned digest, and refuses another or none, naming both', () => {
    checkPulledDigest(source, output(DIGEST));
    checkPulledDigest({ chart: OCI.chart }, 'anything: an unpinned chart is not checked');
    assert.throws(() => checkPulledDigest(source, output(OTHER)), (error: unknown) => {
      assert.ok(error instanceof ChartDigestError);
      assert.equal(error.code, 'CHART_DIGEST_MISMATCH');
      assert.match(error.message, new RegExp(`the registry served digest ${OTHER}, the spec pins ${DIGEST}`));
      return true;
    });
    assert.throws(() => checkPulledDigest(source, 'Pulled: x\n'), /helm did not report the digest/);
  });
});
