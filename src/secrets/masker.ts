// One masker for every output path: built from a chart's (or a stack's) sensitive values, it replaces
// each value and the forms it commonly takes on its way out of helm, the API server or a container:
// any letter case, JSON- and YAML-escaped (Go's `\u003c`-style escapes of < > & too), URL-encoded, hex,
// and base64 (standard and URL-safe, with or without padding, and embedded at any byte offset inside a
// longer base64 string). A multi-line value (a PEM key, a JSON key file) is also masked line by line,
// since a template re-indents it (`indent`, `nindent`, `toYaml`) and no longer holds it whole. Pure.
import { FormMatcher } from './form-matcher.js';

/** What a masked value becomes. */
export const MASK = '***';

/**
 * Shorter values are not masked: a value of one to three characters ("1", "on", "yes") occurs in
 * almost any text, so masking it would blank unrelated output without protecting anything.
 */
export const MIN_MASKED_LENGTH = 4;

export interface Masker {
  /** True when there is nothing to mask (no value long enough). */
  readonly empty: boolean;
  /** The text with every known secret, in any of its forms, replaced by `***`. */
  mask(text: string): string;
  /** A copy of a JSON-like value with every string (keys too) masked; other values kept. */
  maskDeep<T>(value: T): T;
  /** True when the text holds a secret in one of its forms. */
  reveals(text: string): boolean;
}

/**
 * The lines of a multi-line value that are masked on their own, wherever they appear and whatever their
 * indentation: each line with its surrounding blanks (and a CR of a CRLF line end) removed, split on real
 * line breaks and on the two-character `\n` escape (a JSON key file given as one line). The rule for a
 * line: it is masked when it has at least MIN_MASKED_LENGTH characters left, like any value. A blank
 * line, `}` or `-->` alone would blank unrelated output and protect nothing; a PEM `-----BEGIN ...-----`
 * line is not secret but is long, and masking it costs nothing. Pure.
 */
export function maskedLinesOf(secret: string): string[] {
  if (!/[\r\n]|\\n/.test(secret)) return [];
  const lines = secret.split(/\r\n|\r|\n|\\r\\n|\\n/).map((line) => line.trim());
  return [...new Set(lines)].filter((line) => line.length >= MIN_MASKED_LENGTH && line !== secret);
}

/** The value as it is, with LF line ends and with CRLF ones (a file written on Windows, an HTTP body). */
function lineEndVariants(secret: string): string[] {
  if (!/[\r\n]/.test(secret)) return [secret];
  const lf = secret.replace(/\r\n/g, '\n');
  return [...new Set([secret, lf, lf.replace(/\n/g, '\r\n')])];
}

/**
 * The base64 characters that depend on `secret` alone when it starts `offset` bytes (0, 1 or 2) into a
 * longer plaintext: base64 maps 3 bytes to 4 characters, so the characters at either edge mix in bits of
 * the neighbouring bytes and are left out. Each of the three alignments is one form to look for.
 */
export function base64Cores(secret: Uint8Array): string[] {
  const cores = new Set<string>();
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), secret]).toString('base64').replace(/=+$/, '');
    const firstBit = offset * 8;
    const endBit = (offset + secret.length) * 8;
    // Character i holds bits [6i, 6i + 6); keep those wholly inside the secret's bits.
    const first = Math.ceil(firstBit / 6);
    const end = Math.floor(endBit / 6);
    const core = encoded.slice(first, end);
    if (core.length >= MIN_MASKED_LENGTH) cores.add(core);
  }
  return [...cores];
}

function percentEncoded(secret: string): string[] {
  const upper = encodeURIComponent(secret);
  const forms = [upper, upper.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), upper.replace(/%20/g, '+')];
  // Every byte escaped, as some clients do.
  forms.push([...Buffer.from(secret, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
  return forms;
}

/** Forms matched without regard to letter case (the value itself, and escapes of it). */
function caseFreeForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const jsonTwice = JSON.stringify(json).slice(1, -1);
  const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  const asciiJson = json.replace(/[\u007f-\uffff]/g, unicodeEscape);
  // Go's encoding/json (kubectl, helm -o json, the API server's own messages) escapes <, > and & too.
  const goJson = json.replace(/[<>&\u2028\u2029]/g, unicodeEscape);
  const goAsciiJson = asciiJson.replace(/[<>&]/g, unicodeEscape);
  const yamlSingle = secret.replace(/'/g, "''");
  const hex = Buffer.from(secret, 'utf8').toString('hex');
  return [secret, json, jsonTwice, asciiJson, goJson, goAsciiJson, JSON.stringify(goJson).slice(1, -1), yamlSingle, hex, ...percentEncoded(secret)];
}

/** Forms whose letter case carries meaning (base64). */
function caseExactForms(secret: string): string[] {
  const forms: string[] = [];
  for (const bytes of new Set([secret, secret.toLowerCase(), secret.toUpperCase()])) {
    // The value encoded by itself, whole (padding too), then the cores found inside longer texts.
    const whole = Buffer.from(bytes, 'utf8').toString('base64');
    forms.push(whole, whole.replace(/=+$/, ''), Buffer.from(bytes, 'utf8').toString('base64url'));
    for (const core of base64Cores(Buffer.from(bytes, 'utf8'))) {
      forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return forms;
}

/** A masker for these values (strings, numbers or booleans; each taken as its text). */
export function createMasker(values: Iterable<unknown>): Masker {
  const given = [...values].map((v) => String(v)).flatMap(lineEndVariants);
  const secrets = [...new Set([...given, ...given.flatMap(maskedLinesOf)])].filter((s) => s.length >= MIN_MASKED_LENGTH);
  // Case-free forms first, then the case-exact (base64) ones in what is left, each leftmost-longest.
  const matchers = [new FormMatcher(secrets.flatMap(caseFreeForms), true), new FormMatcher(secrets.flatMap(caseExactForms), false)].filter((m) => !m.empty);

  const mask = (text: string): string => {
    let out = text;
    for (const matcher of matchers) out = matcher.replace(out, MASK);
    return out;
  };
  const maskDeep = <T>(value: T): T => {
    if (matchers.length === 0) return value;
    return maskValue(value, mask, new WeakMap()) as T;
  };
  const reveals = (text: string): boolean => matchers.some((m) => m.test(text));
  return { empty: matchers.length === 0, mask, maskDeep, reveals };
}

/** A masker that masks nothing. */
export const NO_MASKER: Masker = createMasker([]);

function maskValue(value: unknown, mask: (text: string) => string, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return mask(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(maskValue(item, mask, seen));
    return out;
  }
  if (value instanceof Error) return value;
  const prototype = Object.getPrototypeOf(value) as unknown;
  // Only plain data is copied; anything else (a Date, a Buffer, a class instance) is kept as it is.
  if (prototype !== Object.prototype && prototype !== null) return value;
  const out: Record<string, unknown> = prototype === null ? (Object.create(null) as Record<string, unknown>) : {};
  seen.set(value, out);
  for (const [key, item] of Object.entries(value)) out[mask(key)] = maskValue(item, mask, seen);
  return out;
}
