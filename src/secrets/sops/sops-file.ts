// Reads a SOPS-encrypted values file (YAML or JSON) in memory, as `sops -d` would, without the sops
// binary: the data key is opened with an age identity (age-decrypt.ts), each `ENC[AES256_GCM,...]` value
// is opened with AES-256-GCM and the value's key path (`a:b:`) as additional data, exactly as SOPS
// seals it (getsops/sops aes/cipher.go, sops.go), and the file's MAC (SHA-512 over the values in
// order, itself sealed with the data key and `lastmodified` as additional data) is checked, so a value
// changed, removed, moved or added by hand is refused. Nothing is written anywhere. Pure but for the
// clock-free crypto; errors name the file and never a value.
import { createDecipheriv, createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { AgeIdentity } from './age-decrypt.js';

/** A SOPS file that cannot be opened: the file is named, the reason says what to do; no value is quoted. */
export class SopsDecryptError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'SopsDecryptError';
  }
}

/** Key types SOPS supports besides age, by their metadata field: helmcycle does not open these. */
const OTHER_KEY_TYPES: Record<string, string> = { pgp: 'PGP', kms: 'AWS KMS', gcp_kms: 'GCP KMS', azure_kv: 'Azure Key Vault', hc_vault: 'HashiCorp Vault transit', hckms: 'Huawei Cloud KMS' };
/** What the MAC of a file made with mac_only_encrypted starts from (sops.go MACOnlyEncryptedInitialization). */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');
const ENCRYPTED = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]$/;

interface SopsMetadata {
  lastmodified?: unknown;
  mac?: unknown;
  age?: { recipient?: unknown; enc?: unknown }[];
  key_groups?: Record<string, unknown>[];
  unencrypted_suffix?: unknown;
  encrypted_suffix?: unknown;
  unencrypted_regex?: unknown;
  encrypted_regex?: unknown;
  unencrypted_comment_regex?: unknown;
  encrypted_comment_regex?: unknown;
  mac_only_encrypted?: unknown;
  [key: string]: unknown;
}

/** Whether a parsed document is a SOPS file (it has `sops.mac`). Pure. */
export function isSopsDocument(value: unknown): boolean {
  const sops = (value as { sops?: unknown } | null)?.sops;
  return typeof sops === 'object' && sops !== null && typeof (sops as { mac?: unknown }).mac === 'string';
}

/** Opens one `ENC[...]` value; undefined when the tag does not verify (a wrong key, a changed value or path). */
function openValue(sealed: string, key: Buffer, additionalData: string): { bytes: Buffer; type: string } | undefined {
  const match = ENCRYPTED.exec(sealed);
  if (!match) return undefined;
  const [, data, iv, tag, type] = match as unknown as [string, string, string, string, string];
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return { bytes: Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]), type };
  } catch {
    return undefined;
  }
}

/** A decrypted value as SOPS types it, and the bytes its MAC covers (sops.ToBytes of that value). */
function typed(bytes: Buffer, type: string): { value: unknown; macBytes: Buffer } | undefined {
  const text = bytes.toString('utf8');
  switch (type) {
    case 'str':
    case 'bytes':
    case 'time':
      return { value: text, macBytes: bytes };
    case 'int':
    case 'float':
      return Number.isFinite(Number(text)) ? { value: Number(text), macBytes: bytes } : undefined;
    case 'bool': {
      const value = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text) ? true : ['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text) ? false : undefined;
      return value === undefined ? undefined : { value, macBytes: Buffer.from(value ? 'True' : 'False') };
    }
    default:
      return undefined;
  }
}

/** The bytes sops.ToBytes gives a value left in clear (unencrypted_suffix and the like). */
function clearMacBytes(value: unknown): Buffer {
  if (typeof value === 'boolean') return Buffer.from(value ? 'True' : 'False');
  if (typeof value === 'number') return Buffer.from(Number.isInteger(value) ? BigInt(value).toString() : String(value));
  return Buffer.from(String(value), 'utf8');
}

/** SOPS's rule for which values are encrypted (sops.go shouldBeEncrypted), without the comment rules. */
function encryptedRule(meta: SopsMetadata): (path: readonly string[]) => boolean {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const unencryptedSuffix = text(meta.unencrypted_suffix);
  const encryptedSuffix = text(meta.encrypted_suffix);
  const unencryptedRegex = text(meta.unencrypted_regex) === undefined ? undefined : new RegExp(text(meta.unencrypted_regex)!);
  const encryptedRegex = text(meta.encrypted_regex) === undefined ? undefined : new RegExp(text(meta.encrypted_regex)!);
  return (path) => {
    let encrypted = true;
    if (unencryptedSuffix && path.some((p) => p.endsWith(unencryptedSuffix))) encrypted = false;
    if (encryptedSuffix) encrypted = path.some((p) => p.endsWith(encryptedSuffix));
    if (unencryptedRegex && path.some((p) => unencryptedRegex.test(p))) encrypted = false;
    if (encryptedRegex) encrypted = path.some((p) => encryptedRegex.test(p));
    return encrypted;
  };
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The SOPS metadata and the data tree (YAML nodes, in file order: the MAC depends on the order). */
function readDocument(text: string, file: string): { meta: SopsMetadata; tree: Node } {
  const documents = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(documents) || documents.length !== 1) throw new SopsDecryptError(file, 'a SOPS values file must hold exactly one YAML or JSON document');
  const document = documents[0]!;
  if (document.errors.length > 0) throw new SopsDecryptError(file, `does not parse: ${document.errors[0]!.message.split('\n')[0]}`);
  const root = document.contents;
  if (!isMap(root)) throw new SopsDecryptError(file, 'a SOPS values file must be a map at the top');
  const metaPair = root.items.find((pair) => isScalar(pair.key) && pair.key.value === 'sops');
  const meta = metaPair && isMap(metaPair.value) ? (metaPair.value.toJSON() as SopsMetadata) : undefined;
  if (!meta || typeof meta.mac !== 'string') throw new SopsDecryptError(file, "is not a SOPS-encrypted file (no 'sops.mac'); list a plain values file under valuesFiles");
  root.items = root.items.filter((pair) => pair !== metaPair);
  return { meta, tree: root };
}

