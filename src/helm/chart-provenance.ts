// Chart provenance (spec `verify: true` with a `keyring`), checked as `helm --verify` checks it, in this
// process with the openpgp library: the chart's `.prov` file is an OpenPGP clearsigned message whose
// signature must verify against a key of the keyring, and whose signed text holds, after the chart's
// metadata and a `...` line, a `files:` map giving the sha256 of the chart archive; the archive helm
// pulled must have that digest. Any failure names the chart and installs nothing. The same check for
// Helm 3 and Helm 4, repository and OCI charts (helm pull --prov fetches the file for both).
import { createHash } from 'node:crypto';
import type { Key } from 'openpgp';
import { parse } from 'yaml';
import { HelmcycleError } from '../errors.js';

// openpgp (870 KB) loads only when a chart asks for verify: every other run's start skips it (issue 26).
const openpgp = () => import('openpgp');

export class ChartProvenanceError extends HelmcycleError {
  constructor(readonly reference: string, reason: string) {
    super('CHART_PROVENANCE_FAILED', `chart ${reference}: provenance not verified: ${reason}; nothing was installed from it`, {
      hint: 'check that the chart was signed (helm package --sign) by a key in the stack\'s keyring, and that the archive was not changed since',
    });
  }
}

const ARMOR_BEGIN = '-----BEGIN PGP PUBLIC KEY BLOCK-----';

/** The keys of a keyring file: binary (`gpg --export`) or armored (`gpg --export --armor`), blocks concatenated. */
export async function keyringKeys(bytes: Uint8Array): Promise<Key[]> {
  const { readKeys } = await openpgp();
  const text = Buffer.from(bytes).toString('latin1');
  if (!text.includes(ARMOR_BEGIN)) return readKeys({ binaryKeys: bytes });
  const blocks = text.split(ARMOR_BEGIN).slice(1).map((block) => `${ARMOR_BEGIN}${block}`);
  return (await Promise.all(blocks.map((armoredKeys) => readKeys({ armoredKeys })))).flat();
}

/** The `files:` map of a provenance file's signed text (the YAML after the `...` line). Pure. */
export function provenanceFiles(signedText: string): Record<string, string> {
  const parts = signedText.split(/^\.\.\.$/m);
  if (parts.length < 2) throw new Error('the signed text has no `...` line before its files');
  const files = (parse(parts.slice(1).join('...')) as { files?: unknown } | null)?.files;
  if (!files || typeof files !== 'object' || Array.isArray(files)) throw new Error('the signed text has no files: map');
  return files as Record<string, string>;
}

export interface ProvenanceInput {
  /** The chart as messages name it (`oci://… 1.0.0`). */
  reference: string;
  /** The archive's file name as the .prov names it (`web-1.0.0.tgz`). */
  archiveName: string;
  archive: Uint8Array;
  prov: string;
  keyring: Uint8Array;
}

export async function verifyProvenance(input: ProvenanceInput): Promise<void> {
  const { readCleartextMessage, verify } = await openpgp();
  const fail = (reason: string) => new ChartProvenanceError(input.reference, reason);
  let keys: Key[];
  try {
    keys = await keyringKeys(input.keyring);
  } catch {
    throw fail('the keyring holds no OpenPGP public key');
  }
  let message;
  try {
    message = await readCleartextMessage({ cleartextMessage: input.prov });
  } catch {
    throw fail('the .prov file is not an OpenPGP clearsigned message');
  }
  const result = await verify({ message, verificationKeys: keys, expectSigned: false });
  let signed = false;
  for (const signature of result.signatures) {
    if (await signature.verified.then(() => true, () => false)) signed = true;
  }
  if (!signed) throw fail('its signature is not valid for any key of the keyring');
  let files: Record<string, string>;
  try {
    // The text the signature covers (readCleartextMessage normalises line endings as signing did).
    files = provenanceFiles(message.getText());
  } catch (error) {
    throw fail(`the .prov file does not list the archive: ${(error as Error).message}`);
  }
  const expected = files[input.archiveName];
  const actual = `sha256:${createHash('sha256').update(input.archive).digest('hex')}`;
  if (typeof expected !== 'string') throw fail(`the .prov file lists no ${input.archiveName}`);
  if (expected.toLowerCase() !== actual) throw fail(`the archive's digest is ${actual}, the signed .prov says ${expected}`);
}
