// A release name helmcycle (and helm) accepts, from the one the helmfile renders: helm takes lowercase
// DNS-1123 labels of at most 53 characters, so a name with upper case, `_`, `/` (an OCI path rendered into
// it) or too long could never have been installed under that name, and the import writes the nearest
// valid one and lists it. A release without a name is named after its chart. Pure.
import type { NotConverted } from './not-converted.js';
import { shown } from './quote.js';

/** helm's limit on a release name. */
export const RELEASE_NAME_MAX = 53;
const VALID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The nearest valid release name (never empty). */
export function validReleaseName(name: string): string {
  const fixed = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, RELEASE_NAME_MAX)
    .replace(/-+$/, '');
  return fixed || 'release';
}

/** The chart's own name in a reference: `oci://r/charts/web@sha256:…`, `repo/web`, `./charts/web` give `web`. */
export function chartBaseName(chart: string): string {
  const last = chart.replace(/@sha256:[0-9a-f]*$/i, '').replace(/\/+$/, '').split('/').at(-1) ?? chart;
  return last.replace(/:[^:]*$/, '').replace(/\.tgz$/, '').replace(/-\d+\.\d+\.\d+.*$/, '');
}

/** The release's name in the stack; a changed or derived one is listed. */
export function releaseNameOf(name: string | undefined, chart: string, field: string, note: (item: NotConverted) => void): string {
  if (name === undefined || name === '') {
    const derived = validReleaseName(chartBaseName(chart));
    note({ topic: 'releases', field: `${field}.name`, what: 'a release without a name', instead: `'${derived}', after its chart: check that it is the name the release has in the cluster` });
    return derived;
  }
  if (VALID.test(name) && name.length <= RELEASE_NAME_MAX) return name;
  const fixed = validReleaseName(name);
  const why = name.length > RELEASE_NAME_MAX ? `longer than ${RELEASE_NAME_MAX} characters` : name.includes('/') ? "holding '/'" : 'not lowercase letters, digits and dashes';
  note({ topic: 'releases', field: `${field}.name`, what: `the release name '${shown(name, 120)}' (${why}: helm refuses it)`, instead: `'${fixed}' in the stack; helm could never install it under the old name, so no release in the cluster carries it` });
  return fixed;
}