/** The data key, opened with an age identity; other key types are named in the error. */
async function dataKeyOf(meta: SopsMetadata, identities: readonly AgeIdentity[], file: string, identitySource: string): Promise<Buffer> {
  const groups = meta.key_groups ?? [meta];
  if (groups.length > 1) throw new SopsDecryptError(file, `uses ${groups.length} Shamir key groups, which helmcycle does not support; use one key group with an age recipient`);
  const group = groups[0] ?? {};
  const ages = Array.isArray(group.age) ? (group.age as { recipient?: unknown; enc?: unknown }[]) : [];
  const others = Object.keys(OTHER_KEY_TYPES).filter((k) => Array.isArray(group[k]) && (group[k] as unknown[]).length > 0).map((k) => OTHER_KEY_TYPES[k]!);
  if (ages.length === 0) {
    const what = others.length ? `is encrypted only to ${others.join(', ')} keys` : 'has no age recipient';
    throw new SopsDecryptError(file, `${what}; helmcycle opens SOPS files with age keys only (add one: sops updatekeys, or sops --add-age age1... -r -i ${file})`);
  }
  if (identities.length === 0) throw new SopsDecryptError(file, `needs an age key and none was found (${identitySource}); set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY, or put the key in ~/.config/sops/age/keys.txt`);
  // The age library loads only when a SOPS file is opened: a run without one skips it (issue 26).
  const { ageDecrypt, AgeDecryptError } = await import('./age-decrypt.js');
  for (const entry of ages) {
    if (typeof entry.enc !== 'string') continue;
    try {
      const key = await ageDecrypt(entry.enc, identities);
      if (key.length === 32) return key;
    } catch (error) {
      if (!(error instanceof AgeDecryptError)) throw error;
    }
  }
  const recipients = ages.map((a) => String(a.recipient ?? '?')).join(', ');
  throw new SopsDecryptError(file, `none of the age keys found (${identitySource}) opens it; it is encrypted to ${recipients}`);
}

export interface DecryptOptions {
  identities: readonly AgeIdentity[];
  /** Where the identities came from, for messages (e.g. `SOPS_AGE_KEY_FILE=/path`). */
  identitySource: string;
}

/** The decrypted values of a SOPS file's text, checked against its MAC. Throws SopsDecryptError. */
export async function decryptSopsText(text: string, file: string, options: DecryptOptions): Promise<Record<string, unknown>> {
  const { meta, tree } = readDocument(text, file);
  if (meta.unencrypted_comment_regex || meta.encrypted_comment_regex) throw new SopsDecryptError(file, 'uses encrypted_comment_regex or unencrypted_comment_regex, which helmcycle does not support');
  const key = await dataKeyOf(meta, options.identities, file, options.identitySource);
  const isEncrypted = encryptedRule(meta);
  const macOnlyEncrypted = meta.mac_only_encrypted === true;
  const hash = createHash('sha512');
  if (macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  const fail = (path: readonly string[], why: string): never => {
    throw new SopsDecryptError(file, `the value at ${path.join('.') || '(top)'} ${why}`);
  };

  const walk = (node: unknown, path: string[]): unknown => {
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = pair.key;
        const name = isScalar(keyNode) ? keyNode.value : keyNode;
        if (typeof name !== 'string') fail(path, 'has a key that is not a string');
        if (FORBIDDEN_KEYS.has(name as string)) fail([...path, name as string], 'has a key that is not allowed');
        out[name as string] = walk(pair.value, [...path, name as string]);
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((item) => walk(item, path));
    const value = isScalar(node) ? node.value : node;
    if (value === null || value === undefined) return null;
    const encrypted = isEncrypted(path);
    let result: unknown = value;
    let macBytes = clearMacBytes(value);
    if (encrypted) {
      if (typeof value !== 'string') fail(path, 'should be encrypted and is not');
      if (value !== '') {
        const opened = openValue(value as string, key, `${path.join(':')}:`);
        if (!opened) fail(path, 'does not decrypt: it was changed, moved to another key, or sealed with another data key (re-encrypt the file with sops)');
        const value2 = typed(opened!.bytes, opened!.type);
        if (!value2) fail(path, `has an unsupported SOPS type '${opened!.type}'`);
        result = value2!.value;
        macBytes = value2!.macBytes;
      }
    }
    if (!macOnlyEncrypted || encrypted) hash.update(macBytes);
    return result;
  };
  const values = walk(tree, []) as Record<string, unknown>;

  const lastModified = typeof meta.lastmodified === 'string' ? meta.lastmodified : '';
  const sealedMac = openValue(meta.mac as string, key, lastModified);
  const computed = hash.digest('hex').toUpperCase();
  if (!sealedMac || sealedMac.bytes.toString('utf8') !== computed) {
    throw new SopsDecryptError(file, "fails SOPS's integrity check (its MAC does not match the values): the file was changed after it was encrypted; re-encrypt it with sops");
  }
  return values;
}
