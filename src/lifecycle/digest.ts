// The digest of everything that decides what a release contains: the chart and its resolved version,
// the effective values (files read, not just named) and the spec fields that change the release.
// helmcycle records it as a release label; a later apply whose digest matches has nothing to upgrade.
//
// Sensitive values are folded in too, so changing a password is an upgrade; but a digest that covers
// one (the chart's own setSensitive, or another chart's sensitive value that this chart's values or
// values files hold) is an HMAC keyed with the namespace's digest key (digest-key.ts), a random key kept
// in a Secret of the cluster, not a plain hash. The digest travels on helm's argv (`--labels
// helmcycle.dev/digest=...`, readable by anyone who can list the machine's processes) and in debug
// lines and logs; a plain hash of the values would let such a reader test guesses at a weak password
// offline (one was found in 45 tries). Without the key, which only a reader of the namespace's Secrets
// has (and such a reader has the release, values included, anyway), a digest says nothing about the
// values. A salt would not do: any salt stable enough to
// detect "unchanged" would have to be stored beside the digest, and a slow hash with a known salt still
// lets a weak password be guessed, only more slowly.
//
// A chart whose inputs hold no sensitive value has the digest it always had. A chart with them gets a
// digest of a new form once: the first apply after this change upgrades it once, same chart and values.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { canonicalJson } from '../canonical-json.js';
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
   * The key of a digest that covers a sensitive value: the namespace's digest key (a Buffer); `omitted`
   * where the caller covers the chart's own sensitive values itself and the digest never leaves the
   * process (a saved plan's scrypt fingerprint): they are left out; undefined when no key could be had:
   * a random key then, so the digest matches no release (it is upgraded, never wrongly left as
   * unchanged) and tells nothing.
   */
  sensitiveKey?: Buffer | 'omitted' | undefined;
  /** Whether a text holds a sensitive value of any chart of the stack (this chart's values file may hold another's password). */
  revealsSecret?: ((text: string) => boolean) | undefined;
}

/** JSON with object keys sorted, so equal inputs always give equal text (plan inputs hash it too). */
export { canonicalJson };

function coveredText(input: DigestInput): string {
  const { spec } = input;
  const covered = {
    name: spec.name,
    namespace: spec.namespace,
    chart: spec.chart,
    repository: spec.repository,
    chartVersion: input.chartVersion,
    // Absent unless pinned, so an unpinned chart keeps the digest it always had.
    chartDigest: spec.digest,
    localChartHash: input.localChartHash,
    values: spec.values,
    valuesFiles: input.valuesFileContents,
    yamlFilesContent: spec.yamlFilesContent.map((file) => file.content),
    setJson: spec.setJson,
    set: spec.set,
    setString: spec.setString,
    // Left out where the caller covers them itself (`omitted`); an empty one kept, as digests always had it.
    setSensitive: input.sensitiveKey === 'omitted' && Object.keys(spec.setSensitive).length > 0 ? undefined : spec.setSensitive,
    // Absent unless used, so a chart without secret values keeps the digest it always had.
    secretValues: hasSecretValues(spec) && input.sensitiveKey !== 'omitted' ? spec.secretValues : undefined,
    skipCrds: spec.skipCrds,
    disableHooks: spec.disableHooks,
    takeOwnership: spec.takeOwnership,
    description: spec.description,
    labels: spec.labels,
    transform: input.transform,
  };
  return canonicalJson(covered);
}

/** Whether a spec has secret values objects (decrypted SOPS files, resolved references). Pure. */
function hasSecretValues(spec: Pick<ChartSpec, 'secretValues'>): boolean {
  const list = Array.isArray(spec.secretValues) ? spec.secretValues : [spec.secretValues];
  return list.some((object) => Object.keys(object).length > 0);
}

/** Whether the digest of this input covers a sensitive value, and so is keyed. Pure. */
export function digestNeedsKey(input: DigestInput): boolean {
  if (input.sensitiveKey === 'omitted') return false;
  return Object.keys(input.spec.setSensitive).length > 0 || hasSecretValues(input.spec) || (input.revealsSecret?.(coveredText(input)) ?? false);
}

/** The digest, as a valid label value (40 hex characters). Pure but for the random key of a keyed digest without a key. */
export function releaseDigest(input: DigestInput): string {
  const text = coveredText(input);
  if (!digestNeedsKey(input)) return createHash('sha256').update(text).digest('hex').slice(0, 40);
  const key = input.sensitiveKey instanceof Buffer ? input.sensitiveKey : randomBytes(32);
  return createHmac('sha256', key).update(text).digest('hex').slice(0, 40);
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

/** Reads what the digest covers from disk. */
export async function readDigestInput(spec: ChartSpec, chartVersion: string, cwd = process.cwd(), transform?: string): Promise<DigestInput> {
  const valuesFileContents = await Promise.all(spec.valuesFiles.map((file) => readFile(resolve(cwd, file), 'utf8')));
  let localChartHash: string | undefined;
  if (isLocalChart(spec)) {
    const path = resolve(cwd, spec.chart);
    localChartHash = (await stat(path)).isDirectory() ? await hashTree(path) : createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return { spec, chartVersion, valuesFileContents, localChartHash, transform };
}

/** Reads what the digest covers from disk and computes it (a keyed one with `sensitiveKey`). */
export async function computeReleaseDigest(spec: ChartSpec, chartVersion: string, cwd = process.cwd(), transform?: string, sensitiveKey?: DigestInput['sensitiveKey']): Promise<string> {
  return releaseDigest({ ...(await readDigestInput(spec, chartVersion, cwd, transform)), sensitiveKey });
}
