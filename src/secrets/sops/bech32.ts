// Bech32 decoding (BIP 173), as age writes its keys (`AGE-SECRET-KEY-1...`): the checksum is verified,
// and age's keys are longer than BIP 173's 90 characters, so that limit is not applied. Pure.

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let check = 1;
  for (const value of values) {
    const top = check >>> 25;
    check = ((check & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) check ^= GENERATOR[i]!;
  }
  return check >>> 0;
}

function expandPrefix(prefix: string): number[] {
  const out: number[] = [];
  for (const char of prefix) out.push(char.charCodeAt(0) >>> 5);
  out.push(0);
  for (const char of prefix) out.push(char.charCodeAt(0) & 31);
  return out;
}

/** The prefix (lower case) and the bytes of a Bech32 string, or undefined when it is not one (or its checksum is wrong). */
export function decodeBech32(text: string): { prefix: string; bytes: Buffer } | undefined {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) return undefined;
  const lower = text.toLowerCase();
  const split = lower.lastIndexOf('1');
  if (split < 1 || split + 7 > lower.length) return undefined;
  const prefix = lower.slice(0, split);
  const data: number[] = [];
  for (const char of lower.slice(split + 1)) {
    const value = CHARSET.indexOf(char);
    if (value < 0) return undefined;
    data.push(value);
  }
  if (polymod([...expandPrefix(prefix), ...data]) !== 1) return undefined;
  // 5-bit groups to bytes; leftover bits must be zero padding.
  let accumulator = 0;
  let bits = 0;
  const bytes: number[] = [];
  for (const value of data.slice(0, -6)) {
    accumulator = (accumulator << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((accumulator >>> bits) & 0xff);
    }
  }
  if (bits >= 5 || (accumulator & ((1 << bits) - 1)) !== 0) return undefined;
  return { prefix, bytes: Buffer.from(bytes) };
}
