// Decrypts an age file (https://age-encryption.org/v1, C2SP's age spec) with X25519 identities, using
// only Node's crypto: X25519, HKDF-SHA256, HMAC-SHA256 and ChaCha20-Poly1305 are all there, so the
// framing below is the whole of it. SOPS keeps its 32-byte data key in such a file (ASCII-armored), one
// per age recipient. Other recipient types (scrypt passphrases, ssh-ed25519, the post-quantum
// mlkem768x25519 of age 1.3, plugins) are not read: a file for those only says so. Pure.
import { createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { decodeBech32 } from './bech32.js';

const VERSION_LINE = 'age-encryption.org/v1';
const CHUNK_SIZE = 64 * 1024;
// DER prefixes of an X25519 private key (PKCS#8) and public key (SPKI), followed by the 32 raw bytes.
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

/** An age X25519 identity (`AGE-SECRET-KEY-1...`), ready to unwrap file keys. */
export interface AgeIdentity {
  readonly privateKey: KeyObject;
  /** The raw 32-byte public key (the recipient `age1...` encodes it). */
  readonly publicKey: Buffer;
}

export class AgeDecryptError extends Error {}

/** The identity of an `AGE-SECRET-KEY-1...` line, or undefined when it is not one. */
export function parseAgeIdentity(line: string): AgeIdentity | undefined {
  const decoded = decodeBech32(line.trim());
  if (!decoded || decoded.prefix !== 'age-secret-key-' || decoded.bytes.length !== 32) return undefined;
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, decoded.bytes]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: Buffer.from(spki.subarray(spki.length - 32)) };
}

/** Every identity in a keys file's text (age-keygen's format: comments and `AGE-SECRET-KEY-1...` lines). */
export function parseAgeIdentities(text: string): AgeIdentity[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('AGE-SECRET-KEY-1'))
    .map(parseAgeIdentity)
    .filter((identity): identity is AgeIdentity => identity !== undefined);
}

const hkdf = (ikm: Buffer, salt: Buffer, info: string) => Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
const base64Strict = (text: string) => {
  if (!/^[A-Za-z0-9+/]*$/.test(text)) throw new AgeDecryptError('malformed age header');
  return Buffer.from(text, 'base64');
};

function chachaOpen(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer | undefined {
  if (sealed.length < 16) return undefined;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** The binary age file inside an ASCII-armored one (`-----BEGIN AGE ENCRYPTED FILE-----`); a binary one as it is. */
export function dearmor(text: string): Buffer {
  const trimmed = text.trim();
  const begin = '-----BEGIN AGE ENCRYPTED FILE-----';
  const end = '-----END AGE ENCRYPTED FILE-----';
  if (!trimmed.startsWith(begin)) return Buffer.from(text, 'utf8');
  if (!trimmed.endsWith(end)) throw new AgeDecryptError('armored age data without its END line');
  return Buffer.from(trimmed.slice(begin.length, -end.length).replace(/\s+/g, ''), 'base64');
}

interface Stanza {
  type: string;
  args: string[];
  body: Buffer;
}

/** The stanzas, the header's MAC and the bytes it covers, and where the payload starts. */
function parseHeader(file: Buffer): { stanzas: Stanza[]; covered: Buffer; mac: Buffer; payloadStart: number } {
  let at = 0;
  const line = (): string => {
    const end = file.indexOf(0x0a, at);
    if (end < 0) throw new AgeDecryptError('truncated age header');
    const text = file.subarray(at, end).toString('latin1');
    at = end + 1;
    return text;
  };
  if (line() !== VERSION_LINE) throw new AgeDecryptError('not an age v1 file');
  const stanzas: Stanza[] = [];
  for (;;) {
    const start = at;
    const text = line();
    if (text.startsWith('--- ')) {
      return { stanzas, covered: file.subarray(0, start + 3), mac: base64Strict(text.slice(4)), payloadStart: at };
    }
    if (!text.startsWith('-> ')) throw new AgeDecryptError('malformed age header');
    const [type, ...args] = text.slice(3).split(' ');
    // The body: base64 lines of 64 characters, ended by a shorter one (possibly empty).
    const parts: string[] = [];
    for (;;) {
      const bodyLine = line();
      parts.push(bodyLine);
      if (bodyLine.length > 64) throw new AgeDecryptError('malformed age stanza');
      if (bodyLine.length < 64) break;
    }
    stanzas.push({ type: type ?? '', args, body: base64Strict(parts.join('')) });
  }
}

function unwrapX25519(stanza: Stanza, identity: AgeIdentity): Buffer | undefined {
  if (stanza.type !== 'X25519' || stanza.args.length !== 1) return undefined;
  const share = base64Strict(stanza.args[0]!);
  if (share.length !== 32 || stanza.body.length !== 32) return undefined;
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, share]), format: 'der', type: 'spki' });
  const shared = diffieHellman({ privateKey: identity.privateKey, publicKey });
  if (shared.every((byte) => byte === 0)) return undefined;
  const wrapKey = hkdf(shared, Buffer.concat([share, identity.publicKey]), 'age-encryption.org/v1/X25519');
  return chachaOpen(wrapKey, Buffer.alloc(12), stanza.body);
}

/** The recipient types of an age file's stanzas (what would be needed to open it). */
export function stanzaTypes(file: Buffer): string[] {
  return [...new Set(parseHeader(file).stanzas.map((s) => s.type))];
}

/**
 * The plaintext of an age file (binary or armored) for one of these identities. Throws AgeDecryptError
 * when no identity opens it, the header's MAC is wrong, or the payload was changed.
 */
export function ageDecrypt(data: Buffer | string, identities: readonly AgeIdentity[]): Buffer {
  const file = typeof data === 'string' ? dearmor(data) : data;
  const { stanzas, covered, mac, payloadStart } = parseHeader(file);
  let fileKey: Buffer | undefined;
  for (const stanza of stanzas) {
    for (const identity of identities) {
      fileKey = unwrapX25519(stanza, identity);
      if (fileKey) break;
    }
    if (fileKey) break;
  }
  if (!fileKey) {
    const types = [...new Set(stanzas.map((s) => s.type))].join(', ');
    throw new AgeDecryptError(stanzas.some((s) => s.type === 'X25519') ? 'none of the age identities given opens it' : `it is encrypted to ${types} recipients only, which helmcycle cannot open (X25519 age keys only)`);
  }
  const expected = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(covered).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new AgeDecryptError('the age header was changed (its MAC does not match)');
  const payload = file.subarray(payloadStart);
  if (payload.length < 16) throw new AgeDecryptError('truncated age payload');
  const payloadKey = hkdf(fileKey, payload.subarray(0, 16), 'payload');
  const chunks: Buffer[] = [];
  const sealedSize = CHUNK_SIZE + 16;
  for (let at = 16, counter = 0; ; counter++) {
    const sealed = payload.subarray(at, at + sealedSize);
    const last = at + sealedSize >= payload.length;
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(counter, 5, 6);
    nonce[11] = last ? 1 : 0;
    const chunk = chachaOpen(payloadKey, nonce, sealed);
    if (!chunk) throw new AgeDecryptError('the age payload was changed or truncated');
    chunks.push(chunk);
    at += sealed.length;
    if (last) break;
  }
  return Buffer.concat(chunks);
}
