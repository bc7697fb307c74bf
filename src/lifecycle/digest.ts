// The digest of everything that decides what a release contains: the chart and its resolved version,
// the effective values (files read, not just named) and the spec fields that change the release.
// helmcycle records it as a release label; a later apply whose digest matches has nothing to upgrade.
//
// Sensitive values are folded in too, so changing a password is an upgrade, but only as an HMAC keyed
// with the namespace's digest key (digest-key.ts), a random key kept in a Secret of the cluster. The
// digest travels on helm's argv (`--labels helmcycle.dev/digest=...`, readable by anyone who can list
// the machine's processes) and in debug lines and logs; a plain hash of the values would let such a
// reader test guesses at a weak password offline (one was found in 45 tries). Without the key, which
// only a reader of the namespace's Secrets has (and such a reader has the release, values included,
// anyway), a digest says nothing about the values. A salt would not do: any salt stable enough to
// detect "unchanged" would have to be stored beside the digest, and a slow hash with a known salt still
// lets a weak password be guessed, only more slowly.
//
// A chart without sensitive values has the digest it always had. A chart with them gets a digest of a
// new form once: the first apply after this change upgrades it once, with the same chart and values.
import { createHash, createHmac, randomBytes } from 'node:crypto';
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
  /**
   * How the sensitive values enter: an HMAC keyed with the namespace's digest key (a Buffer); `omitted`
   * where the caller covers them itself and the digest never leaves the process (a saved plan's scrypt
   * fingerprint); undefined when no key could be had: a random key then, so the digest matches no
   * release (it is upgraded, never wrongly left as unchanged) and tells nothing.
   */
  sensitiveKey?: Buffer | 'omitted' | undefined;
}

/** What the digest holds of the sensitive values: nothing that can be tested against a guess without the key. */
function sensitivePart(setSensitive: Readonly<Record<string, unknown>>, key: DigestInput['sensitiveKey']): string | undefined {
  if (Object.keys(setSensitive).length === 0) return undefined;
  if (key === 'omitted') return 'omitted';
  return createHmac('sha256', key ?? randomBytes(32)).update(canonicalJson(setSensitive)).digest('hex');
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
    // An empty setSensitive as before (so the digests of charts without secrets stay as they were); the values only through their HMAC.
    setSensitive: Object.keys(spec.setSensitive).length === 0 ? spec.setSensitive : undefined,
    sensitive: sensitivePart(spec.setSensitive, input.sensitiveKey),
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
export async function computeReleaseDigest(spec: ChartSpec, chartVersion: string, cwd = process.cwd(), transform?: string, sensitiveKey?: DigestInput['sensitiveKey']): Promise<string> {
  const valuesFileContents = await Promise.all(spec.valuesFiles.map((file) => readFile(resolve(cwd, file), 'utf8')));
  let localChartHash: string | undefined;
  if (isLocalChart(spec)) {
    const path = resolve(cwd, spec.chart);
    localChartHash = (await stat(path)).isDirectory() ? await hashTree(path) : createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return releaseDigest({ spec, chartVersion, valuesFileContents, localChartHash, transform, sensitiveKey });
}
