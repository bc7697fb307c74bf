// The digest of everything that decides what a release contains: the chart and its resolved version,
// the effective values (files read, not just named) and the spec fields that change the release.
// helmcycle records it as a release label; a later apply whose digest matches has nothing to upgrade.
//
// Sensitive values are folded into the hash too, so changing a password is an upgrade. The hash is
// one-way, and whoever can read the release's labels can read the release itself, where helm keeps
// every value in full; the label reveals nothing more than helm already stores.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { ChartSpec } from '../config/chart-spec.js';
import { isLocalChart } from './requests.js';

export const DIGEST_LABEL = 'helmcycle.dev/digest';

/** Everything the digest covers, with files already read. */
export interface DigestInput {
  spec: ChartSpec;
  chartVersion: string;
  valuesFileContents: string[];
  /** A hash of a local chart's files: a chart edited in place changes without a version bump. */
  localChartHash: string | undefined;
  /** The chart's transform (its source text, transformFingerprint); undefined without one, so such digests stay as they were. */
  transform?: string | undefined;
}

/** JSON with object keys sorted, so equal inputs always give equal text. Pure. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The digest, as a valid label value (40 hex characters). Pure. */
export function releaseDigest(input: DigestInput): string {
  const { spec } = input;
  const covered = {
    name: spec.name,
    namespace: spec.namespace,
    chart: spec.chart,
    repository: spec.repository,
    chartVersion: input.chartVersion,
    localChartHash: input.localChartHash,
    values: spec.values,
    valuesFiles: input.valuesFileContents,
    yamlFilesContent: spec.yamlFilesContent.map((file) => file.content),
    setJson: spec.setJson,
    set: spec.set,
    setString: spec.setString,
    setSensitive: spec.setSensitive,
    skipCrds: spec.skipCrds,
    disableHooks: spec.disableHooks,
    takeOwnership: spec.takeOwnership,
    description: spec.description,
    labels: spec.labels,
    transform: input.transform,
  };
  return createHash('sha256').update(canonicalJson(covered)).digest('hex').slice(0, 40);
}

async function hashTree(root: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) hash.update(relative(root, path)).update('\0').update(await readFile(path)).update('\0');
    }
  };
  await walk(root);
  return hash.digest('hex');
}

/** Reads what the digest covers from disk and computes it. */
export async function computeReleaseDigest(spec: ChartSpec, chartVersion: string, cwd = process.cwd(), transform?: string): Promise<string> {
  const valuesFileContents = await Promise.all(spec.valuesFiles.map((file) => readFile(resolve(cwd, file), 'utf8')));
  let localChartHash: string | undefined;
  if (isLocalChart(spec)) {
    const path = resolve(cwd, spec.chart);
    localChartHash = (await stat(path)).isDirectory() ? await hashTree(path) : createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return releaseDigest({ spec, chartVersion, valuesFileContents, localChartHash, transform });
}
