// What test/e2e/import-deploy.test.ts compares, shared with the script that recorded helmfile's side
// (test/fixtures/helmfile/deploy/record.ts): the helmfile fixture made concrete for the local cluster, and
// rendered manifests as a map from kind/name to the object, with the SOPS sentinel replaced by a
// placeholder in every form a chart gives it (as is, base64, inside the Basic header), so that the
// recorded fixture never holds the secret and a live manifest compares equal to it.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const DEPLOY_FIXTURE = resolve('test/fixtures/helmfile/deploy');
export const HELMFILE = 'helmfile.yaml.gotmpl';
/** The name the OCI chart is pushed under (the web fixture renamed), pinned by digest in production. */
export const PINNED_CHART = 'import-deploy-web';
/** The token test/fixtures/sops/token-client.sops.yaml holds (test-only age key, see its README). */
export const SENTINEL = 'Sentinel-Sops-9d41';
/** api.user of the token-client chart, which its Basic header joins to the token. */
const CHART_USER = 'svc-helmcycle';
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** The fixture copied to `dir` with the chart repository, registry, namespace and digest filled in. */
export async function concreteHelmfile(dir: string, place: { repo: string; oci: string; namespace: string; digest: string }): Promise<string> {
  await cp(DEPLOY_FIXTURE, dir, { recursive: true, filter: (path) => !path.includes('helmfile-output') && !path.endsWith('record.ts') });
  const file = join(dir, HELMFILE);
  const text = (await readFile(file, 'utf8'))
    .replaceAll('http://charts.example.invalid', place.repo)
    .replaceAll('registry.example.invalid/charts', place.oci.replace(/^oci:\/\//, ''))
    .replaceAll('import-deploy-ns', place.namespace)
    .replace(/sha256:0{64}/, place.digest);
  await writeFile(file, text);
  return file;
}

/** Each rendered object by `Kind/name`, the sentinel's forms replaced; two objects of one key are an error. */
export function manifestsByKey(text: string): Record<string, unknown> {
  const hidden = text
    .replaceAll(b64(`${CHART_USER}:${SENTINEL}`), '<sentinel:basic>')
    .replaceAll(b64(SENTINEL), '<sentinel:base64>')
    .replaceAll(SENTINEL, '<sentinel>');
  const out: Record<string, unknown> = {};
  for (const doc of parseAllDocuments(hidden)) {
    const object = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
    if (!object?.kind) continue;
    const key = `${object.kind}/${object.metadata?.name}`;
    if (key in out) throw new Error(`${key} rendered twice`);
    out[key] = object;
  }
  return out;
}

/** What `helmfile list --output json` says of a release, the digest left out of the version. */
export interface ListedRelease { name: string; namespace: string; chart: string; version: string }

export function listedReleases(json: string, namespace: string): ListedRelease[] {
  return (JSON.parse(json) as ListedRelease[])
    .map((r) => ({ name: r.name, namespace: r.namespace === namespace ? 'import-deploy-ns' : r.namespace, chart: r.chart.split('/').pop()!, version: r.version.replace(/@sha256:[0-9a-f]+$/, '') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
