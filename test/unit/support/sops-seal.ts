// Test support only (never shipped): seals plain data into a SOPS file the way sops 3.x writes one, so
// tests can make SOPS secrets with an age key made in the test instead of fixtures made once by the sops
// binary. What it follows (read in getsops/sops: sops.go Tree.Encrypt, shouldBeEncrypted, ToBytes;
// aes/cipher.go Encrypt; age/keysource.go), written here from that reading:
// - one random 32-byte data key; each leaf value sealed with AES-256-GCM under a random 32-byte nonce,
//   the value's key path joined with ':' plus a trailing ':' as additional data (a list item keeps its
//   list's path), written `ENC[AES256_GCM,data:..,iv:..,tag:..,type:str|int|float|bool]`;
//   empty strings and nulls stay as they are (sops does not seal them);
// - the MAC: SHA-512 over every leaf's bytes in file order (booleans as `True`/`False`, nulls skipped,
//   leaves left in clear included unless mac_only_encrypted), upper-case hex, itself sealed as a str
//   with `lastmodified` (RFC 3339, whole seconds) as additional data;
// - the data key sealed to each age recipient as an armored age file under `sops.age[].enc`.
// Map keys are taken in the object's order (JavaScript puts integer-like keys first; the MAC follows the
// order written, so it stays consistent).
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { armor, Encrypter } from 'age-encryption';
import { Document, Scalar } from 'yaml';

export interface SealOptions {
  /** age recipients (`age1...`) the data key is sealed to: any of their identities opens the file. */
  recipients: readonly string[];
  /** Keys ending so are left in clear, with everything under them (sops writes `_unencrypted` by default). */
  unencryptedSuffix?: string;
  /** When set, only keys ending so are sealed (sops --encrypted-suffix); replaces unencryptedSuffix. */
  encryptedSuffix?: string;
  /** The MAC covers only the sealed values (sops' mac_only_encrypted creation rule). */
  macOnlyEncrypted?: boolean;
  /** `sops.lastmodified`; now by default. */
  lastModified?: Date;
  /** `sops.version`. */
  version?: string;
  /** A data key to use instead of a random one (a test that needs two files under one key). */
  dataKey?: Buffer;
}

/** The MAC of a file made with mac_only_encrypted starts from these bytes (sops.go MACOnlyEncryptedInitialization). */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');

/** A leaf as sops types and writes it before sealing: its type name and its bytes (sops' ToBytes). */
function leafBytes(value: string | number | boolean, path: readonly string[]): { type: string; bytes: Buffer } {
  if (typeof value === 'string') return { type: 'str', bytes: Buffer.from(value, 'utf8') };
  if (typeof value === 'boolean') return { type: 'bool', bytes: Buffer.from(value ? 'True' : 'False') };
  if (!Number.isFinite(value)) throw new Error(`sops-seal: ${path.join('.')}: sops cannot hold ${value}`);
  if (Number.isInteger(value)) return { type: 'int', bytes: Buffer.from(BigInt(value).toString()) };
  // Go's FormatFloat(v, 'f', -1, 64) never uses an exponent; JavaScript's String does for tiny and huge numbers.
  const text = String(value);
  if (/e/i.test(text)) throw new Error(`sops-seal: ${path.join('.')}: a float written with an exponent (${text}) is not supported here`);
  return { type: 'float', bytes: Buffer.from(text) };
}

/** One value sealed as sops writes it: AES-256-GCM, 32-byte nonce, 16-byte tag. */
export function sealValue(bytes: Buffer, type: string, key: Buffer, additionalData: string): string {
  const iv = randomBytes(32);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const data = Buffer.concat([cipher.update(bytes), cipher.final()]);
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${cipher.getAuthTag().toString('base64')},type:${type}]`;
}

/** RFC 3339 in UTC to the second, as Go's time.Format(time.RFC3339) writes a UTC time. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The data with every leaf sealed, and the MAC's hash fed in the same walk (file order). */
function sealTree(data: Record<string, unknown>, key: Buffer, options: SealOptions): { tree: Record<string, unknown>; mac: string } {
  const hash = createHash('sha512');
  if (options.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  const shouldSeal = (path: readonly string[]): boolean => {
    if (options.encryptedSuffix) return path.some((p) => p.endsWith(options.encryptedSuffix!));
    const suffix = options.unencryptedSuffix ?? '_unencrypted';
    return !path.some((p) => p.endsWith(suffix));
  };
  const walk = (value: unknown, path: string[]): unknown => {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) return value.map((item) => walk(item, path));
    if (typeof value === 'object') {
      if (value instanceof Date) throw new Error(`sops-seal: ${path.join('.')}: timestamps are not supported here`);
      const out: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(value)) out[name] = walk(child, [...path, name]);
      return out;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`sops-seal: ${path.join('.')}: a ${typeof value} is not a YAML value`);
    const sealed = shouldSeal(path);
    const { type, bytes } = leafBytes(value, path);
    if (!options.macOnlyEncrypted || sealed) hash.update(bytes);
    if (!sealed || value === '') return value;
    return sealValue(bytes, type, key, `${path.join(':')}:`);
  };
  const tree = walk(data, []) as Record<string, unknown>;
  return { tree, mac: hash.digest('hex').toUpperCase() };
}

/** The data key sealed to one age recipient, armored as sops keeps it. */
async function sealDataKey(key: Buffer, recipient: string): Promise<string> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  return armor.encode(await encrypter.encrypt(new Uint8Array(key)));
}

/**
 * A SOPS-format YAML file (sops 3.x's layout: 4-space indent, the `sops:` map last) holding `data` sealed
 * to `options.recipients`. Async because age's library is.
 */
export async function sealSopsYaml(data: Record<string, unknown>, options: SealOptions): Promise<string> {
  if (options.recipients.length === 0) throw new Error('sops-seal: at least one age recipient is needed');
  if ('sops' in data) throw new Error("sops-seal: the data may not hold a top-level 'sops' key");
  const key = options.dataKey ?? randomBytes(32);
  if (key.length !== 32) throw new Error('sops-seal: the data key must be 32 bytes');
  const { tree, mac } = sealTree(data, key, options);
  const lastModified = rfc3339(options.lastModified ?? new Date());

  const document = new Document(tree);
  const age = [];
  for (const recipient of options.recipients) {
    const enc = new Scalar(await sealDataKey(key, recipient));
    enc.type = Scalar.BLOCK_LITERAL;
    age.push({ enc, recipient });
  }
  const stamp = new Scalar(lastModified);
  stamp.type = Scalar.QUOTE_DOUBLE;
  const meta: Record<string, unknown> = {
    age,
    lastmodified: stamp,
    mac: sealValue(Buffer.from(mac), 'str', key, lastModified),
  };
  if (options.macOnlyEncrypted) meta.mac_only_encrypted = true;
  if (options.encryptedSuffix) meta.encrypted_suffix = options.encryptedSuffix;
  else meta.unencrypted_suffix = options.unencryptedSuffix ?? '_unencrypted';
  meta.version = options.version ?? '3.13.3';
  document.set('sops', document.createNode(meta));
  return document.toString({ indent: 4, lineWidth: 0 });
}
