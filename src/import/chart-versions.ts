// Chart versions the stack can say. helmcycle pins a chart by `version` (a semver or a range); a digest
// pin (`oci://…/web@sha256:…`, or a version holding `sha256:`) has no field in the spec yet, so the
// import keeps what it can (the version before `@`), drops the digest and lists it: the stack then takes
// whatever the version resolves to, not those exact bytes. A registry chart without a version is listed
// too: it resolves to the latest on each plan, as in helmfile, which is seldom what a team wants. Pure.
import type { NotConverted } from './not-converted.js';
import { shown } from './quote.js';

const DIGEST = /@?sha256:[0-9a-fA-F]{0,64}/;

export function chartVersionOf(chart: string, version: string | undefined, field: string, local: boolean, note: (item: NotConverted) => void): { chart: string; version?: string } {
  let outChart = chart;
  let outVersion = version;
  if (DIGEST.test(chart) && chart.includes('@')) {
    outChart = chart.slice(0, chart.indexOf('@'));
    note({ topic: 'versions', field: `${field}.chart`, what: `the digest pin ${shown(chart.slice(chart.indexOf('@') + 1), 80)} (helmcycle has no digest field)`, instead: `chart '${shown(outChart, 120)}'${version ? ` at version ${shown(version, 40)}` : ''}; check the digest by hand (helm pull and sha256sum) until the spec can pin one` });
  }
  if (version !== undefined && DIGEST.test(version)) {
    const before = version.includes('@') ? version.slice(0, version.indexOf('@')) : '';
    outVersion = before || undefined;
    note({ topic: 'versions', field: `${field}.version`, what: `the version ${shown(version, 120)} (a digest pin; helmcycle has no digest field)`, instead: before ? `version ${shown(before, 40)}, without the digest` : 'a version (the chart resolves to the latest until one is set)' });
  }
  if (outVersion === undefined && !local) {
    note({ topic: 'versions', field: `${field}.version`, what: 'no chart version (helmfile then installs the latest)', instead: 'version: the version installed now (helm list shows it), so that each plan deploys the same chart' });
  }
  return { chart: outChart, ...(outVersion !== undefined ? { version: outVersion } : {}) };
}
