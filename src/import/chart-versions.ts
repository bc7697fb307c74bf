// Chart versions the stack can say. helmcycle pins a chart by `version` (a semver or a range) and an
// OCI chart also by `digest` (the manifest digest, checked against what helm pulls: docs/spec.md). A
// helmfile digest pin (`oci://…/web@sha256:…`, or a version `1.2.3@sha256:…`) becomes `digest` when the
// chart is an OCI one and an exact version goes with it, since helmcycle pulls by tag and checks the
// digest; otherwise the import keeps what it can (the version before `@`), drops the digest and lists it.
// A registry chart without a version is listed too: it resolves to the latest on each plan, as in
// helmfile, which is seldom what a team wants. Pure.
import semver from 'semver';
import type { NotConverted } from './not-converted.js';
import { shown } from './quote.js';

const DIGEST = /@?sha256:[0-9a-fA-F]{0,64}/;
const FULL_DIGEST = /^sha256:[0-9a-fA-F]{64}$/;

function digestAfterAt(text: string): string | undefined {
  const digest = text.slice(text.indexOf('@') + 1);
  return FULL_DIGEST.test(digest) ? digest.toLowerCase() : undefined;
}

export function chartVersionOf(chart: string, version: string | undefined, field: string, local: boolean, note: (item: NotConverted) => void): { chart: string; version?: string; digest?: string } {
  let outChart = chart;
  let outVersion = version;
  let pin: { digest: string | undefined; field: string; text: string } | undefined;
  if (DIGEST.test(chart) && chart.includes('@')) {
    outChart = chart.slice(0, chart.indexOf('@'));
    pin = { digest: digestAfterAt(chart), field: `${field}.chart`, text: chart.slice(chart.indexOf('@') + 1) };
  }
  if (version !== undefined && DIGEST.test(version)) {
    const before = version.includes('@') ? version.slice(0, version.indexOf('@')) : '';
    outVersion = before || undefined;
    pin = { digest: version.includes('@') ? digestAfterAt(version) : undefined, field: `${field}.version`, text: version };
  }
  const exact = outVersion !== undefined && semver.valid(outVersion) !== null;
  const digest = pin?.digest && outChart.startsWith('oci://') && exact ? pin.digest : undefined;
  if (pin && !digest) {
    const why = !outChart.startsWith('oci://') ? 'only an oci:// chart can be pinned by digest' : !pin.digest ? 'not a whole sha256 digest' : 'a digest pin needs the exact version the chart was pushed as';
    note({ topic: 'versions', field: pin.field, what: `the digest pin ${shown(pin.text, 120)} (${why})`, instead: outVersion ? `version ${shown(outVersion, 40)}, without the digest; add digest: once the version is exact` : 'a version and digest: (the chart resolves to the latest until a version is set)' });
  }
  if (outVersion === undefined && !local) {
    note({ topic: 'versions', field: `${field}.version`, what: 'no chart version (helmfile then installs the latest)', instead: 'version: the version installed now (helm list shows it), so that each plan deploys the same chart' });
  }
  return { chart: outChart, ...(outVersion !== undefined ? { version: outVersion } : {}), ...(digest ? { digest } : {}) };
}
