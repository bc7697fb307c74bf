// Opens an age file (https://age-encryption.org/v1) with the user's identities, through age's own
// TypeScript implementation (the `age-encryption` package, by age's author): SOPS keeps its 32-byte data
// key in such a file, ASCII-armored, one per age recipient. X25519 identities (`AGE-SECRET-KEY-1...`) and
// age 1.3's post-quantum hybrid ones (`AGE-SECRET-KEY-PQ-1...`) are read; scrypt passphrases, SSH keys
// and plugins are not (a file sealed only to those says none of the identities opens it).
import { armor, Decrypter } from 'age-encryption';

/**
 * An age identity, as its secret-key line. Kept as the line because the library takes it so; it is key
 * material and is never printed (messages name where identities came from, not what they are).
 */
export interface AgeIdentity {
  readonly secretKey: string;
}

export class AgeDecryptError extends Error {}

const IDENTITY_LINE = /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/;

/** The identity of an `AGE-SECRET-KEY-1...` line, or undefined when it is not a valid one. */
export function parseAgeIdentity(line: string): AgeIdentity | undefined {
  const secretKey = line.trim();
  if (!IDENTITY_LINE.test(secretKey)) return undefined;
  try {
    // The library checks the encoding (bech32, length) when the identity is added.
    new Decrypter().addIdentity(secretKey);
    return { secretKey };
  } catch {
    return undefined;
  }
}

/** Every identity in a keys file's text (age-keygen's format: comments and `AGE-SECRET-KEY-1...` lines). */
export function parseAgeIdentities(text: string): AgeIdentity[] {
  return text
    .split(/\r?\n/)
    .map(parseAgeIdentity)
    .filter((identity): identity is AgeIdentity => identity !== undefined);
}

/** The binary age file inside an ASCII-armored one (`-----BEGIN AGE ENCRYPTED FILE-----`); a binary one as it is. */
function binaryOf(data: Buffer | string): Uint8Array {
  const text = typeof data === 'string' ? data : data.subarray(0, 64).toString('latin1');
  if (!text.trimStart().startsWith('-----BEGIN AGE ENCRYPTED FILE-----')) return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    return armor.decode(typeof data === 'string' ? data : data.toString('latin1'));
  } catch (error) {
    throw new AgeDecryptError(`malformed armored age data (${(error as Error).message})`);
  }
}

/**
 * The plaintext of an age file (armored or binary) that one of `identities` opens. Throws
 * AgeDecryptError when none does, or when the header or the payload was changed.
 */
export async function ageDecrypt(data: Buffer | string, identities: readonly AgeIdentity[]): Promise<Buffer> {
  const file = binaryOf(data);
  if (identities.length === 0) throw new AgeDecryptError('no age identity was given');
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity.secretKey);
  try {
    return Buffer.from(await decrypter.decrypt(file, 'uint8array'));
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/no identity matched/i.test(message)) throw new AgeDecryptError('none of the age identities given opens it');
    throw new AgeDecryptError(`the age file does not open: ${message}`);
  }
}
